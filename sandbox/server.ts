/**
 * The sandbox cluster: IAM (and, as they are added, CA and Secrets) over HTTPS on loopback, with
 * durable state in a state directory, like `vault server -dev` but persistent.
 * @module
 */
import { addCaRoutes } from "./ca.ts";
import { HttpError, json } from "./http_util.ts";
import { addGroupRoutes } from "./iam_groups.ts";
import { IAM } from "./iam_model.ts";
import { addUserRoutes } from "./iam_users.ts";
import { addLdapRoutes, ldapLogin } from "./ldap.ts";
import { addSsoRoutes } from "./sso.ts";
import { createRootCa, issueServerCert } from "./pki.ts";
import { Router } from "./router.ts";
import { SecretStore } from "./secret_store.ts";
import { addSecretsRoutes } from "./secrets.ts";
import { State } from "./state.ts";
import { hashPassword, Tokens } from "./tokens.ts";

/** One request/response pair, reported to {@link SandboxOptions.onExchange} (contract tests). */
export interface Exchange {
  /** HTTP method. */
  method: string;
  /** Route pattern that matched, e.g. `/acs/api/v1/users/:uid`. */
  pattern?: string;
  /** Raw request path. */
  path: string;
  /** Query string (with `?`), or "". */
  query: string;
  /** Request content type. */
  requestType?: string;
  /** Request body text. */
  requestBody: string;
  /** Response status. */
  status: number;
  /** Response content type. */
  responseType?: string;
  /** Response body text. */
  responseBody: string;
}

/** How to start a sandbox. */
export interface SandboxOptions {
  /** Directory for durable state (created 0700). */
  stateDir: string;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Port (0 or absent: the previous port if free, else any free port). */
  port?: number;
  /** Observer of every exchange (for contract checks). */
  onExchange?: (x: Exchange) => void;
  /** Unseal key shares made on first start (default 3). */
  unsealShares?: number;
  /** Shares needed to unseal (default 2). */
  unsealThreshold?: number;
}

/** What `sandbox.json` holds. */
export interface SandboxInfo {
  /** HTTPS URL of the sandbox. */
  url: string;
  /** Path of the sandbox CA certificate (PEM). */
  ca_cert: string;
  /** The bootstrap superuser. */
  superuser: { uid: string; password: string };
  /** Unseal keys (hex Shamir shares) of the `default` secret store. */
  unseal_keys: string[];
  /** How many unseal keys open the store. */
  unseal_threshold: number;
}

/** A running sandbox. */
export interface Sandbox {
  /** Connection details (also written to `<state-dir>/sandbox.json`). */
  info: SandboxInfo;
  /** Path of sandbox.json. */
  infoPath: string;
  /** The default store's seal status. */
  sealStatus(): { sealed: boolean; threshold: number; shares: number; progress: number };
  /** Stops serving and closes the state. */
  close(): Promise<void>;
}

const HTML_401 =
  "<html><head><title>401 Authorization Required</title></head><body><h1>401 Authorization Required</h1></body></html>\n";
const HTML_403 =
  "<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>\n";

/** Starts a sandbox; first start creates the CA, keys, `bootstrapuser` and `sandbox.json`. */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const host = opts.host ?? "127.0.0.1";
  await Deno.mkdir(opts.stateDir, { recursive: true, mode: 0o700 });
  const state = new State(`${opts.stateDir}/state.db`);
  const infoPath = `${opts.stateDir}/sandbox.json`;
  try {
    const tokens = await Tokens.open(state);
    const ca = await loadOrCreateCa(state);
    const caPath = `${opts.stateDir}/ca.crt`;
    await Deno.writeTextFile(caPath, ca.certPem, { mode: 0o644 });
    const password = await seed(state);
    const server = await issueServerCert(ca, [...new Set([host, "127.0.0.1", "localhost"])]);
    if (!state.get("cluster.id")) state.set("cluster.id", crypto.randomUUID());
    const clusterId = state.get("cluster.id")!;

    const previousInfo = await readInfo(infoPath);
    const { store, newKeys } = await SecretStore.open(state, {
      shares: opts.unsealShares,
      threshold: opts.unsealThreshold,
      unsealKeys: previousInfo?.unseal_keys,
    });
    const unsealKeys = newKeys ?? previousInfo?.unseal_keys ?? [];

    const router = new Router();
    addUserRoutes(router, state, tokens, ldapLogin(state));
    addLdapRoutes(router, state);
    addSsoRoutes(router, state);
    addGroupRoutes(router, state);
    addCaRoutes(router, state, ca);
    addSecretsRoutes(router, state, new Map([[store.name, store]]));
    router.add(
      "GET",
      "/metadata",
      () => json(200, { PUBLIC_IPV4: host, CLUSTER_ID: clusterId }),
      "public",
    );
    router.add(
      "GET",
      "/ca/dcos-ca.crt",
      () => new Response(ca.certPem, { headers: { "Content-Type": "application/x-x509-ca-cert" } }),
      "public",
    );

    const handler = async (req: Request): Promise<Response> => {
      const url = new URL(req.url);
      const match = router.match(req.method, url.pathname);
      if (match === undefined) {
        return json(404, { title: "404 Not Found", description: `No route for ${url.pathname}` });
      }
      if (match === "method") {
        return json(405, {
          title: "405 Method Not Allowed",
          description: `${req.method} is not allowed here`,
        });
      }
      let principal = "";
      if (match.access !== "public") {
        const uid = await authenticate(req, tokens);
        if (!uid || !state.user(uid)) {
          return new Response(HTML_401, {
            status: 401,
            headers: { "Content-Type": "text/html", "WWW-Authenticate": "acsjwt" },
          });
        }
        if (match.access === "superuser" && !state.isSuperuser(uid)) {
          return new Response(HTML_403, { status: 403, headers: { "Content-Type": "text/html" } });
        }
        principal = uid;
      }
      try {
        return await match.handler({ req, url, params: match.params, principal });
      } catch (e) {
        if (e instanceof HttpError) return json(e.status, e.body, e.headers);
        console.error(e);
        return json(500, { title: "500 Internal Server Error", description: "internal error" });
      }
    };

    const observed = opts.onExchange ? withObserver(handler, router, opts.onExchange) : handler;
    const previous = opts.port ? undefined : previousPort(previousInfo);
    const serveAt = (port: number) =>
      Deno.serve(
        { hostname: host, port, cert: server.certPem, key: server.keyPem, onListen() {} },
        observed,
      );
    let httpServer: Deno.HttpServer<Deno.NetAddr>;
    try {
      httpServer = serveAt(opts.port ?? previous ?? 0);
    } catch (e) {
      if (opts.port || !(e instanceof Deno.errors.AddrInUse)) throw e;
      httpServer = serveAt(0);
    }
    const port = httpServer.addr.port;
    const urlHost = host.includes(":") ? `[${host}]` : host;
    const info: SandboxInfo = {
      url: `https://${urlHost}:${port}`,
      ca_cert: caPath,
      superuser: {
        uid: "bootstrapuser",
        password: password ?? previousInfo?.superuser.password ?? "",
      },
      unseal_keys: unsealKeys,
      unseal_threshold: store.status().threshold,
    };
    await Deno.writeTextFile(infoPath, JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
    await Deno.chmod(infoPath, 0o600);
    return {
      info,
      infoPath,
      sealStatus: () => store.status(),
      async close() {
        await httpServer.shutdown();
        state.close();
      },
    };
  } catch (e) {
    state.close();
    throw e;
  }
}

function withObserver(
  handler: (req: Request) => Promise<Response>,
  router: Router,
  onExchange: (x: Exchange) => void,
): (req: Request) => Promise<Response> {
  return async (req) => {
    const requestBody = await req.clone().text();
    const res = await handler(req);
    const responseBody = await res.clone().text();
    const url = new URL(req.url);
    const m = router.match(req.method, url.pathname);
    onExchange({
      method: req.method,
      pattern: typeof m === "object" ? m.pattern : undefined,
      path: url.pathname,
      query: url.search,
      requestType: req.headers.get("content-type") ?? undefined,
      requestBody,
      status: res.status,
      responseType: res.headers.get("content-type") ?? undefined,
      responseBody,
    });
    return res;
  };
}

async function authenticate(req: Request, tokens: Tokens): Promise<string | undefined> {
  const header = req.headers.get("authorization") ?? "";
  let token = header.match(/^token=(.+)$/)?.[1] ?? header.match(/^Bearer (.+)$/i)?.[1];
  if (!token && !header) {
    token = (req.headers.get("cookie") ?? "").match(/(?:^|;\s*)dcos-acs-auth-cookie=([^;]+)/)?.[1];
  }
  return token ? await tokens.verify(token.trim()) : undefined;
}

async function loadOrCreateCa(state: State) {
  const certPem = state.get("ca.root_cert");
  const keyPem = state.get("ca.root_key");
  if (certPem && keyPem) return { certPem, keyPem };
  const ca = await createRootCa("dcos-security sandbox Root CA");
  state.set("ca.root_cert", ca.certPem);
  state.set("ca.root_key", ca.keyPem);
  return ca;
}

/** Creates bootstrapuser, superusers and dcos:superuser on first start; returns the new password. */
async function seed(state: State): Promise<string | undefined> {
  if (state.get("seeded")) return undefined;
  const password = crypto.getRandomValues(new Uint8Array(18)).toBase64({ alphabet: "base64url" });
  const hash = await hashPassword(password);
  state.tx(() => {
    state.run(
      "INSERT INTO users (uid, description, password_hash) VALUES ('bootstrapuser', 'Bootstrap superuser', ?)",
      hash,
    );
    state.run("INSERT INTO groups (gid, description) VALUES ('superusers', 'Superuser group')");
    state.run("INSERT INTO memberships (gid, uid) VALUES ('superusers', 'bootstrapuser')");
    state.run("INSERT INTO acls (rid, description) VALUES ('dcos:superuser', 'Superuser ACL')");
    state.run(
      "INSERT INTO group_perms (rid, gid, action) VALUES ('dcos:superuser', 'superusers', 'full')",
    );
    state.set("seeded", new Date().toISOString());
  });
  return password;
}

async function readInfo(path: string): Promise<SandboxInfo | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as SandboxInfo;
  } catch {
    return undefined;
  }
}

function previousPort(info: SandboxInfo | undefined): number | undefined {
  const port = info ? Number(new URL(info.url).port) : NaN;
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/** The IAM base path (re-exported for tests). */
export { IAM };
