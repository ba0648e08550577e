/**
 * Client for the IAM's identity-provider endpoints: the LDAP directory (`/ldap`) and OIDC and SAML
 * provider configurations (`/auth/oidc|saml/providers`).
 * @module
 */
import { ApiError } from "./errors.ts";
import { bodyJson, bodyText, type HttpClient } from "./http.ts";

const BASE = "/acs/api/v1";

/** Result of a directory test. */
export interface DirectoryTestResult {
  /** Whether the test passed. */
  ok: boolean;
  /** The IAM's result code. */
  code: string;
  /** What was tried and what happened. */
  description: string;
}

/** Result of a group import. */
export interface GroupImportResult {
  /** True when the group had more members than one import brings in. */
  partial: boolean;
  /** Users imported in a partial import. */
  importedUserCount?: number;
}

/** Typed calls for directory, OIDC and SAML settings. */
export class IdentityClient {
  #http: HttpClient;

  /** Wraps an HTTP client bound to a cluster. */
  constructor(http: HttpClient) {
    this.#http = http;
  }

  /** The LDAP configuration. */
  async getLdapConfig(): Promise<Record<string, unknown>> {
    return bodyJson(
      await this.#http.request("GET", `${BASE}/ldap/config`, {
        what: "read the LDAP configuration",
      }),
    );
  }

  /** Stores the LDAP configuration. */
  async setLdapConfig(config: Record<string, unknown>): Promise<void> {
    await this.#http.request("PUT", `${BASE}/ldap/config`, {
      json: config,
      what: "store the LDAP configuration",
    });
  }

  /** Deletes the LDAP configuration. */
  async deleteLdapConfig(): Promise<void> {
    await this.#http.request("DELETE", `${BASE}/ldap/config`, {
      what: "delete the LDAP configuration",
    });
  }

  /** Tests the directory with a user's credentials; a 502 with a result body is a failed test. */
  async testLdap(uid: string, password: string): Promise<DirectoryTestResult> {
    const res = await this.#http.request("POST", `${BASE}/ldap/config/test`, {
      json: { uid, password },
      what: "test the LDAP configuration",
      ok: [200, 502],
    });
    let body: { code?: string; description?: string };
    try {
      body = JSON.parse(bodyText(res));
    } catch {
      throw new ApiError(
        `test the LDAP configuration failed: the cluster answered HTTP ${res.status} without a test result`,
        { status: res.status },
      );
    }
    return { ok: res.status === 200, code: body.code ?? "", description: body.description ?? "" };
  }

  /** Imports one LDAP user. */
  async importUser(username: string): Promise<void> {
    await this.#http.request("POST", `${BASE}/ldap/importuser`, {
      json: { username },
      what: `import LDAP user ${username}`,
    });
  }

  /** Imports an LDAP group and its members. */
  async importGroup(groupname: string): Promise<GroupImportResult> {
    const res = await this.#http.request("POST", `${BASE}/ldap/importgroup`, {
      json: { groupname },
      what: `import LDAP group ${groupname}`,
    });
    if (res.status === 202) {
      const body = bodyJson<{ imported_user_count?: number }>(res);
      return { partial: true, importedUserCount: body.imported_user_count };
    }
    return { partial: false };
  }

  /** Provider overview: id → description. */
  async listProviders(kind: "oidc" | "saml"): Promise<Record<string, string>> {
    return bodyJson(
      await this.#http.request("GET", `${BASE}/auth/${kind}/providers`, {
        what: `list ${kind.toUpperCase()} providers`,
      }),
    );
  }

  /** One provider's configuration. */
  async getProvider(kind: "oidc" | "saml", id: string): Promise<Record<string, unknown>> {
    return bodyJson(
      await this.#http.request("GET", `${BASE}/auth/${kind}/providers/${encodeURIComponent(id)}`, {
        what: `show ${kind.toUpperCase()} provider ${id}`,
      }),
    );
  }

  /** Creates (`add`) or replaces (`modify`) a provider's configuration. */
  async putProvider(
    kind: "oidc" | "saml",
    id: string,
    config: Record<string, unknown>,
    modify: boolean,
  ): Promise<void> {
    await this.#http.request(
      modify ? "PATCH" : "PUT",
      `${BASE}/auth/${kind}/providers/${encodeURIComponent(id)}`,
      {
        json: config,
        what: `${modify ? "modify" : "add"} ${kind.toUpperCase()} provider ${id}`,
      },
    );
  }

  /** Deletes a provider. */
  async deleteProvider(kind: "oidc" | "saml", id: string): Promise<void> {
    await this.#http.request("DELETE", `${BASE}/auth/${kind}/providers/${encodeURIComponent(id)}`, {
      what: `delete ${kind.toUpperCase()} provider ${id}`,
    });
  }

  /** A SAML provider's ACS callback URL. */
  async samlCallbackUrl(id: string): Promise<string> {
    const res = await this.#http.request(
      "GET",
      `${BASE}/auth/saml/providers/${encodeURIComponent(id)}/acs-callback-url`,
      {
        what: `read the ACS callback URL of ${id}`,
      },
    );
    return bodyJson<{ "acs-callback-url": string }>(res)["acs-callback-url"];
  }

  /** A SAML provider's SP metadata XML. */
  async samlSpMetadata(id: string): Promise<string> {
    const res = await this.#http.request(
      "GET",
      `${BASE}/auth/saml/providers/${encodeURIComponent(id)}/sp-metadata`,
      {
        accept: "application/samlmetadata+xml, application/xml",
        what: `read the SP metadata of ${id}`,
      },
    );
    return bodyText(res);
  }
}
