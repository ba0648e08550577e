/**
 * Sandbox Secrets service (`/secrets/v1`): text and binary secrets with `Accept`/`Content-Type`
 * negotiation, `?list=true`, per-secret permissions as DC/OS (`dcos:secrets:<store>:/<path>`,
 * listing via `dcos:secrets:list:<store>:/<path>`), stores, seal, unseal and seal status.
 * @module
 */
import { empty, HttpError, json } from "./http_util.ts";
import type { Router } from "./router.ts";
import { SealedError, type SecretStore } from "./secret_store.ts";
import type { State } from "./state.ts";

/** Largest text value (bytes of UTF-8). */
export const MAX_TEXT_BYTES = 1024 * 1024;
/** Largest binary value: its base64 encoding must fit in {@link MAX_TEXT_BYTES}. */
export const MAX_BINARY_BYTES = (MAX_TEXT_BYTES / 4) * 3;

const BASE = "/secrets/v1";
const PATH_RE = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const ACTIONS_FOR: Record<string, string> = {
  GET: "read",
  PUT: "create",
  PATCH: "update",
  DELETE: "delete",
};

/** Registers the Secrets routes for the given stores. */
export function addSecretsRoutes(
  router: Router,
  state: State,
  stores: Map<string, SecretStore>,
): void {
  const storeOf = (id: string) => {
    const s = stores.get(id);
    if (!s) throw new HttpError(404, `Store \`${id}\` not found.`);
    return s;
  };
  const mustSuperuser = (uid: string) => {
    if (!state.isSuperuser(uid)) {
      throw new HttpError(403, "Forbidden: managing secret stores needs dcos:superuser.");
    }
  };
  /** Allowed if the principal holds `action` on the RID of the path or of any parent path. */
  const allowed = (uid: string, prefix: string, path: string, action: string) => {
    if (state.isSuperuser(uid)) return true;
    const parts = path ? path.split("/") : [];
    for (let i = parts.length; i >= 0; i--) {
      if (state.hasPermission(uid, `${prefix}/${parts.slice(0, i).join("/")}`, action)) return true;
    }
    return false;
  };

  const backend = (s: SecretStore) => ({
    name: s.name,
    description: "DC/OS Default Secret Store Backend",
    driver: "vault",
    initialized: true,
    sealed: s.sealed,
  });

  router.add("GET", `${BASE}/store`, ({ principal }) => {
    mustSuperuser(principal);
    return json(200, { array: [...stores.values()].map(backend) });
  }, "user");
  router.add("GET", `${BASE}/store/:store`, ({ params, principal }) => {
    mustSuperuser(principal);
    return json(200, backend(storeOf(params.store)));
  }, "user");
  router.add("GET", `${BASE}/seal-status/:store`, ({ params, principal }) => {
    mustSuperuser(principal);
    return json(200, storeOf(params.store).status());
  }, "user");
  router.add("PUT", `${BASE}/seal/:store`, ({ params, principal }) => {
    mustSuperuser(principal);
    storeOf(params.store).seal();
    return json(200, {});
  }, "user");
  router.add("PUT", `${BASE}/unseal/:store`, async ({ req, params, principal }) => {
    mustSuperuser(principal);
    const store = storeOf(params.store);
    let key: unknown;
    try {
      key = (await req.json()).key;
    } catch {
      throw new HttpError(400, 'Request body must be JSON: {"key": "<unseal key>"}');
    }
    if (typeof key !== "string" || !key) {
      throw new HttpError(400, "Missing `key` in the request body.");
    }
    try {
      return json(200, await store.unseal(key));
    } catch (e) {
      throw new HttpError(400, e instanceof Error ? e.message : String(e));
    }
  }, "user");
  router.add(
    "GET",
    `${BASE}/ping`,
    () => new Response("pong", { headers: { "Content-Type": "text/plain" } }),
    "public",
  );

  const secretRoute = (method: string) =>
    router.add(method, `${BASE}/secret/:store/*path`, async ({ req, url, params, principal }) => {
      const store = storeOf(params.store);
      const path = params.path.replace(/^\/+|\/+$/g, "");
      const isList = method === "GET" && url.searchParams.get("list") === "true";
      if ((!isList || path) && !PATH_RE.test(path)) {
        throw new HttpError(
          400,
          `Invalid secret path \`${params.path}\`: use letters, digits, -, _ and . in segments separated by single /.`,
        );
      }
      const action = isList ? "read" : ACTIONS_FOR[method];
      const rid = isList
        ? `dcos:secrets:list:${store.name}:/${path}`
        : `dcos:secrets:${store.name}:/${path}`;
      if (
        !allowed(
          principal,
          isList ? `dcos:secrets:list:${store.name}:` : `dcos:secrets:${store.name}:`,
          path,
          action,
        )
      ) {
        throw new HttpError(403, `Forbidden: ${action} on ${rid} is required.`);
      }
      try {
        if (isList) {
          const names = store.list(path);
          if (!names) throw new HttpError(404, `No secrets under \`${path}\`.`);
          return json(200, { array: names });
        }
        if (method === "GET") return await getSecret(req, store, path);
        if (method === "DELETE") {
          if (!store.delete(path)) throw new HttpError(404, `Secret \`${path}\` not found.`);
          return empty(204);
        }
        const { kind, value } = await readValue(req);
        if (method === "PUT") {
          if (!(await store.put(path, kind, value, principal, true))) {
            throw new HttpError(409, `Secret \`${path}\` already exists.`);
          }
          return empty(201);
        }
        if (!(await store.put(path, kind, value, principal, false))) {
          throw new HttpError(404, `Secret \`${path}\` not found.`);
        }
        return empty(204);
      } catch (e) {
        if (e instanceof SealedError) {
          throw new HttpError(503, `Store \`${store.name}\` is sealed: unseal it first.`);
        }
        throw e;
      }
    }, "user");
  for (const m of ["GET", "PUT", "PATCH", "DELETE"]) secretRoute(m);
}

async function getSecret(req: Request, store: SecretStore, path: string): Promise<Response> {
  const accept = (req.headers.get("accept") ?? "").toLowerCase();
  const wantsJson = accept.includes("application/json");
  const wantsBytes = accept.includes("application/octet-stream");
  const any = !accept || accept.includes("*/*") || (wantsJson && wantsBytes);
  if (accept && !wantsJson && !wantsBytes && !accept.includes("*/*")) {
    throw new HttpError(
      400,
      `Unsupported Accept: ${accept}. Use application/json or application/octet-stream.`,
    );
  }
  const secret = await store.get(path);
  if (!secret) throw new HttpError(404, `Secret \`${path}\` not found.`);
  const asBytes = any ? secret.kind === "binary" : wantsBytes;
  if (asBytes) {
    return new Response(secret.value, {
      status: 200,
      headers: { "Content-Type": "application/octet-stream" },
    });
  }
  if (secret.kind === "binary") {
    throw new HttpError(
      400,
      "Unsupported Accept: this is a binary secret; request application/octet-stream.",
    );
  }
  const body: Record<string, unknown> = {
    value: new TextDecoder().decode(secret.value),
    author: secret.author,
    created: secret.created,
  };
  if (secret.description) body.description = secret.description;
  return json(200, body);
}

async function readValue(
  req: Request,
): Promise<{ kind: "text" | "binary"; value: Uint8Array<ArrayBuffer> }> {
  const ctype = (req.headers.get("content-type") ?? "application/json").split(";")[0].trim()
    .toLowerCase();
  const raw = new Uint8Array(await req.arrayBuffer());
  if (ctype === "application/octet-stream") {
    if (raw.length > MAX_BINARY_BYTES) {
      throw new HttpError(
        413,
        `Secret value too large: ${raw.length} bytes; a binary secret may hold at most ${MAX_BINARY_BYTES} bytes.`,
      );
    }
    return { kind: "binary", value: raw };
  }
  if (ctype !== "application/json") {
    throw new HttpError(
      400,
      `Unsupported Content-Type: ${ctype}. Use application/json or application/octet-stream.`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    throw new HttpError(400, "Request body is not valid JSON.");
  }
  const value = (body as { value?: unknown })?.value;
  if (typeof value !== "string") {
    throw new HttpError(400, "The secret must be a JSON object with a string `value`.");
  }
  const bytes = new TextEncoder().encode(value);
  if (bytes.length > MAX_TEXT_BYTES) {
    throw new HttpError(
      413,
      `Secret value too large: ${bytes.length} bytes; a text secret may hold at most ${MAX_TEXT_BYTES} bytes.`,
    );
  }
  return { kind: "text", value: bytes };
}
