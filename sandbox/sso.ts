/**
 * Sandbox SSO provider management: OIDC (`/auth/oidc/providers`) and SAML (`/auth/saml/providers`)
 * configurations with the real status codes, SAML metadata checked to parse and hold an IdP
 * descriptor, and the SAML `sp-metadata` and `acs-callback-url` endpoints.
 * @module
 */
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

const OIDC_SCHEMA: MiniSchema = {
  ...stringObject(["description", "issuer", "base_url", "client_secret", "client_id", "ca_certs"], [
    "description",
    "issuer",
    "base_url",
    "client_secret",
    "client_id",
  ]),
};
OIDC_SCHEMA.properties = {
  ...OIDC_SCHEMA.properties,
  verify_server_certificate: { type: "boolean" },
};
const SAML_SCHEMA = stringObject(["description", "idp_metadata", "sp_base_url"], [
  "description",
  "idp_metadata",
  "sp_base_url",
]);

const ID_RE = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/;

function table(state: State): void {
  state.db.exec(`CREATE TABLE IF NOT EXISTS sso_providers (
    kind TEXT NOT NULL, id TEXT NOT NULL, config TEXT NOT NULL, PRIMARY KEY (kind, id))`);
}

/** Checks SAML IdP metadata: well-formed XML with an IDPSSODescriptor; returns why not, or undefined. */
export async function checkIdpMetadata(xml: string): Promise<string | undefined> {
  const { XMLParser, XMLValidator } = await import("fast-xml-parser");
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    return `IdP metadata is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`;
  }
  const doc = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false }).parse(xml);
  const hasIdp = (node: unknown): boolean => {
    if (!node || typeof node !== "object") return false;
    if ("IDPSSODescriptor" in node) return true;
    return Object.values(node).some((v) => Array.isArray(v) ? v.some(hasIdp) : hasIdp(v));
  };
  if (!("EntityDescriptor" in doc) && !("EntitiesDescriptor" in doc)) {
    return "IdP metadata has no EntityDescriptor";
  }
  if (!hasIdp(doc)) return "IdP metadata has no IDPSSODescriptor";
  return undefined;
}

/** Registers the OIDC and SAML provider routes. */
export function addSsoRoutes(router: Router, state: State): void {
  table(state);
  for (const kind of ["oidc", "saml"] as const) {
    const base = `${IAM}/auth/${kind}/providers`;
    const schema = kind === "oidc" ? OIDC_SCHEMA : SAML_SCHEMA;
    const get = (id: string) => {
      const row = state.one<{ config: string }>(
        "SELECT config FROM sso_providers WHERE kind = ? AND id = ?",
        kind,
        id,
      );
      if (!row) throw new HttpError(400, `Provider with id \`${id}\` not known.`);
      return JSON.parse(row.config) as Record<string, unknown>;
    };
    const check = async (cfg: Record<string, string>) => {
      if (kind === "saml") {
        const problem = await checkIdpMetadata(cfg.idp_metadata);
        if (problem) throw new HttpError(400, problem, { code: "ERR_INVALID_DATA" });
      } else {
        for (const f of ["issuer", "base_url"]) {
          if (!/^https?:\/\/[^/]/.test(cfg[f])) {
            throw new HttpError(400, `\`${f}\` must be an http(s) URL`, {
              code: "ERR_OIDC_PROVIDER_CONFIG_INVALID",
            });
          }
        }
      }
    };

    router.add("GET", base, () => {
      const rows = state.all<{ id: string; config: string }>(
        "SELECT id, config FROM sso_providers WHERE kind = ? ORDER BY id",
        kind,
      );
      return json(
        200,
        Object.fromEntries(rows.map((r) => [r.id, JSON.parse(r.config).description])),
      );
    }, "public");

    router.add("GET", `${base}/:id`, ({ params }) => json(200, get(params.id)));

    router.add("PUT", `${base}/:id`, async ({ req, params }) => {
      const cfg = await readJsonBody<Record<string, string>>(req, schema);
      if (!ID_RE.test(params.id)) {
        throw new HttpError(
          400,
          `Invalid provider ID \`${params.id}\`: use lowercase letters, digits and -`,
          { code: "ERR_INVALID_DATA" },
        );
      }
      await check(cfg);
      try {
        state.run(
          "INSERT INTO sso_providers (kind, id, config) VALUES (?, ?, ?)",
          kind,
          params.id,
          JSON.stringify(cfg),
        );
      } catch {
        throw new HttpError(409, `Provider with id \`${params.id}\` already exists.`);
      }
      return empty(201);
    });

    router.add("PATCH", `${base}/:id`, async ({ req, params }) => {
      const cfg = await readJsonBody<Record<string, string>>(req, schema);
      get(params.id);
      await check(cfg);
      state.run(
        "UPDATE sso_providers SET config = ? WHERE kind = ? AND id = ?",
        JSON.stringify(cfg),
        kind,
        params.id,
      );
      return empty(204);
    });

    router.add("DELETE", `${base}/:id`, ({ params }) => {
      get(params.id);
      state.run("DELETE FROM sso_providers WHERE kind = ? AND id = ?", kind, params.id);
      return empty(204);
    });
  }

  const samlUrl = (id: string, cfg: Record<string, unknown>) =>
    `${String(cfg.sp_base_url).replace(/\/+$/, "")}${IAM}/auth/saml/providers/${id}`;
  router.add("GET", `${IAM}/auth/saml/providers/:id/acs-callback-url`, ({ params }) => {
    const row = state.one<{ config: string }>(
      "SELECT config FROM sso_providers WHERE kind = 'saml' AND id = ?",
      params.id,
    );
    if (!row) throw new HttpError(400, `Provider with id \`${params.id}\` not known.`);
    return json(200, {
      "acs-callback-url": `${samlUrl(params.id, JSON.parse(row.config))}/acs-callback`,
    });
  });
  router.add("GET", `${IAM}/auth/saml/providers/:id/sp-metadata`, ({ params }) => {
    const row = state.one<{ config: string }>(
      "SELECT config FROM sso_providers WHERE kind = 'saml' AND id = ?",
      params.id,
    );
    if (!row) throw new HttpError(400, `Provider with id \`${params.id}\` not known.`);
    const url = samlUrl(params.id, JSON.parse(row.config));
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${url}/sp-metadata">
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${url}/acs-callback" index="1"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
`;
    return new Response(xml, { headers: { "Content-Type": "application/samlmetadata+xml" } });
  });
}
