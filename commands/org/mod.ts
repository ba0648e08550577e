/**
 * The `org` group: users, groups and service accounts.
 * @module
 */
import { or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import type { InferValue } from "@optique/core/parser";
import { command } from "@optique/core/primitives";
import { type Deps, examples } from "../common.ts";
import { groupsCommand, run as runGroups } from "./groups.ts";
import { run as runServiceAccounts, serviceAccountsCommand } from "./service_accounts.ts";
import { run as runUsers, usersCommand } from "./users.ts";

/** The `org` command group. */
export const orgCommand = command("org", or(groupsCommand, serviceAccountsCommand, usersCommand), {
  description: message`Account management commands.`,
  footer: examples("dcos-security org users show", "dcos-security org groups members ops --json"),
});

/** Parsed options of any `org` command. */
export type OrgOptions = InferValue<typeof orgCommand>;

/** Runs an `org` command. */
export async function run(opts: OrgOptions, deps: Deps): Promise<void> {
  if (opts.cmd.startsWith("org.users.")) {
    return await runUsers(opts as Parameters<typeof runUsers>[0], deps);
  }
  if (opts.cmd.startsWith("org.groups.")) {
    return await runGroups(opts as Parameters<typeof runGroups>[0], deps);
  }
  return await runServiceAccounts(opts as Parameters<typeof runServiceAccounts>[0], deps);
}
