/**
 * IAM object shapes, URL builders and validation rules shared by the sandbox's IAM handlers.
 * @module
 */
import { HttpError } from "./http_util.ts";
import type { AclRow, GroupRow, State, UserRow } from "./state.ts";

/** IAM path prefix. */
export const IAM = "/acs/api/v1";

/** Valid actions. */
export const ACTIONS = ["create", "read", "update", "delete", "full"] as const;

/** Orders actions as the IAM lists them: create, read, update, delete, full. */
export const byAction = (a: string, b: string): number =>
  ACTIONS.indexOf(a as never) - ACTIONS.indexOf(b as never);

/** Encodes a RID for use in IAM URLs (`/` as `%252F`). */
export function ridPath(rid: string): string {
  return rid.replaceAll("/", "%252F");
}

/** The User object of the API. */
export function userJson(u: UserRow): Record<string, unknown> {
  const out: Record<string, unknown> = {
    uid: u.uid,
    url: `${IAM}/users/${u.uid}`,
    description: u.description,
    is_remote: u.provider_type !== "internal",
    is_service: u.is_service === 1,
    provider_type: u.provider_type,
    provider_id: u.provider_id,
  };
  if (u.is_service === 1 && u.public_key) out.public_key = u.public_key;
  return out;
}

/** The Group object of the API. */
export function groupJson(g: GroupRow): Record<string, unknown> {
  return {
    gid: g.gid,
    url: `${IAM}/groups/${g.gid}`,
    description: g.description,
    provider_type: g.provider_type,
  };
}

/** The ACL object of the API. */
export function aclJson(a: AclRow): Record<string, unknown> {
  return { rid: a.rid, url: `${IAM}/acls/${ridPath(a.rid)}`, description: a.description };
}

/** Action objects for a principal's actions on a RID. */
export function actionsJson(rid: string, kind: "users" | "groups", id: string, actions: string[]) {
  return actions.map((name) => ({
    name,
    url: `${IAM}/acls/${ridPath(rid)}/${kind}/${id}/${name}`,
  }));
}

/** Validates a uid: `^[a-zA-Z0-9_@.-]+$`, at most 96 characters, not `anonymous`. */
export function checkUid(uid: string): void {
  if (!/^[a-zA-Z0-9_@.-]+$/.test(uid) || uid.length > 96 || uid === "anonymous") {
    throw new HttpError(400, `Invalid user ID: ${uid}`, { code: "ERR_INVALID_USER_ID" });
  }
}

/** Validates a gid: 1 to 64 of `a-z A-Z 0-9 _ @ . -`. */
export function checkGid(gid: string): void {
  if (!/^[a-zA-Z0-9_@.-]{1,64}$/.test(gid)) {
    throw new HttpError(400, `Invalid group ID: ${gid}`, { code: "ERR_INVALID_GROUP_ID" });
  }
}

/** Validates a RID: printable ASCII without spaces, at most 1024 characters. */
export function checkRid(rid: string): void {
  if (!/^[\x21-\x7e]{1,1024}$/.test(rid)) {
    throw new HttpError(400, `Invalid resource ID: ${rid}`, { code: "ERR_INVALID_RESOURCE_ID" });
  }
}

/** Validates an action name. */
export function checkAction(action: string): void {
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new HttpError(
      400,
      `Invalid action \`${action}\`: expected one of ${ACTIONS.join(", ")}`,
      {
        code: "ERR_INVALID_ACTION",
      },
    );
  }
}

/** The user, or a 400 `ERR_UNKNOWN_USER_ID`. */
export function mustUser(state: State, uid: string): UserRow {
  const u = state.user(uid);
  if (!u) {
    throw new HttpError(400, `User with uid \`${uid}\` not known.`, {
      code: "ERR_UNKNOWN_USER_ID",
    });
  }
  return u;
}

/** The group, or a 400 `ERR_UNKNOWN_GROUP_ID`. */
export function mustGroup(state: State, gid: string): GroupRow {
  const g = state.group(gid);
  if (!g) {
    throw new HttpError(400, `Group with gid \`${gid}\` not known.`, {
      code: "ERR_UNKNOWN_GROUP_ID",
    });
  }
  return g;
}

/** The ACL, or a 400 `ERR_UNKNOWN_RESOURCE_ID`. */
export function mustAcl(state: State, rid: string): AclRow {
  const a = state.acl(rid);
  if (!a) {
    throw new HttpError(400, `Protected resource with rid \`${rid}\` not known.`, {
      code: "ERR_UNKNOWN_RESOURCE_ID",
    });
  }
  return a;
}

/** Groups rows of `(rid, id, action)` into `rid → id → actions`. */
export function groupActions<T extends { rid: string; action: string }>(
  rows: T[],
  idOf: (r: T) => string,
): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const r of rows) {
    const byId = out.get(r.rid) ?? new Map<string, string[]>();
    const list = byId.get(idOf(r)) ?? [];
    list.push(r.action);
    byId.set(idOf(r), list);
    out.set(r.rid, byId);
  }
  return out;
}
