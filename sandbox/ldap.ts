/**
 * Sandbox IAM directory back end (`/acs/api/v1/ldap`): one LDAP configuration per cluster, the
 * connection test, user and group import, and password login of imported LDAP users — all done
 * against a real LDAP server with `ldapts` (plain, LDAPS, StartTLS with `ca-certs`; `dntemplate`
 * bind or lookup-dn + user-search).
 * @module
 */
import type { Client } from "ldapts";
import { startTlsRelay } from "./starttls.ts";
import {
  empty,
  HttpError,
  json,
  type MiniSchema,
  readJsonBody,
  stringObject,
} from "./http_util.ts";
import { IAM } from "./iam_model.ts";
import type { Router } from "./router.ts";
import type { State } from "./state.ts";

/** The LDAPConfiguration object. */
export interface LdapConfig {
  host: string;
  port: number;
  "enforce-starttls": boolean;
  "use-ldaps": boolean;
  dntemplate?: string;
  "lookup-dn"?: string;
  "lookup-password"?: string;
  "user-search"?: { "search-base": string; "search-filter-template": string };
  "group-search"?: {
    "search-base": string;
    "search-filter-template": string;
    "member-attributes"?: string[];
  };
  "ca-certs"?: string;
  "client-cert"?: string;
}

const SEARCH: MiniSchema = stringObject(["search-base", "search-filter-template"], [
  "search-base",
  "search-filter-template",
]);
/** JSON schema of LDAPConfiguration (the spec's). */
export const LDAP_CONFIG_SCHEMA: MiniSchema = {
  type: "object",
  required: ["host", "port", "enforce-starttls", "use-ldaps"],
  additionalProperties: false,
  properties: {
    host: { type: "string" },
    port: { type: "integer" },
    "enforce-starttls": { type: "boolean" },
    "use-ldaps": { type: "boolean" },
    dntemplate: { type: "string" },
    "lookup-dn": { type: "string" },
    "lookup-password": { type: "string" },
    "user-search": SEARCH,
    "group-search": {
      ...SEARCH,
      properties: {
        ...SEARCH.properties,
        "member-attributes": { type: "array", items: { type: "string" } },
      },
    },
    "ca-certs": { type: "string" },
    "client-cert": { type: "string" },
  },
};

/** Most users one group import brings in (the rest needs another import). */
export const GROUP_IMPORT_LIMIT = 100;

const notConfigured = () =>
  new HttpError(400, "No LDAP configuration stored yet", { code: "ERR_LDAP_CONFIG_NOT_AVAILABLE" });

/** Escapes a value for an LDAP filter (RFC 4515). */
export function escapeFilter(v: string): string {
  return v.replace(/[\\*()\0]/g, (c) => "\\" + c.charCodeAt(0).toString(16).padStart(2, "0"));
}

/** Escapes a value for a DN attribute value (RFC 4514). */
export function escapeDn(v: string): string {
  return v.replace(/[,+"\\<>;=]/g, (c) => "\\" + c).replace(/^[ #]/, (c) => "\\" + c).replace(
    / $/,
    "\\ ",
  );
}

/** Why a directory operation failed: a test result code and a description. */
class DirectoryError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const LDAP_RESULTS: Record<number, string> = {
  32: "no such object",
  48: "inappropriate authentication",
  49: "invalid credentials",
  50: "insufficient access rights",
  51: "server busy",
  52: "server unavailable",
  53: "unwilling to perform",
};

function reason(e: unknown): string {
  const err = e as { message?: string; code?: string | number };
  const msg = (err.message ?? String(e)).replace(/\s+/g, " ").trim();
  if (typeof err.code === "number" && /^Code: 0x/.test(msg)) {
    return `${LDAP_RESULTS[err.code] ?? "LDAP error"} (LDAP result ${err.code})`;
  }
  return msg;
}

/** TLS_FAILED or CONNECTION_FAILED when a message describes a transport failure. */
function transportFailure(msg: string): string | undefined {
  if (/certificate|self.signed|TLS|SSL|handshake|unable to verify/i.test(msg)) return "TLS_FAILED";
  if (
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|Connection refused|connect/i.test(msg)
  ) return "CONNECTION_FAILED";
  return undefined;
}

/** Talks to the configured directory. */
export class Directory {
  constructor(private readonly cfg: LdapConfig) {}

  /** Human description of where we connect. */
  get target(): string {
    const c = this.cfg;
    return `${c["use-ldaps"] ? "ldaps" : "ldap"}://${c.host}:${c.port}${
      c["enforce-starttls"] ? " with StartTLS" : ""
    }`;
  }

  async #connect(): Promise<{ client: Client; release: () => void }> {
    const { Client } = await import("ldapts");
    const c = this.cfg;
    const ca = c["ca-certs"];
    if (c["enforce-starttls"]) {
      let relay;
      try {
        relay = await startTlsRelay(c.host, c.port, ca);
      } catch (e) {
        const msg = reason(e);
        const code =
          /refused|ECONNREFUSED|timed out|unreachable/i.test(msg) && !/StartTLS/.test(msg)
            ? "CONNECTION_FAILED"
            : "STARTTLS_FAILED";
        throw new DirectoryError(code, `StartTLS with ${this.target} failed: ${msg}`);
      }
      return {
        client: new Client({ url: relay.url, timeout: 5000, connectTimeout: 5000 }),
        release: relay.close,
      };
    }
    const tlsOptions = {
      ca: ca ? [ca] : undefined,
      servername: /^[\d.]+$/.test(c.host) ? undefined : c.host,
    };
    const client = new Client({
      url: `${c["use-ldaps"] ? "ldaps" : "ldap"}://${c.host}:${c.port}`,
      timeout: 5000,
      connectTimeout: 5000,
      tlsOptions,
    });
    return { client, release: () => {} };
  }

  async #withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    let conn: { client: Client; release: () => void };
    try {
      conn = await this.#connect();
    } catch (e) {
      if (e instanceof DirectoryError) throw e;
      throw new DirectoryError(
        "CONNECTION_FAILED",
        `cannot connect to ${this.target}: ${reason(e)}`,
      );
    }
    try {
      return await fn(conn.client);
    } catch (e) {
      if (e instanceof DirectoryError) {
        // ldapts connects lazily: transport failures surface in the first operation
        const transport = transportFailure(e.message);
        if (transport) throw new DirectoryError(transport, e.message);
        throw e;
      }
      const msg = reason(e);
      throw new DirectoryError(transportFailure(msg) ?? "LDAP_ERROR", `${this.target}: ${msg}`);
    } finally {
      await conn.client.unbind().catch(() => {});
      conn.release();
    }
  }

  async #lookupBind(client: Client): Promise<void> {
    const dn = this.cfg["lookup-dn"];
    if (!dn) return;
    try {
      await client.bind(dn, this.cfg["lookup-password"] ?? "");
    } catch (e) {
      throw new DirectoryError(
        "LOOKUP_BIND_FAILED",
        `bind as lookup-dn ${dn} failed: ${reason(e)}`,
      );
    }
  }

  /** Finds a user's entry (DN and attributes); undefined when absent. */
  async #findUser(
    client: Client,
    uid: string,
  ): Promise<{ dn: string; entry: Record<string, unknown> } | undefined> {
    const us = this.cfg["user-search"];
    await this.#lookupBind(client);
    if (us) {
      const filter = us["search-filter-template"].replaceAll("%(username)s", escapeFilter(uid));
      let entries;
      try {
        ({ searchEntries: entries } = await client.search(us["search-base"], {
          scope: "sub",
          filter,
          sizeLimit: 2,
        }));
      } catch (e) {
        if ((e as { code?: number }).code === 32) return undefined;
        throw new DirectoryError(
          "USER_SEARCH_FAILED",
          `search ${filter} under ${us["search-base"]} failed: ${reason(e)}`,
        );
      }
      if (entries.length > 1) {
        throw new DirectoryError("USER_SEARCH_AMBIGUOUS", `${filter} matches more than one entry`);
      }
      return entries[0] ? { dn: entries[0].dn, entry: entries[0] } : undefined;
    }
    const dn = this.cfg.dntemplate!.replaceAll("%(username)s", escapeDn(uid));
    try {
      const { searchEntries } = await client.search(dn, { scope: "base" });
      return searchEntries[0] ? { dn, entry: searchEntries[0] } : undefined;
    } catch (e) {
      if ((e as { code?: number }).code === 32) return undefined;
      // the directory may not allow reading the entry without a bind: assume the DN
      return { dn, entry: {} };
    }
  }

  /** Authenticates a user by binding as them; returns what was done, or throws DirectoryError. */
  async authenticate(uid: string, password: string): Promise<string> {
    if (!password) {
      throw new DirectoryError(
        "EMPTY_PASSWORD",
        "an empty password is never accepted (it would be an anonymous bind)",
      );
    }
    return await this.#withClient(async (client) => {
      let dn: string;
      if (this.cfg.dntemplate && !this.cfg["user-search"]) {
        dn = this.cfg.dntemplate.replaceAll("%(username)s", escapeDn(uid));
      } else {
        const found = await this.#findUser(client, uid);
        if (!found) {
          throw new DirectoryError(
            "USER_NOT_FOUND",
            `user ${uid} not found with ${this.#searchText()}`,
          );
        }
        dn = found.dn;
      }
      try {
        await client.bind(dn, password);
      } catch (e) {
        throw new DirectoryError("AUTHENTICATION_FAILED", `bind as ${dn} failed: ${reason(e)}`);
      }
      return `connected to ${this.target} and bound as ${dn}`;
    });
  }

  #searchText(): string {
    const us = this.cfg["user-search"];
    return us
      ? `${us["search-filter-template"]} under ${us["search-base"]}`
      : `dntemplate ${this.cfg.dntemplate}`;
  }

  /** Looks a user up (for import). */
  findUser(uid: string): Promise<{ dn: string; entry: Record<string, unknown> } | undefined> {
    return this.#withClient((client) => this.#findUser(client, uid));
  }

  /** Finds a group and the uids of its members. */
  async findGroup(
    name: string,
  ): Promise<{ dn: string; description: string; uids: string[] } | undefined> {
    const gs = this.cfg["group-search"];
    if (!gs) {
      throw new HttpError(400, "group-search is not configured", {
        code: "ERR_LDAP_CONFIG_INVALID",
      });
    }
    return await this.#withClient(async (client) => {
      await this.#lookupBind(client);
      const filter = gs["search-filter-template"].replaceAll("%(groupname)s", escapeFilter(name));
      const attrs = gs["member-attributes"]?.length
        ? gs["member-attributes"]
        : ["member", "uniquemember", "memberuid"];
      const { searchEntries } = await client.search(gs["search-base"], {
        scope: "sub",
        filter,
        sizeLimit: 2,
      });
      if (!searchEntries.length) return undefined;
      const entry = searchEntries[0];
      const uids: string[] = [];
      for (const [k, v] of Object.entries(entry)) {
        const attr = attrs.find((a) => a.toLowerCase() === k.toLowerCase());
        if (!attr) continue;
        const values = (Array.isArray(v) ? v : [v]).map(String);
        for (const value of values) {
          if (attr.toLowerCase() === "memberuid") uids.push(value);
          else {
            const rdn = value.match(/^\s*uid=([^,]+)/i)?.[1];
            if (rdn) uids.push(rdn.replace(/\\(.)/g, "$1"));
            else {
              const r = await client.search(value, { scope: "base", attributes: ["uid"] }).catch(
                () => undefined,
              );
              const uid = r?.searchEntries[0]?.uid;
              if (uid) uids.push(String(Array.isArray(uid) ? uid[0] : uid));
            }
          }
        }
      }
      const d = entry.description ?? entry.cn ?? name;
      return {
        dn: entry.dn,
        description: String(Array.isArray(d) ? d[0] : d),
        uids: [...new Set(uids)],
      };
    });
  }
}

/** Sanitizes a remote uid as the IAM does: runs of disallowed characters become `_`. */
export function sanitizeUid(uid: string): string {
  return uid.replace(/[^a-zA-Z0-9_@.-]+/g, "_").slice(0, 96);
}

/** The directory's login check for imported LDAP users (used by `/auth/login`). */
export function ldapLogin(state: State): (uid: string, password: string) => Promise<boolean> {
  return async (uid, password) => {
    const cfg = readConfig(state);
    if (!cfg) return false;
    try {
      await new Directory(cfg).authenticate(uid, password);
      return true;
    } catch {
      return false;
    }
  };
}

function readConfig(state: State): LdapConfig | undefined {
  const raw = state.get("ldap.config");
  return raw ? JSON.parse(raw) as LdapConfig : undefined;
}

/** Registers the `/ldap` routes. */
export function addLdapRoutes(router: Router, state: State): void {
  const mustConfig = () =>
    readConfig(state) ?? (() => {
      throw notConfigured();
    })();

  router.add("GET", `${IAM}/ldap/config`, () => json(200, mustConfig()));

  router.add("PUT", `${IAM}/ldap/config`, async ({ req }) => {
    let cfg: LdapConfig;
    try {
      cfg = await readJsonBody<LdapConfig>(req, LDAP_CONFIG_SCHEMA);
    } catch (e) {
      if (e instanceof HttpError && e.status === 400) {
        throw new HttpError(400, e.message, { code: "ERR_LDAP_CONFIG_INVALID" });
      }
      throw e;
    }
    const invalid = (d: string) => new HttpError(400, d, { code: "ERR_LDAP_CONFIG_INVALID" });
    if (cfg["use-ldaps"] && cfg["enforce-starttls"]) {
      throw invalid("`use-ldaps` and `enforce-starttls` cannot both be true");
    }
    if (cfg.port < 1 || cfg.port > 65535) throw invalid(`invalid port ${cfg.port}`);
    if (!cfg.dntemplate && !cfg["user-search"]) {
      throw invalid("one of `dntemplate` or `user-search` must be given");
    }
    if (cfg.dntemplate && !cfg.dntemplate.includes("%(username)s")) {
      throw invalid("`dntemplate` must contain %(username)s");
    }
    const us = cfg["user-search"];
    if (us && !us["search-filter-template"].includes("%(username)s")) {
      throw invalid("`user-search.search-filter-template` must contain %(username)s");
    }
    const gs = cfg["group-search"];
    if (gs && !gs["search-filter-template"].includes("%(groupname)s")) {
      throw invalid("`group-search.search-filter-template` must contain %(groupname)s");
    }
    if (cfg["ca-certs"] && !cfg["ca-certs"].includes("-----BEGIN CERTIFICATE-----")) {
      throw invalid("`ca-certs` must hold PEM certificates");
    }
    state.set("ldap.config", JSON.stringify(cfg));
    return json(200, cfg);
  });

  router.add("DELETE", `${IAM}/ldap/config`, () => {
    mustConfig();
    state.run("DELETE FROM kv WHERE key = 'ldap.config'");
    return empty(204);
  });

  router.add("POST", `${IAM}/ldap/config/test`, async ({ req }) => {
    const body = await readJsonBody<{ uid: string; password: string }>(
      req,
      stringObject(["uid", "password"], ["uid", "password"]),
    );
    const dir = new Directory(mustConfig());
    try {
      const done = await dir.authenticate(body.uid, body.password);
      return json(200, { code: "TEST_PASSED", description: `Test passed: ${done}.` });
    } catch (e) {
      if (e instanceof DirectoryError) return json(502, { code: e.code, description: e.message });
      throw e;
    }
  });

  router.add("POST", `${IAM}/ldap/importuser`, async ({ req }) => {
    const body = await readJsonBody<{ username: string }>(
      req,
      stringObject(["username"], ["username"]),
    );
    const dir = new Directory(mustConfig());
    await importUsers(state, dir, [body.username], { failIfMissing: true });
    return empty(201);
  });

  router.add("POST", `${IAM}/ldap/importgroup`, async ({ req }) => {
    const body = await readJsonBody<{ groupname: string }>(
      req,
      stringObject(["groupname"], ["groupname"]),
    );
    const dir = new Directory(mustConfig());
    let group;
    try {
      group = await dir.findGroup(body.groupname);
    } catch (e) {
      if (e instanceof DirectoryError) {
        throw new HttpError(400, e.message, { code: "ERR_LDAP_IMPORT_SEARCH_FAILED" });
      }
      throw e;
    }
    if (!group) {
      throw new HttpError(400, `Group \`${body.groupname}\` not found in the directory.`, {
        code: "ERR_LDAP_IMPORT_GROUP_NOT_FOUND",
      });
    }
    const gid = sanitizeUid(body.groupname).slice(0, 64);
    state.run(
      "INSERT OR IGNORE INTO groups (gid, description, provider_type) VALUES (?, ?, 'ldap')",
      gid,
      group.description,
    );
    const uids = group.uids.slice(0, GROUP_IMPORT_LIMIT);
    const imported = await importUsers(state, dir, uids, { failIfMissing: false });
    for (const uid of imported) {
      state.run("INSERT OR IGNORE INTO memberships (gid, uid) VALUES (?, ?)", gid, uid);
    }
    if (group.uids.length > GROUP_IMPORT_LIMIT) {
      return json(202, { imported_user_count: imported.length });
    }
    return empty(201);
  });
}

/** Imports users as remote LDAP accounts; returns the uids now present. */
async function importUsers(
  state: State,
  dir: Directory,
  names: string[],
  opts: { failIfMissing: boolean },
): Promise<string[]> {
  const out: string[] = [];
  for (const name of names) {
    const uid = sanitizeUid(name);
    const existing = state.user(uid);
    if (existing) {
      if (existing.provider_type !== "ldap") {
        if (opts.failIfMissing) {
          throw new HttpError(400, `Cannot import \`${name}\`: a local user \`${uid}\` exists.`, {
            code: "ERR_CANNOT_IMPORT_USER",
          });
        }
        continue;
      }
      if (opts.failIfMissing) {
        throw new HttpError(409, `User with id \`${uid}\` already exists.`, {
          code: "ERR_USER_EXISTS",
        });
      }
      out.push(uid);
      continue;
    }
    let found;
    try {
      found = await dir.findUser(name);
    } catch (e) {
      if (e instanceof DirectoryError) {
        throw new HttpError(400, e.message, { code: "ERR_LDAP_IMPORT_SEARCH_FAILED" });
      }
      throw e;
    }
    if (!found) {
      if (opts.failIfMissing) {
        throw new HttpError(400, `User \`${name}\` not found in the directory.`, {
          code: "ERR_LDAP_IMPORT_USER_NOT_FOUND",
        });
      }
      continue;
    }
    const cn = found.entry.cn ?? found.entry.displayName;
    const description = cn ? String(Array.isArray(cn) ? cn[0] : cn) : found.dn;
    state.run(
      "INSERT OR IGNORE INTO users (uid, description, is_service, provider_type, provider_id) VALUES (?, ?, 0, 'ldap', '')",
      uid,
      description,
    );
    out.push(uid);
  }
  return out;
}
