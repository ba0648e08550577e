/**
 * The one HTTP layer: `Authorization: token=<jwt>`, a User-Agent, TLS from the cluster config
 * (system store, a CA bundle, or no verification), timeouts, retries with backoff for idempotent
 * requests on connection errors and 502/503/504, one re-login after a 401, and every failure mapped
 * to one line carrying the server's title/description/code or the TLS/network cause.
 * @module
 */
import * as http from "node:http";
import * as https from "node:https";
import { ApiError, type ApiErrorBody, CliError } from "./errors.ts";

/** The program's version, also sent in the User-Agent. */
export const VERSION = "0.1.0";

/** How one request is made. */
export interface RequestOptions {
  /** Query parameters. */
  query?: Record<string, string>;
  /** A JSON body (sent as `application/json`). */
  json?: unknown;
  /** A raw body. */
  body?: Uint8Array;
  /** Content type of a raw body. */
  contentType?: string;
  /** Accept header (default `application/json`). */
  accept?: string;
  /** What the request does, for error messages ("create user alice"). */
  what?: string;
  /** Send without the auth header. */
  anonymous?: boolean;
  /** Statuses that are not errors (default: any 2xx). */
  ok?: readonly number[];
}

/** A finished response. */
export interface HttpResponse {
  /** HTTP status. */
  status: number;
  /** Lower-cased response headers. */
  headers: Record<string, string>;
  /** Raw body bytes. */
  body: Uint8Array;
}

/** Settings of an {@link HttpClient}. */
export interface HttpClientOptions {
  /** Cluster URL without trailing slash. */
  baseUrl: string;
  /** Auth token. */
  token?: string;
  /** PEM CA bundle to trust instead of the system store. */
  caPem?: string;
  /** Skip TLS verification. */
  insecure?: boolean;
  /** Timeout per attempt in milliseconds. */
  timeoutMs?: number;
  /** Attempts for idempotent requests (default 3). */
  attempts?: number;
  /** Called once after a 401 to obtain a fresh token (service-account re-login). */
  relogin?: () => Promise<string | undefined>;
  /** Debug log sink (never receives tokens or bodies). */
  debug?: (line: string) => void;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
const RETRY_STATUS = new Set([502, 503, 504]);

/** Decodes a body as UTF-8 text. */
export function bodyText(res: HttpResponse): string {
  return new TextDecoder().decode(res.body);
}

/** Parses a body as JSON, failing with a clear error. */
export function bodyJson<T = unknown>(res: HttpResponse, what = "response"): T {
  try {
    return JSON.parse(bodyText(res)) as T;
  } catch {
    throw new CliError(`${what}: the server sent a response that is not JSON (HTTP ${res.status})`);
  }
}

/** An HTTP client bound to one cluster. */
export class HttpClient {
  #opts: HttpClientOptions;
  #agent: https.Agent | http.Agent;

  /** Creates a client; no connection is made until the first request. */
  constructor(opts: HttpClientOptions) {
    this.#opts = opts;
    this.#agent = opts.baseUrl.startsWith("https:")
      ? new https.Agent({
        keepAlive: true,
        ca: opts.caPem,
        rejectUnauthorized: !opts.insecure,
      })
      : new http.Agent({ keepAlive: true });
  }

  /** The cluster URL. */
  get baseUrl(): string {
    return this.#opts.baseUrl;
  }

  /** Sets the token used from now on. */
  setToken(token: string | undefined): void {
    this.#opts.token = token;
  }

  /** Releases pooled connections. */
  close(): void {
    this.#agent.destroy();
  }

  /** Sends a request and returns the response; non-OK statuses throw an {@link ApiError}. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const attempts = IDEMPOTENT.has(method) ? (this.#opts.attempts ?? 3) : 1;
    let relogged = false;
    for (let attempt = 1;; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.#send(method, path, options);
      } catch (e) {
        if (attempt < attempts && !(e instanceof TlsError)) {
          await backoff(attempt);
          continue;
        }
        throw e instanceof CliError ? e : new CliError(String(e));
      }
      // 502/503/504 from a proxy are transient; a JSON error from the service itself is an answer.
      const serviceAnswer = (res.headers["content-type"] ?? "").includes("json");
      if (RETRY_STATUS.has(res.status) && !serviceAnswer && attempt < attempts) {
        await backoff(attempt);
        continue;
      }
      if (res.status === 401 && !relogged && !options.anonymous && this.#opts.relogin) {
        relogged = true;
        const token = await this.#opts.relogin();
        if (token) {
          this.#opts.token = token;
          attempt--;
          continue;
        }
      }
      const ok = options.ok
        ? options.ok.includes(res.status)
        : res.status >= 200 && res.status < 300;
      if (!ok) throw toApiError(res, method, path, options.what);
      return res;
    }
  }

  #send(method: string, path: string, options: RequestOptions): Promise<HttpResponse> {
    const url = new URL(this.#opts.baseUrl + path);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      "User-Agent": `dcos-security/${VERSION} deno/${Deno.version.deno} ${Deno.build.os}`,
      "Accept": options.accept ?? "application/json",
    };
    let body: Uint8Array | undefined;
    if (options.json !== undefined) {
      body = new TextEncoder().encode(JSON.stringify(options.json));
      headers["Content-Type"] = "application/json";
    } else if (options.body) {
      body = options.body;
      headers["Content-Type"] = options.contentType ?? "application/octet-stream";
    }
    if (body) headers["Content-Length"] = String(body.length);
    if (this.#opts.token && !options.anonymous) {
      headers["Authorization"] = `token=${this.#opts.token}`;
    }
    const lib = url.protocol === "https:" ? https : http;
    const started = performance.now();
    this.#opts.debug?.(`> ${method} ${url.origin}${url.pathname}${url.search}`);
    return new Promise((resolve, reject) => {
      const req = lib.request(url, {
        method,
        headers,
        agent: this.#agent,
        timeout: this.#opts.timeoutMs ?? 180_000,
      }, (res) => {
        const chunks: Uint8Array[] = [];
        res.on("data", (c: Uint8Array) => chunks.push(c));
        res.on("end", () => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) h[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
          }
          const status = res.statusCode ?? 0;
          this.#opts.debug?.(`< ${status} (${Math.round(performance.now() - started)} ms)`);
          resolve({ status, headers: h, body: concat(chunks) });
        });
        res.on("error", (e) => reject(networkError(e, url)));
      });
      req.on("timeout", () => {
        req.destroy(
          new Error(`timed out after ${Math.round((this.#opts.timeoutMs ?? 180_000) / 1000)} s`),
        );
      });
      req.on("error", (e) => reject(networkError(e, url)));
      req.end(body);
    });
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function backoff(attempt: number): Promise<void> {
  const ms = 150 * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
  return new Promise((r) => setTimeout(r, ms));
}

/** A TLS verification failure (never retried). */
export class TlsError extends CliError {}

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME|ERR_TLS|SSL|certificate/i;

function networkError(e: unknown, url: URL): CliError {
  const err = e as { code?: string; message?: string; cause?: { message?: string } };
  const reason = [err.message, err.cause?.message].filter(Boolean).join(": ") || String(e);
  if (TLS_CODES.test(`${err.code ?? ""} ${reason}`)) {
    return new TlsError(
      `TLS error talking to ${url.origin}: ${reason}. Trust the cluster CA with ` +
        "`dcos-security auth login --ca-cert FILE` or `--ca-fingerprint SHA256`, or set DCOS_TLS_CA_PATH",
    );
  }
  const code = err.code ? ` (${err.code})` : "";
  return new CliError(`cannot reach ${url.origin}: ${reason}${code}`);
}

/** Maps an error response to one line with the server's title/description/code. */
export function toApiError(
  res: HttpResponse,
  method: string,
  path: string,
  what?: string,
): ApiError {
  const action = what ?? `${method} ${path.split("?")[0]}`;
  const text = bodyText(res).trim();
  let body: ApiErrorBody | undefined;
  let detail = "";
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === "object") {
      if (Array.isArray(parsed.errors) && parsed.errors.length) {
        detail = parsed.errors.map((x: { code?: number; message?: string }) =>
          `${x.message ?? "error"}${x.code ? ` (CFSSL code ${x.code})` : ""}`
        ).join("; ");
        body = { description: detail };
      } else {
        body = {
          title: typeof parsed.title === "string" ? parsed.title : undefined,
          description: typeof parsed.description === "string"
            ? parsed.description
            : typeof parsed.message === "string"
            ? parsed.message
            : undefined,
          code: typeof parsed.code === "string" && parsed.code ? parsed.code : undefined,
        };
        detail = body.description ?? body.title ?? "";
      }
    }
  } catch {
    // not JSON (e.g. Admin Router's HTML pages)
  }
  if (res.status === 401 && !detail) {
    detail = "authentication failed. Log in again with `dcos-security auth login`";
  } else if (res.status === 403) {
    detail ||= "you are not authorized to perform this operation";
  } else if (!detail && text && !text.startsWith("<") && text.length < 300) {
    detail = text;
  }
  const tags = [body?.code, `HTTP ${res.status}`].filter(Boolean).join(", ");
  return new ApiError(`${action} failed: ${detail || "no details from the server"} (${tags})`, {
    status: res.status,
    body,
  });
}
