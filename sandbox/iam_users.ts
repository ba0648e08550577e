/**
 * Sandbox IAM: login, JWKS, providers, users and service accounts (`/acs/api/v1/auth`, `/users`).
 * @module
 */
import { rsaPublicKeyProblem } from "../lib/keys.ts";
import { empty, HttpError, json, readJsonBody, stringObject } from "./http_util.ts";
import {
  actionsJson,
  byAction,
  checkUid,
  groupActions,
  groupJson,
  IAM,
  mustUser,
  ridPath,
  userJson,
} from "./iam_model.ts";
import type { Router } from "./router.ts";
import type { State, UserRow } from "./state.ts";
import { hashPassword, type Tokens, verifyPassword, verifyServiceLoginToken } from "./tokens.ts";

const LOGIN = {
  type: "object" as const,
  properties: {
    uid: { type: "string" as const },
    password: { type: "string" as const },
    token: { type: "string" as const },
  },
};
const USER_CREATE = stringObject([
  "description",
  "password",
  "public_key",
  "provider_type",
  "provider_id",
  "cluster_url",
  "creator_uid",
]);
const USER_UPDATE = stringObject(["description", "password"]);

/** Checks the password of an imported LDAP user against the directory. */
export type ExternalLogin = (uid: string, password: string) => Promise<boolean>;

const invalidCredentials = () =>
  new HttpError(401, "Invalid credentials.", {
    code: "ERR_INVALID_CREDENTIALS",
    headers: { "WWW-Authenticate": "acsjwt" },
  });

/** Registers the login and user routes. */
export function addUserRoutes(
  router: Router,
  state: State,
  tokens: Tokens,
  external?: ExternalLogin,
): void {
  router.add("POST", `${IAM}/auth/login`, async ({ req }) => {
    const body = await readJsonBody<{ uid?: string; password?: string; token?: string }>(
      req,
      LOGIN,
    );
    const hasPw = body.password !== undefined && body.password !== null;
    const hasToken = body.token !== undefined && body.token !== null;
    if (hasPw === hasToken) {
      throw new HttpError(
        400,
        "Exactly one of `token` and `password` must be provided in the request body",
      );
    }
    if (!body.uid) throw new HttpError(400, "`uid` missing in the request body");
    if (hasPw && body.password === "") throw new HttpError(400, "`password` must not be empty");
    const user = state.user(body.uid);
    if (user && hasPw && user.provider_type === "ldap") {
      if (!external || !(await external(user.uid, body.password!))) throw invalidCredentials();
    } else if (user && hasPw) {
      if (
        user.is_service || !user.password_hash ||
        !(await verifyPassword(body.password!, user.password_hash))
      ) {
        throw invalidCredentials();
      }
    } else if (user && hasToken) {
      if (!user.is_service || !user.public_key) throw invalidCredentials();
      if (!(await verifyServiceLoginToken(body.token!, user.uid, user.public_key))) {
        throw invalidCredentials();
      }
    }
    if (!user) throw invalidCredentials();
    const token = await tokens.issue(user.uid);
    const info = btoa(
      JSON.stringify({
        uid: user.uid,
        description: user.description,
        is_remote: user.provider_type !== "internal",
      }),
    );
    const headers = new Headers({ "Content-Type": "application/json; charset=utf-8" });
    headers.append(
      "Set-Cookie",
      `dcos-acs-auth-cookie=${token}; Path=/; HttpOnly; Secure; SameSite=Strict`,
    );
    headers.append("Set-Cookie", `dcos-acs-info-cookie=${info}; Path=/; Secure; SameSite=Strict`);
    return new Response(JSON.stringify({ token }, null, 2) + "\n", { status: 200, headers });
  }, "public");

  router.add("GET", `${IAM}/auth/logout`, () => {
    return new Response(null, {
      status: 200,
      headers: {
        "Set-Cookie": "dcos-acs-auth-cookie=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
      },
    });
  }, "public");

  router.add("GET", `${IAM}/auth/jwks`, () => json(200, tokens.jwks()), "public");

  router.add("GET", `${IAM}/auth/providers`, () =>
    json(200, {
      "dcos-users": {
        "authentication-type": "dcos-uid-password",
        "description": "Default DC/OS login provider",
        "client-method": "dcos-usercredential-post-receive-authtoken",
        "config": { "start_flow_url": `${IAM}/auth/login` },
      },
      "dcos-services": {
        "authentication-type": "dcos-uid-servicekey",
        "description": "Default DC/OS login provider",
        "client-method": "dcos-servicecredential-post-receive-authtoken",
        "config": { "start_flow_url": `${IAM}/auth/login` },
      },
    }), "public");

  router.add("GET", `${IAM}/users`, ({ url }) => {
    const service = url.searchParams.get("type") === "service" ? 1 : 0;
    const rows = state.all<UserRow>(
      "SELECT * FROM users WHERE is_service = ? ORDER BY uid",
      service,
    );
    return json(200, { array: rows.map(userJson) });
  });

  router.add(
    "GET",
    `${IAM}/users/:uid`,
    ({ params }) => json(200, userJson(mustUser(state, params.uid))),
  );

  router.add("PUT", `${IAM}/users/:uid`, async ({ req, params }) => {
    const uid = params.uid;
    const body = await readJsonBody<Record<string, string | undefined>>(req, USER_CREATE);
    checkUid(uid);
    const provider = body.provider_type ?? "internal";
    if (!["internal", "ldap", "oidc", "saml"].includes(provider)) {
      throw new HttpError(400, `Invalid provider_type: ${provider}`, { code: "ERR_INVALID_DATA" });
    }
    let passwordHash: string | null = null;
    let publicKey: string | null = null;
    if (provider === "internal") {
      if (body.password === "") {
        throw new HttpError(400, "`password` must not be empty when provided", {
          code: "ERR_INVALID_DATA",
        });
      }
      if (body.public_key === "") {
        throw new HttpError(400, "`public_key` must not be empty when provided", {
          code: "ERR_INVALID_DATA",
        });
      }
      if ((body.password === undefined) === (body.public_key === undefined)) {
        throw new HttpError(400, "One of `password` or `public_key` must be provided", {
          code: "ERR_INVALID_DATA",
        });
      }
      if (body.password !== undefined && body.password.length < 5) {
        throw new HttpError(
          400,
          "Password does not match rules: Must be at least 5 characters long.",
          { code: "ERR_INVALID_DATA" },
        );
      }
      if (body.public_key !== undefined) {
        const problem = await rsaPublicKeyProblem(body.public_key);
        if (problem) {
          throw new HttpError(400, `Invalid public key: ${problem}`, {
            code: "ERR_INVALID_PUBLIC_KEY",
          });
        }
        publicKey = body.public_key;
      }
    } else {
      for (const f of ["password", "public_key"]) {
        if (body[f] !== undefined) {
          throw new HttpError(400, `external provider: \`${f}\` is unexpected`, {
            code: "ERR_INVALID_DATA",
          });
        }
      }
      const needsId = provider === "saml" || provider === "oidc";
      if (needsId && !body.provider_id) {
        throw new HttpError(
          400,
          "Invalid provider_id: provider_id must be provided if provider_type is saml or oidc",
          { code: "ERR_INVALID_DATA" },
        );
      }
      if (!needsId && body.provider_id) {
        throw new HttpError(
          400,
          "Invalid provider_id: provider_id must not be provided unless provider_type is saml or oidc",
          { code: "ERR_INVALID_DATA" },
        );
      }
    }
    if (state.user(uid)) throw userExists(uid);
    if (body.password !== undefined) passwordHash = await hashPassword(body.password);
    try {
      state.run(
        "INSERT INTO users (uid, description, password_hash, public_key, is_service, provider_type, provider_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        uid,
        body.description ?? "",
        passwordHash,
        publicKey,
        publicKey ? 1 : 0,
        provider,
        body.provider_id ?? "",
      );
    } catch {
      throw userExists(uid);
    }
    return empty(201);
  });

  router.add("PATCH", `${IAM}/users/:uid`, async ({ req, params }) => {
    const body = await readJsonBody<{ description?: string; password?: string }>(req, USER_UPDATE);
    const user = mustUser(state, params.uid);
    if (body.description === undefined && body.password === undefined) {
      throw new HttpError(400, "One of `description` and `password` must be provided.", {
        code: "ERR_INVALID_DATA",
      });
    }
    if (body.password !== undefined) {
      if (user.is_service) {
        throw new HttpError(400, "Password update is not available for service user accounts.", {
          code: "ERR_INVALID_DATA",
        });
      }
      if (body.password.length < 5) {
        throw new HttpError(
          400,
          "Password does not match rules: Must be at least 5 characters long.",
          { code: "ERR_INVALID_DATA" },
        );
      }
      state.run(
        "UPDATE users SET password_hash = ? WHERE uid = ?",
        await hashPassword(body.password),
        user.uid,
      );
    }
    if (body.description !== undefined) {
      state.run("UPDATE users SET description = ? WHERE uid = ?", body.description, user.uid);
    }
    return empty(204);
  });

  router.add("DELETE", `${IAM}/users/:uid`, ({ params }) => {
    const user = mustUser(state, params.uid);
    state.tx(() => {
      const supers = state.all<{ uid: string }>(
        "SELECT uid FROM memberships WHERE gid = 'superusers'",
      );
      if (supers.length === 1 && supers[0].uid === user.uid) {
        throw new HttpError(400, "Last member from `superusers` group cannot be removed", {
          code: "ERR_NO_MORE_SUPERUSERS",
        });
      }
      state.run("DELETE FROM users WHERE uid = ?", user.uid);
    });
    return empty(204);
  });

  router.add("GET", `${IAM}/users/:uid/groups`, ({ params }) => {
    const user = mustUser(state, params.uid);
    const rows = state.all<{ gid: string; description: string; provider_type: string }>(
      "SELECT g.* FROM groups g JOIN memberships m ON m.gid = g.gid WHERE m.uid = ? ORDER BY g.gid",
      user.uid,
    );
    return json(200, {
      array: rows.map((g) => ({
        membershipurl: `${IAM}/groups/${g.gid}/users/${user.uid}`,
        group: groupJson(g),
      })),
    });
  });

  router.add("GET", `${IAM}/users/:uid/permissions`, ({ params, principal }) => {
    if (principal !== params.uid && !state.isSuperuser(principal)) {
      throw new HttpError(403, "Forbidden.");
    }
    const user = mustUser(state, params.uid);
    const direct = state.all<{ rid: string; description: string; action: string }>(
      "SELECT p.rid, a.description, p.action FROM user_perms p JOIN acls a ON a.rid = p.rid WHERE p.uid = ? ORDER BY p.rid",
      user.uid,
    );
    const viaGroups = state.all<{ rid: string; gid: string; description: string; action: string }>(
      `SELECT p.rid, p.gid, a.description, p.action FROM group_perms p JOIN acls a ON a.rid = p.rid
       JOIN memberships m ON m.gid = p.gid WHERE m.uid = ? ORDER BY p.rid, p.gid`,
      user.uid,
    );
    const descr = new Map([...direct, ...viaGroups].map((r) => [r.rid, r.description]));
    const directOut = [...groupActions(direct, () => user.uid)].map(([rid, byId]) => ({
      rid,
      description: descr.get(rid)!,
      aclurl: `${IAM}/acls/${ridPath(rid)}`,
      actions: actionsJson(rid, "users", user.uid, byId.get(user.uid)!.sort(byAction)),
    }));
    const groupsOut = [...groupActions(viaGroups, (r) => r.gid)].flatMap(([rid, byId]) =>
      [...byId].map(([gid, actions]) => ({
        rid,
        gid,
        description: descr.get(rid)!,
        aclurl: `${IAM}/acls/${ridPath(rid)}`,
        membershipurl: `${IAM}/groups/${gid}/users/${user.uid}`,
        actions: actionsJson(rid, "groups", gid, actions.sort(byAction)),
      }))
    );
    return json(200, { direct: directOut, groups: groupsOut });
  }, "user");
}

function userExists(uid: string): HttpError {
  return new HttpError(409, `User with id \`${uid}\` already exists.`, { code: "ERR_USER_EXISTS" });
}
