/**
 * Client for the Secrets service (`/secrets/v1`): text and binary secrets, listing, stores and
 * seal/unseal.
 * @module
 */
import { bodyJson, type HttpClient } from "./http.ts";

/** A secret value to send: UTF-8 text (JSON `{value}`) or raw bytes (octet-stream). */
export type SecretInput = { text: string } | { bytes: Uint8Array };

/** A store (backend) as the service returns it. */
export interface Backend {
  name: string;
  description?: string;
  driver?: string;
  initialized?: boolean;
  sealed?: boolean;
}

/** Seal status of a store. */
export interface SealStatus {
  sealed: boolean;
  threshold: number;
  shares: number;
  progress: number;
}

/** Normalizes a secret path: no leading or trailing `/`. */
export function normalizePath(path: string): string {
  return path.replace(/^\/+|\/+$/g, "");
}

function secretUrl(store: string, path: string): string {
  const segs = normalizePath(path).split("/").filter(Boolean).map(encodeURIComponent);
  return `/secrets/v1/secret/${encodeURIComponent(store)}/${segs.join("/")}`;
}

/** Typed calls to the Secrets service. */
export class SecretsClient {
  #http: HttpClient;

  /** Wraps an HTTP client bound to a cluster. */
  constructor(http: HttpClient) {
    this.#http = http;
  }

  async #write(
    method: "PUT" | "PATCH",
    store: string,
    path: string,
    input: SecretInput,
    what: string,
  ): Promise<void> {
    const url = secretUrl(store, path);
    if ("text" in input) {
      await this.#http.request(method, url, { json: { value: input.text }, what });
    } else {await this.#http.request(method, url, {
        body: input.bytes,
        contentType: "application/octet-stream",
        what,
      });}
  }

  /** Creates a secret (fails if it exists). */
  create(store: string, path: string, input: SecretInput): Promise<void> {
    return this.#write("PUT", store, path, input, `create secret ${normalizePath(path)}`);
  }

  /** Replaces an existing secret's value. */
  update(store: string, path: string, input: SecretInput): Promise<void> {
    return this.#write("PATCH", store, path, input, `update secret ${normalizePath(path)}`);
  }

  /** Reads a secret as its JSON object (text secrets only). */
  async getJson(store: string, path: string): Promise<Record<string, unknown>> {
    const res = await this.#http.request("GET", secretUrl(store, path), {
      accept: "application/json",
      what: `get secret ${normalizePath(path)}`,
    });
    return bodyJson<Record<string, unknown>>(res);
  }

  /** Reads a secret's value as raw bytes (text or binary). */
  async getBytes(store: string, path: string): Promise<Uint8Array> {
    const res = await this.#http.request("GET", secretUrl(store, path), {
      accept: "application/octet-stream",
      what: `get secret ${normalizePath(path)}`,
    });
    return res.body;
  }

  /** Names under `path`, relative to it (`/` or "" lists everything). */
  async list(store: string, path: string): Promise<string[]> {
    const p = normalizePath(path);
    const res = await this.#http.request("GET", secretUrl(store, p), {
      query: { list: "true" },
      what: `list secrets under ${p ? p : "/"}`,
    });
    return bodyJson<{ array: string[] }>(res).array;
  }

  /** Deletes a secret. */
  async delete(store: string, path: string): Promise<void> {
    await this.#http.request("DELETE", secretUrl(store, path), {
      what: `delete secret ${normalizePath(path)}`,
    });
  }

  /** All stores. */
  async stores(): Promise<Backend[]> {
    return bodyJson<{ array: Backend[] }>(
      await this.#http.request("GET", "/secrets/v1/store", { what: "list secret stores" }),
    ).array;
  }

  /** One store. */
  async store(id: string): Promise<Backend> {
    return bodyJson<Backend>(
      await this.#http.request("GET", `/secrets/v1/store/${encodeURIComponent(id)}`, {
        what: `show store ${id}`,
      }),
    );
  }

  /** A store's seal status. */
  async sealStatus(id: string): Promise<SealStatus> {
    const res = await this.#http.request(
      "GET",
      `/secrets/v1/seal-status/${encodeURIComponent(id)}`,
      { what: `read seal status of ${id}` },
    );
    return bodyJson<SealStatus>(res);
  }

  /** Seals a store. */
  async seal(id: string): Promise<void> {
    await this.#http.request("PUT", `/secrets/v1/seal/${encodeURIComponent(id)}`, {
      json: {},
      what: `seal store ${id}`,
    });
  }

  /** Sends one unseal key; returns the new seal status. */
  async unseal(id: string, key: string): Promise<SealStatus> {
    const res = await this.#http.request("PUT", `/secrets/v1/unseal/${encodeURIComponent(id)}`, {
      json: { key },
      what: `unseal store ${id}`,
    });
    return bodyJson<SealStatus>(res);
  }
}
