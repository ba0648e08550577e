/**
 * `org users`: create, delete, show, grant and revoke for user accounts.
 * @module
 */
import { object, or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional } from "@optique/core/modifiers";
import type { InferValue } from "@optique/core/parser";
import { command, constant, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import { readSecret } from "../../lib/input.ts";
import { emit, keyedBy, omit } from "../../lib/output.ts";
import { IamClient, type IamUser } from "../../lib/iam.ts";
import {
  aclDescription,
  actionArg,
  DEFAULT_ACL_DESCRIPTION,
  type Deps,
  examples,
  fileValue,
  idArg,
  jsonFlag,
  textArg,
} from "../common.ts";

const create = command(
  "create",
  object({
    cmd: constant("org.users.create"),
    description: optional(
      option("-d", "--description", string({ metavar: "TEXT" }), {
        description: message`Description.`,
      }),
    ),
    password: optional(option("-p", "--password", string({ metavar: "TEXT" }), {
      description: message`Password (at least 5 characters); ${"-"} reads it from stdin.`,
    })),
    passwordFile: optional(option("--password-file", fileValue("FILE"), {
      description: message`Read the password from FILE (${"-"} for stdin).`,
    })),
    passwordEnv: optional(option("--password-env", string({ metavar: "VAR" }), {
      description: message`Read the password from environment variable VAR.`,
    })),
    uid: textArg("UID"),
  }),
  {
    description:
      message`Create a new user. Without a password option, the password is asked for without echo when stdin is a terminal.`,
    footer: examples(
      'dcos-security org users create alice -d "Alice" --password-file alice.pw',
      `printf '%s' "$PW" | dcos-security org users create alice -p -`,
    ),
  },
);

const del = command(
  "delete",
  object({ cmd: constant("org.users.delete"), uid: idArg("UID", "user") }),
  {
    description: message`Delete user identified by UID.`,
    footer: examples("dcos-security org users delete alice"),
  },
);

const show = command(
  "show",
  object({
    cmd: constant("org.users.show"),
    json: jsonFlag(),
    uids: multiple(idArg("UIDS", "user")),
  }),
  {
    description: message`Print information about a user or users.`,
    footer: examples("dcos-security org users show", "dcos-security org users show alice --json"),
  },
);

const grant = command(
  "grant",
  object({
    cmd: constant("org.users.grant"),
    description: aclDescription(),
    uid: idArg("UID", "user"),
    rid: textArg("RID"),
    action: actionArg(),
  }),
  {
    description:
      message`Grant the user with the given UID permission to enact a given ACTION on the resource with the given RID.`,
    footer: examples("dcos-security org users grant alice dcos:adminrouter:service:marathon full"),
  },
);

const revoke = command(
  "revoke",
  object({
    cmd: constant("org.users.revoke"),
    uid: idArg("UID", "user"),
    rid: textArg("RID"),
    action: actionArg(),
  }),
  {
    description:
      message`Revoke permission for the user with the given UID to enact a given ACTION on the resource with the given RID.`,
    footer: examples("dcos-security org users revoke alice dcos:adminrouter:service:marathon full"),
  },
);

/** The `users` command group. */
export const usersCommand = command("users", or(create, del, show, grant, revoke), {
  description: message`Users manipulation.`,
  footer: examples("dcos-security org users show --json"),
});

/** Parsed options of any `org users` command. */
export type UsersOptions = InferValue<typeof usersCommand>;

/** The fields shown for a user: the IAM object without `uid` and `url`. */
export function userView(u: IamUser): Record<string, unknown> {
  return omit(u, ["uid", "url"]);
}

/** Shows users: all as a map keyed by uid, one as the object itself, several keyed by uid. */
export async function showUsers(
  deps: Deps,
  ids: readonly string[],
  options: { json: boolean; service: boolean },
): Promise<void> {
  const iam = new IamClient((await deps.session()).http);
  const what = (id: string) => `show ${options.service ? "service account" : "user"} ${id}`;
  if (ids.length === 1) {
    await emit(deps.io, userView(await iam.getUser(ids[0], what(ids[0]))), options);
    return;
  }
  const users = ids.length
    ? await Promise.all(ids.map((id) => iam.getUser(id, what(id))))
    : await iam.listUsers(options);
  await emit(deps.io, keyedBy(users, "uid", { drop: ["url"] }), options);
}

/** Grants an action to a user or group, creating the ACL when missing. */
export async function grantPermission(
  deps: Deps,
  target: { kind: "users" | "groups"; id: string },
  perm: { rid: string; action: string; description?: string },
): Promise<void> {
  const iam = new IamClient((await deps.session()).http);
  await iam.ensureAcl(perm.rid, perm.description ?? DEFAULT_ACL_DESCRIPTION);
  if (!(await iam.grant(target.kind, target.id, perm.rid, perm.action))) {
    const who = target.kind === "users" ? "user" : "group";
    deps.io.err(`${who} ${target.id} already has ${perm.action} on ${perm.rid}; nothing to do`);
  }
}

/** Runs an `org users` command. */
export async function run(opts: UsersOptions, deps: Deps): Promise<void> {
  switch (opts.cmd) {
    case "org.users.create": {
      const password = await readSecret(deps.io, {
        value: opts.password === "-" ? undefined : opts.password,
        file: opts.password === "-" ? "-" : opts.passwordFile,
        env: opts.passwordEnv,
      }, {
        what: "password",
        hint: "-p/--password, --password-file or --password-env",
        confirm: true,
      });
      const iam = new IamClient((await deps.session()).http);
      await iam.createUser(opts.uid, { description: opts.description ?? "", password });
      return;
    }
    case "org.users.delete": {
      const iam = new IamClient((await deps.session()).http);
      await iam.deleteUser(opts.uid);
      return;
    }
    case "org.users.show":
      return await showUsers(deps, opts.uids, { json: opts.json, service: false });
    case "org.users.grant":
      return await grantPermission(deps, { kind: "users", id: opts.uid }, opts);
    case "org.users.revoke": {
      const iam = new IamClient((await deps.session()).http);
      await iam.revoke("users", opts.uid, opts.rid, opts.action);
      return;
    }
  }
}
