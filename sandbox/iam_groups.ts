/**
 * Sandbox IAM: groups, memberships, ACLs and permissions (`/acs/api/v1/groups`, `/acls`).
 * @module
 */
import { empty, HttpError, json, readJsonBody, stringObject } from "./http_util.ts";
import {
  aclJson,
  actionsJson,
  byAction,
  checkAction,
  checkGid,
  checkRid,
  groupActions,
  groupJson,
  IAM,
  mustAcl,
  mustGroup,
  mustUser,
  ridPath,
  userJson,
} from "./iam_model.ts";
import type { Router } from "./router.ts";
import type { AclRow, GroupRow, State, UserRow } from "./state.ts";

const GROUP_CREATE = stringObject(["description", "provider_type"], ["description"]);
const DESCRIPTION_ONLY = stringObject(["description"], ["description"]);

/** Registers the group, ACL and permission routes. */
export function addGroupRoutes(router: Router, state: State): void {
  router.add(
    "GET",
    `${IAM}/groups`,
    () =>
      json(200, { array: state.all<GroupRow>("SELECT * FROM groups ORDER BY gid").map(groupJson) }),
  );

  router.add(
    "GET",
    `${IAM}/groups/:gid`,
    ({ params }) => json(200, groupJson(mustGroup(state, params.gid))),
  );

  router.add("PUT", `${IAM}/groups/:gid`, async ({ req, params }) => {
    const body = await readJsonBody<{ description: string; provider_type?: string }>(
      req,
      GROUP_CREATE,
    );
    checkGid(params.gid);
    const provider = body.provider_type ?? "internal";
    if (!["internal", "ldap"].includes(provider)) {
      throw new HttpError(400, `Invalid provider_type: ${provider}`, { code: "ERR_INVALID_DATA" });
    }
    try {
      state.run(
        "INSERT INTO groups (gid, description, provider_type) VALUES (?, ?, ?)",
        params.gid,
        body.description,
        provider,
      );
    } catch {
      throw new HttpError(409, `Group with id \`${params.gid}\` already exists.`, {
        code: "ERR_GROUP_EXISTS",
      });
    }
    return empty(201);
  });

  router.add("PATCH", `${IAM}/groups/:gid`, async ({ req, params }) => {
    const body = await readJsonBody<{ description: string }>(req, DESCRIPTION_ONLY);
    mustGroup(state, params.gid);
    state.run("UPDATE groups SET description = ? WHERE gid = ?", body.description, params.gid);
    return empty(204);
  });

  router.add("DELETE", `${IAM}/groups/:gid`, ({ params }) => {
    mustGroup(state, params.gid);
    if (params.gid === "superusers") {
      throw new HttpError(400, "The `superusers` group cannot be deleted", {
        code: "ERR_NO_MORE_SUPERUSERS",
      });
    }
    state.run("DELETE FROM groups WHERE gid = ?", params.gid);
    return empty(204);
  });

  router.add("GET", `${IAM}/groups/:gid/users`, ({ params, url }) => {
    const g = mustGroup(state, params.gid);
    const service = url.searchParams.get("type") === "service" ? 1 : 0;
    const rows = state.all<UserRow>(
      "SELECT u.* FROM users u JOIN memberships m ON m.uid = u.uid WHERE m.gid = ? AND u.is_service = ? ORDER BY u.uid",
      g.gid,
      service,
    );
    return json(200, {
      array: rows.map((u) => ({
        membershipurl: `${IAM}/groups/${g.gid}/users/${u.uid}`,
        user: userJson(u),
      })),
    });
  });

  router.add("PUT", `${IAM}/groups/:gid/users/:uid`, ({ params }) => {
    const g = mustGroup(state, params.gid);
    const u = mustUser(state, params.uid);
    if (
      state.run("INSERT OR IGNORE INTO memberships (gid, uid) VALUES (?, ?)", g.gid, u.uid) === 0
    ) {
      throw new HttpError(409, `User \`${u.uid}\` is already member of group \`${g.gid}\`.`, {
        code: "ERR_USER_ALREADY_IN_GROUP",
      });
    }
    return empty(204);
  });

  router.add("DELETE", `${IAM}/groups/:gid/users/:uid`, ({ params }) => {
    const g = mustGroup(state, params.gid);
    const u = mustUser(state, params.uid);
    state.tx(() => {
      if (!state.one("SELECT 1 FROM memberships WHERE gid = ? AND uid = ?", g.gid, u.uid)) {
        throw new HttpError(400, `User \`${u.uid}\` is not member of group \`${g.gid}\`.`, {
          code: "ERR_USER_NOT_IN_GROUP",
        });
      }
      if (
        g.gid === "superusers" &&
        state.all("SELECT uid FROM memberships WHERE gid = 'superusers'").length === 1
      ) {
        throw new HttpError(400, "Last member from `superusers` group cannot be removed", {
          code: "ERR_NO_MORE_SUPERUSERS",
        });
      }
      state.run("DELETE FROM memberships WHERE gid = ? AND uid = ?", g.gid, u.uid);
    });
    return empty(204);
  });

  router.add("GET", `${IAM}/groups/:gid/permissions`, ({ params }) => {
    const g = mustGroup(state, params.gid);
    const rows = state.all<{ rid: string; description: string; action: string }>(
      "SELECT p.rid, a.description, p.action FROM group_perms p JOIN acls a ON a.rid = p.rid WHERE p.gid = ? ORDER BY p.rid",
      g.gid,
    );
    const descr = new Map(rows.map((r) => [r.rid, r.description]));
    return json(200, {
      array: [...groupActions(rows, () => g.gid)].map(([rid, byId]) => ({
        rid,
        description: descr.get(rid)!,
        aclurl: `${IAM}/acls/${ridPath(rid)}`,
        actions: actionsJson(rid, "groups", g.gid, byId.get(g.gid)!.sort(byAction)),
      })),
    });
  });

  router.add(
    "GET",
    `${IAM}/acls`,
    () => json(200, { array: state.all<AclRow>("SELECT * FROM acls ORDER BY rid").map(aclJson) }),
  );

  router.add(
    "GET",
    `${IAM}/acls/:rid`,
    ({ params }) => json(200, aclJson(mustAcl(state, params.rid))),
  );

  router.add("PUT", `${IAM}/acls/:rid`, async ({ req, params }) => {
    const body = await readJsonBody<{ description: string }>(req, DESCRIPTION_ONLY);
    checkRid(params.rid);
    try {
      state.run("INSERT INTO acls (rid, description) VALUES (?, ?)", params.rid, body.description);
    } catch {
      throw new HttpError(409, `ACL for resource \`${params.rid}\` already exists.`, {
        code: "ERR_ACL_EXISTS",
      });
    }
    return empty(201);
  });

  router.add("PATCH", `${IAM}/acls/:rid`, async ({ req, params }) => {
    const body = await readJsonBody<{ description: string }>(req, DESCRIPTION_ONLY);
    mustAcl(state, params.rid);
    state.run("UPDATE acls SET description = ? WHERE rid = ?", body.description, params.rid);
    return empty(204);
  });

  router.add("DELETE", `${IAM}/acls/:rid`, ({ params }) => {
    mustAcl(state, params.rid);
    if (params.rid === "dcos:superuser") {
      throw new HttpError(400, "The `dcos:superuser` ACL cannot be deleted", {
        code: "ERR_IS_SUPERUSER_ACL",
      });
    }
    state.run("DELETE FROM acls WHERE rid = ?", params.rid);
    return empty(204);
  });

  router.add("GET", `${IAM}/acls/:rid/permissions`, ({ params }) => {
    const acl = mustAcl(state, params.rid);
    const users = state.all<{ rid: string; uid: string; action: string }>(
      "SELECT rid, uid, action FROM user_perms WHERE rid = ? ORDER BY uid",
      acl.rid,
    );
    const groups = state.all<{ rid: string; gid: string; action: string }>(
      "SELECT rid, gid, action FROM group_perms WHERE rid = ? ORDER BY gid",
      acl.rid,
    );
    const u = groupActions(users, (r) => r.uid).get(acl.rid) ?? new Map();
    const g = groupActions(groups, (r) => r.gid).get(acl.rid) ?? new Map();
    return json(200, {
      users: [...u].map(([uid, actions]) => ({
        uid,
        userurl: `${IAM}/users/${uid}`,
        actions: actionsJson(acl.rid, "users", uid, actions.sort(byAction)),
      })),
      groups: [...g].map(([gid, actions]) => ({
        gid,
        groupurl: `${IAM}/groups/${gid}`,
        actions: actionsJson(acl.rid, "groups", gid, actions.sort(byAction)),
      })),
    });
  });

  for (const kind of ["users", "groups"] as const) addPrincipalPermRoutes(router, state, kind);
}

function addPrincipalPermRoutes(router: Router, state: State, kind: "users" | "groups"): void {
  const table = kind === "users" ? "user_perms" : "group_perms";
  const col = kind === "users" ? "uid" : "gid";
  const label = kind === "users" ? "User" : "Group";
  const param = kind === "users" ? ":uid" : ":gid";
  const principal = (params: Record<string, string>) =>
    kind === "users" ? mustUser(state, params.uid).uid : mustGroup(state, params.gid).gid;
  const notInAcl = (id: string, rid: string) =>
    new HttpError(400, `${label} \`${id}\` is not part of ACL for resource \`${rid}\``, {
      code: kind === "users" ? "ERR_USER_NOT_IN_ACL" : "ERR_GROUP_NOT_IN_ACL",
    });
  const actionsOf = (rid: string, id: string) =>
    state.all<{ action: string }>(
      `SELECT action FROM ${table} WHERE rid = ? AND ${col} = ?`,
      rid,
      id,
    )
      .map((r) => r.action).sort(byAction);

  router.add("GET", `${IAM}/acls/:rid/${kind}/${param}`, ({ params }) => {
    const acl = mustAcl(state, params.rid);
    const id = principal(params);
    const actions = actionsOf(acl.rid, id);
    if (!actions.length) throw notInAcl(id, acl.rid);
    return json(200, { array: actionsJson(acl.rid, kind, id, actions) });
  });

  router.add("DELETE", `${IAM}/acls/:rid/${kind}/${param}`, ({ params }) => {
    const acl = mustAcl(state, params.rid);
    const id = principal(params);
    if (kind === "groups" && id === "superusers" && acl.rid === "dcos:superuser") {
      throw new HttpError(400, "The `superusers` group must keep `full` on `dcos:superuser`", {
        code: "ERR_IS_SUPERUSER_GROUP",
      });
    }
    if (state.run(`DELETE FROM ${table} WHERE rid = ? AND ${col} = ?`, acl.rid, id) === 0) {
      throw notInAcl(id, acl.rid);
    }
    return empty(204);
  });

  router.add("GET", `${IAM}/acls/:rid/${kind}/${param}/:action`, ({ params }) => {
    checkAction(params.action);
    const acl = mustAcl(state, params.rid);
    const id = principal(params);
    const actions = actionsOf(acl.rid, id);
    return json(200, { allowed: actions.includes(params.action) || actions.includes("full") });
  });

  router.add("PUT", `${IAM}/acls/:rid/${kind}/${param}/:action`, ({ params }) => {
    checkAction(params.action);
    const acl = mustAcl(state, params.rid);
    const id = principal(params);
    if (
      state.run(
        `INSERT OR IGNORE INTO ${table} (rid, ${col}, action) VALUES (?, ?, ?)`,
        acl.rid,
        id,
        params.action,
      ) === 0
    ) {
      throw new HttpError(
        409,
        `Action \`${params.action}\` already granted to ${label.toLowerCase()} \`${id}\` in ACL for resource \`${acl.rid}\``,
        { code: "ERR_PERMISSION_EXISTS" },
      );
    }
    return empty(204);
  });

  router.add("DELETE", `${IAM}/acls/:rid/${kind}/${param}/:action`, ({ params }) => {
    checkAction(params.action);
    const acl = mustAcl(state, params.rid);
    const id = principal(params);
    if (kind === "groups" && id === "superusers" && acl.rid === "dcos:superuser") {
      throw new HttpError(400, "The `superusers` group must keep `full` on `dcos:superuser`", {
        code: "ERR_IS_SUPERUSER_GROUP",
      });
    }
    if (!actionsOf(acl.rid, id).length) throw notInAcl(id, acl.rid);
    if (
      state.run(
        `DELETE FROM ${table} WHERE rid = ? AND ${col} = ? AND action = ?`,
        acl.rid,
        id,
        params.action,
      ) === 0
    ) {
      throw new HttpError(
        400,
        `Action \`${params.action}\` unknown for ${label.toLowerCase()} \`${id}\` in ACL for resource \`${acl.rid}\``,
        { code: "ERR_ACTION_NOT_YET_STORED" },
      );
    }
    return empty(204);
  });
}
