/**
 * Client for the IAM (`/acs/api/v1`): users, service accounts, groups, ACLs and permissions.
 * @module
 */
import { ApiError } from "./errors.ts";
import { bodyJson, type HttpClient } from "./http.ts";

/** A user or service account as the IAM returns it. */
export interface IamUser {
  uid: string;
  url: string;
  description: string;
  is_remote: boolean;
  is_service?: boolean;
  public_key?: string;
  provider_type: string;
  provider_id: string;
}

/** A group as the IAM returns it. */
export interface IamGroup {
  gid: string;
  url: string;
  description: string;
  provider_type: string;
}

/** Body of a user/service-account creation. */
export interface UserCreate {
  description?: string;
  password?: string;
  public_key?: string;
}

const BASE = "/acs/api/v1";

/** Encodes a RID for a URL path: `/` becomes `%252F`, as the IAM expects. */
export function encodeRid(rid: string): string {
  return encodeURIComponent(rid).replaceAll("%3A", ":").replaceAll("%2F", "%252F");
}

/** Encodes a uid/gid path segment. */
function seg(id: string): string {
  return encodeURIComponent(id);
}

/** Typed calls to the IAM. */
export class IamClient {
  #http: HttpClient;

  /** Wraps an HTTP client bound to a cluster. */
  constructor(http: HttpClient) {
    this.#http = http;
  }

  /** Lists regular users (`service: false`) or service accounts (`service: true`). */
  async listUsers(options: { service?: boolean } = {}): Promise<IamUser[]> {
    const res = await this.#http.request("GET", `${BASE}/users`, {
      query: options.service ? { type: "service" } : undefined,
      what: options.service ? "list service accounts" : "list users",
    });
    return bodyJson<{ array: IamUser[] }>(res).array;
  }

  /** Gets one user or service account. */
  async getUser(uid: string, what = `show user ${uid}`): Promise<IamUser> {
    return bodyJson<IamUser>(
      await this.#http.request("GET", `${BASE}/users/${seg(uid)}`, { what }),
    );
  }

  /** Creates a user (password) or service account (public key). */
  async createUser(uid: string, body: UserCreate, what = `create user ${uid}`): Promise<void> {
    await this.#http.request("PUT", `${BASE}/users/${seg(uid)}`, { json: body, what });
  }

  /** Deletes a user or service account. */
  async deleteUser(uid: string, what = `delete user ${uid}`): Promise<void> {
    await this.#http.request("DELETE", `${BASE}/users/${seg(uid)}`, { what });
  }

  /** Lists groups. */
  async listGroups(): Promise<IamGroup[]> {
    const res = await this.#http.request("GET", `${BASE}/groups`, { what: "list groups" });
    return bodyJson<{ array: IamGroup[] }>(res).array;
  }

  /** Gets one group. */
  async getGroup(gid: string): Promise<IamGroup> {
    return bodyJson<IamGroup>(
      await this.#http.request("GET", `${BASE}/groups/${seg(gid)}`, { what: `show group ${gid}` }),
    );
  }

  /** Creates a group. */
  async createGroup(gid: string, description: string): Promise<void> {
    await this.#http.request("PUT", `${BASE}/groups/${seg(gid)}`, {
      json: { description },
      what: `create group ${gid}`,
    });
  }

  /** Deletes a group. */
  async deleteGroup(gid: string): Promise<void> {
    await this.#http.request("DELETE", `${BASE}/groups/${seg(gid)}`, {
      what: `delete group ${gid}`,
    });
  }

  /** Lists a group's members (users, or service accounts with `service: true`). */
  async groupMembers(gid: string, options: { service?: boolean } = {}): Promise<IamUser[]> {
    const res = await this.#http.request("GET", `${BASE}/groups/${seg(gid)}/users`, {
      query: options.service ? { type: "service" } : undefined,
      what: `list members of group ${gid}`,
    });
    return bodyJson<{ array: { user: IamUser }[] }>(res).array.map((m) => m.user);
  }

  /** Adds a user to a group. */
  async addMember(gid: string, uid: string): Promise<void> {
    await this.#http.request("PUT", `${BASE}/groups/${seg(gid)}/users/${seg(uid)}`, {
      what: `add user ${uid} to group ${gid}`,
    });
  }

  /** Removes a user from a group. */
  async removeMember(gid: string, uid: string): Promise<void> {
    await this.#http.request("DELETE", `${BASE}/groups/${seg(gid)}/users/${seg(uid)}`, {
      what: `remove user ${uid} from group ${gid}`,
    });
  }

  /** Creates an ACL; returns false when it already existed (its description is kept). */
  async ensureAcl(rid: string, description: string): Promise<boolean> {
    try {
      await this.#http.request("PUT", `${BASE}/acls/${encodeRid(rid)}`, {
        json: { description },
        what: `create ACL ${rid}`,
      });
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) return false;
      throw e;
    }
  }

  /** Grants `action` on `rid` to a user or group; returns false when it was already granted. */
  async grant(kind: "users" | "groups", id: string, rid: string, action: string): Promise<boolean> {
    try {
      await this.#http.request(
        "PUT",
        `${BASE}/acls/${encodeRid(rid)}/${kind}/${seg(id)}/${seg(action)}`,
        {
          what: `grant ${action} on ${rid} to ${kind === "users" ? "user" : "group"} ${id}`,
        },
      );
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) return false;
      throw e;
    }
  }

  /** Revokes `action` on `rid` from a user or group. */
  async revoke(kind: "users" | "groups", id: string, rid: string, action: string): Promise<void> {
    await this.#http.request(
      "DELETE",
      `${BASE}/acls/${encodeRid(rid)}/${kind}/${seg(id)}/${seg(action)}`,
      {
        what: `revoke ${action} on ${rid} from ${kind === "users" ? "user" : "group"} ${id}`,
      },
    );
  }

  /** Logs in with a password or a service login token; returns the auth token. */
  async login(body: { uid: string; password?: string; token?: string }): Promise<string> {
    const res = await this.#http.request("POST", `${BASE}/auth/login`, {
      json: body,
      anonymous: true,
      what: `log in as ${body.uid}`,
    });
    return bodyJson<{ token: string }>(res, "login").token;
  }
}
