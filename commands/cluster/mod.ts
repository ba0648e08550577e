/**
 * The `cluster` group: the certificate authority (and, as they are added, directory, OIDC, SAML and
 * secret stores).
 * @module
 */
import { or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import type { InferValue } from "@optique/core/parser";
import { command } from "@optique/core/primitives";
import { type Deps, examples } from "../common.ts";
import { caCommand, run as runCa } from "./ca.ts";
import { directoryCommand, run as runDirectory } from "./directory.ts";
import { oidcCommand, run as runProviders, samlCommand } from "./providers.ts";
import { run as runSecretStore, secretStoreCommand } from "./secret_store.ts";

/** The `cluster` command group. */
export const clusterCommand = command(
  "cluster",
  or(caCommand, directoryCommand, oidcCommand, samlCommand, secretStoreCommand),
  {
    description: message`Manage cluster-wide security settings.`,
    footer: examples(
      "dcos-security cluster ca cacert > dcos-ca.crt",
      "dcos-security cluster secret-store seal-status default",
    ),
  },
);

/** Parsed options of any `cluster` command. */
export type ClusterOptions = InferValue<typeof clusterCommand>;

/** Runs a `cluster` command. */
export async function run(opts: ClusterOptions, deps: Deps): Promise<void> {
  const group = opts.cmd.split(".")[1];
  switch (group) {
    case "ca":
      return await runCa(opts as Parameters<typeof runCa>[0], deps);
    case "directory":
      return await runDirectory(opts as Parameters<typeof runDirectory>[0], deps);
    case "oidc":
    case "saml":
      return await runProviders(opts as Parameters<typeof runProviders>[0], deps);
    case "secret-store":
      return await runSecretStore(opts as Parameters<typeof runSecretStore>[0], deps);
  }
  throw new Error(`no handler for command ${opts.cmd}`);
}
