/**
 * `org groups`: groups, membership and group permissions.
 * @module
 */
import { object, or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional } from "@optique/core/modifiers";
import type { InferValue } from "@optique/core/parser";
import { command, constant, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import { IamClient } from "../../lib/iam.ts";
import { emit, keyedBy, omit } from "../../lib/output.ts";
import {
  aclDescription,
  actionArg,
  type Deps,
  examples,
  idArg,
  jsonFlag,
  textArg,
} from "../common.ts";
import { grantPermission } from "./users.ts";

const addUser = command(
  "add_user",
  object({
    cmd: constant("org.groups.add_user"),
    gid: idArg("GID", "group"),
    uid: idArg("UID", "principal"),
  }),
  {
    description: message`Add user identified by UID to group GID.`,
    footer: examples("dcos-security org groups add_user ops alice"),
  },
);

const create = command(
  "create",
  object({
    cmd: constant("org.groups.create"),
    description: optional(option("-d", "--description", string({ metavar: "TEXT" }), {
      description: message`Description of the group.`,
    })),
    gid: textArg("GID"),
  }),
  {
    description: message`Create a group.`,
    footer: examples('dcos-security org groups create ops -d "Operations team"'),
  },
);

const delUser = command(
  "del_user",
  object({
    cmd: constant("org.groups.del_user"),
    gid: idArg("GID", "group"),
    uid: idArg("UID", "principal"),
  }),
  {
    description: message`Remove user identified by UID from group GID.`,
    footer: examples("dcos-security org groups del_user ops alice"),
  },
);

const del = command(
  "delete",
  object({ cmd: constant("org.groups.delete"), gid: idArg("GID", "group") }),
  {
    description: message`Remove a group.`,
    footer: examples("dcos-security org groups delete ops"),
  },
);

const grant = command(
  "grant",
  object({
    cmd: constant("org.groups.grant"),
    description: aclDescription(),
    gid: idArg("GID", "group"),
    rid: textArg("RID"),
    action: actionArg(),
  }),
  {
    description:
      message`Grant the group with the given GID permission to enact a given ACTION on the resource with the given RID.`,
    footer: examples("dcos-security org groups grant ops dcos:adminrouter:service:marathon full"),
  },
);

const members = command(
  "members",
  object({ cmd: constant("org.groups.members"), json: jsonFlag(), gid: idArg("GID", "group") }),
  {
    description: message`List members of a group (users and service accounts), keyed by uid.`,
    footer: examples("dcos-security org groups members ops --json"),
  },
);

const revoke = command(
  "revoke",
  object({
    cmd: constant("org.groups.revoke"),
    gid: idArg("GID", "group"),
    rid: textArg("RID"),
    action: actionArg(),
  }),
  {
    description:
      message`Revoke permission for the group with the given GID to enact a given ACTION on the resource with the given RID.`,
    footer: examples("dcos-security org groups revoke ops dcos:adminrouter:service:marathon full"),
  },
);

const show = command(
  "show",
  object({
    cmd: constant("org.groups.show"),
    json: jsonFlag(),
    gids: multiple(idArg("GIDS", "group")),
  }),
  {
    description: message`Print basic information about a group or groups.`,
    footer: examples("dcos-security org groups show", "dcos-security org groups show ops"),
  },
);

/** The `groups` command group. */
export const groupsCommand = command(
  "groups",
  or(addUser, create, delUser, del, grant, members, revoke, show),
  {
    description: message`Groups and group membership manipulation.`,
    footer: examples("dcos-security org groups show"),
  },
);

/** Parsed options of any `org groups` command. */
export type GroupsOptions = InferValue<typeof groupsCommand>;

/** Runs an `org groups` command. */
export async function run(opts: GroupsOptions, deps: Deps): Promise<void> {
  if (opts.cmd === "org.groups.grant") {
    return await grantPermission(deps, { kind: "groups", id: opts.gid }, opts);
  }
  const iam = new IamClient((await deps.session()).http);
  switch (opts.cmd) {
    case "org.groups.add_user":
      return await iam.addMember(opts.gid, opts.uid);
    case "org.groups.create":
      return await iam.createGroup(opts.gid, opts.description ?? "");
    case "org.groups.del_user":
      return await iam.removeMember(opts.gid, opts.uid);
    case "org.groups.delete":
      return await iam.deleteGroup(opts.gid);
    case "org.groups.revoke":
      return await iam.revoke("groups", opts.gid, opts.rid, opts.action);
    case "org.groups.members": {
      const [users, services] = await Promise.all([
        iam.groupMembers(opts.gid),
        iam.groupMembers(opts.gid, { service: true }),
      ]);
      return await emit(deps.io, keyedBy([...users, ...services], "uid", { drop: ["url"] }), opts);
    }
    case "org.groups.show": {
      if (opts.gids.length === 1) {
        return await emit(deps.io, omit(await iam.getGroup(opts.gids[0]), ["gid", "url"]), opts);
      }
      const groups = opts.gids.length
        ? await Promise.all(opts.gids.map((g) => iam.getGroup(g)))
        : await iam.listGroups();
      return await emit(deps.io, keyedBy(groups, "gid", { drop: ["url"] }), opts);
    }
  }
}
