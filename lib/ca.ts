/**
 * Client for the cluster CA (`/ca/api/v2`, CFSSL): unwraps the `{success, result, errors}` envelope.
 * @module
 */
import { CliError } from "./errors.ts";
import { bodyJson, type HttpClient } from "./http.ts";
import type { SubjectNames } from "./csr.ts";

/** The CFSSL CSR request object. */
export interface CsrRequest {
  CN: string;
  hosts: string[];
  names: SubjectNames[];
  key?: { algo: string; size: number };
}

/** Result of `info`. */
export interface CaInfo {
  certificate: string;
  usages: string[] | string;
  expiry: string;
}

/** Result of `newkey` / `newcert`. */
export interface NewKeyResult {
  private_key: string;
  certificate_request: string;
  certificate?: string;
}

interface Envelope<T> {
  success: boolean;
  result: T;
  errors?: { code?: number; message?: string }[];
}

/** Typed calls to the CA. */
export class CaClient {
  #http: HttpClient;

  /** Wraps an HTTP client bound to a cluster. */
  constructor(http: HttpClient) {
    this.#http = http;
  }

  async #post<T>(path: string, json: unknown, what: string): Promise<T> {
    const res = await this.#http.request("POST", `/ca/api/v2/${path}`, { json, what });
    const env = bodyJson<Envelope<T>>(res, what);
    if (!env.success) {
      const detail = (env.errors ?? []).map((e) =>
        `${e.message}${e.code ? ` (CFSSL code ${e.code})` : ""}`
      ).join("; ");
      throw new CliError(`${what} failed: ${detail || "the CA reported a failure"}`);
    }
    return env.result;
  }

  /** Signing CA certificate and a profile's usages and expiry (default profile when unknown). */
  info(profile?: string): Promise<CaInfo> {
    return this.#post<CaInfo>(
      "info",
      profile ? { profile } : {},
      profile ? `read CA profile ${profile}` : "read CA info",
    );
  }

  /** Signs a PEM CSR; returns the certificate PEM. */
  async sign(csr: string, profile?: string): Promise<string> {
    const body: Record<string, unknown> = { certificate_request: csr };
    if (profile) body.profile = profile;
    return (await this.#post<{ certificate: string }>("sign", body, "sign the certificate request"))
      .certificate;
  }

  /** Server-side key and CSR (the original CLI's behaviour). */
  newkey(request: CsrRequest): Promise<NewKeyResult> {
    return this.#post<NewKeyResult>("newkey", request, "create a key on the CA");
  }

  /** Server-side key, CSR and certificate. */
  newcert(request: CsrRequest, profile?: string): Promise<NewKeyResult> {
    const body: Record<string, unknown> = { request };
    if (profile) body.profile = profile;
    return this.#post<NewKeyResult>("newcert", body, "create a certificate on the CA");
  }
}
