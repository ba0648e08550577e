/**
 * `cluster oidc` and `cluster saml`: register, modify, delete and show SSO providers.
 * @module
 */
import { object, or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional } from "@optique/core/modifiers";
import type { InferValue } from "@optique/core/parser";
import { argument, command, constant, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import { CliError } from "../../lib/errors.ts";
import { IdentityClient } from "../../lib/identity.ts";
import { readInputText, readSecret } from "../../lib/input.ts";
import { emit } from "../../lib/output.ts";
import { type Deps, examples, fileValue, idArg, jsonFlag } from "../common.ts";

/** A new provider ID (nothing to complete). */
const dynamicOrPlain = (metavar: "OIDC_ID" | "SAML_ID") => string({ metavar });

const oidcFields = (verb: "add" | "modify") => ({
  cmd: constant(`cluster.oidc.${verb}` as const),
  description: option("-d", "--description", string({ metavar: "TEXT" }), {
    description: message`Description of the OIDC provider.`,
  }),
  issuer: option("-i", "--issuer", string({ metavar: "TEXT" }), {
    description: message`Issuer of the OIDC provider.`,
  }),
  baseUrl: option("-b", "--base-url", string({ metavar: "TEXT" }), {
    description: message`Base URL of the OIDC provider.`,
  }),
  clientSecret: optional(option("-c", "--client-secret", string({ metavar: "TEXT" }), {
    description:
      message`Client secret (visible in ps: prefer --client-secret-file, --client-secret-env or the prompt).`,
  })),
  clientSecretFile: optional(
    option("--client-secret-file", fileValue("FILE"), {
      description: message`Read the client secret from FILE (${"-"} for stdin).`,
    }),
  ),
  clientSecretEnv: optional(
    option("--client-secret-env", string({ metavar: "VAR" }), {
      description: message`Read the client secret from environment variable VAR.`,
    }),
  ),
  clientId: option("--client-id", string({ metavar: "TEXT" }), {
    description: message`Client ID for the OIDC provider.`,
  }),
  caCerts: optional(
    option("--ca-certs", fileValue("FILE"), {
      description: message`PEM bundle to trust for the provider (stored as ca_certs).`,
    }),
  ),
  noVerify: option("--no-verify-server-certificate", {
    description: message`Do not verify the provider's TLS certificate.`,
  }),
  id: verb === "add" ? argument(dynamicOrPlain("OIDC_ID")) : idArg("OIDC_ID", "oidc"),
});

const oidcAdd = command("add", object(oidcFields("add")), {
  description: message`Configure a new OIDC provider.`,
  footer: examples(
    "dcos-security cluster oidc add google-idp -d 'Google' -i https://accounts.google.com -b https://dcos.example.com --client-id ID --client-secret-env OIDC_SECRET",
  ),
});
const oidcModify = command("modify", object(oidcFields("modify")), {
  description: message`Modify an existing OIDC provider configuration.`,
  footer: examples(
    "dcos-security cluster oidc modify google-idp -d 'Google' -i https://accounts.google.com -b https://dcos.example.com --client-id ID --client-secret-file secret.txt",
  ),
});

const samlFields = (verb: "add" | "modify") => ({
  cmd: constant(`cluster.saml.${verb}` as const),
  description: option("-d", "--description", string({ metavar: "TEXT" }), {
    description: message`A description of the SAML provider.`,
  }),
  idpMetadata: option("-i", "--idp-metadata", fileValue(), {
    description: message`File containing IDP metadata in XML format (${"-"} for stdin).`,
  }),
  spBaseUrl: option("-b", "--sp-base-url", string({ metavar: "TEXT" }), {
    description: message`The base URL for the service provider.`,
  }),
  id: verb === "add" ? argument(dynamicOrPlain("SAML_ID")) : idArg("SAML_ID", "saml"),
});

const samlAdd = command("add", object(samlFields("add")), {
  description: message`Configure a new SAML provider.`,
  footer: examples(
    "dcos-security cluster saml add okta -d 'Okta' -i okta-metadata.xml -b https://dcos.example.com",
  ),
});
const samlModify = command("modify", object(samlFields("modify")), {
  description: message`Modify an existing SAML provider configuration.`,
  footer: examples(
    "dcos-security cluster saml modify okta -d 'Okta' -i okta-metadata.xml -b https://dcos.example.com",
  ),
});

const del = (kind: "oidc" | "saml") =>
  command(
    "delete",
    object({
      cmd: constant(`cluster.${kind}.delete` as const),
      id: idArg(kind === "oidc" ? "OIDC_ID" : "SAML_ID", kind),
    }),
    {
      description: message`Delete a provider configuration.`,
      footer: examples(
        `dcos-security cluster ${kind} delete ${kind === "oidc" ? "google-idp" : "okta"}`,
      ),
    },
  );

const show = (kind: "oidc" | "saml") =>
  command(
    "show",
    object({
      cmd: constant(`cluster.${kind}.show` as const),
      json: jsonFlag(),
      ids: multiple(idArg(kind === "oidc" ? "OIDC_ID" : "SAML_ID", kind)),
    }),
    {
      description:
        message`Get an overview of the configured providers (id: description), or the details of one. If multiple providers are specified, only the first ID is evaluated.`,
      footer: examples(
        `dcos-security cluster ${kind} show`,
        `dcos-security cluster ${kind} show ${kind === "oidc" ? "google-idp" : "okta"} --json`,
      ),
    },
  );

const spMetadata = command(
  "sp-metadata",
  object({
    cmd: constant("cluster.saml.sp-metadata"),
    json: jsonFlag(),
    id: idArg("SAML_ID", "saml"),
  }),
  {
    description: message`Print the service provider metadata XML to give to the identity provider.`,
    footer: examples("dcos-security cluster saml sp-metadata okta > dcos-sp.xml"),
  },
);

const callbackUrl = command(
  "callback-url",
  object({
    cmd: constant("cluster.saml.callback-url"),
    json: jsonFlag(),
    id: idArg("SAML_ID", "saml"),
  }),
  {
    description:
      message`Print the assertion consumer service (ACS) callback URL of a SAML provider.`,
    footer: examples("dcos-security cluster saml callback-url okta"),
  },
);

/** The `oidc` command group. */
export const oidcCommand = command("oidc", or(oidcAdd, del("oidc"), oidcModify, show("oidc")), {
  description: message`Manage OpenID Connect settings.`,
  footer: examples("dcos-security cluster oidc show"),
});

/** The `saml` command group. */
export const samlCommand = command(
  "saml",
  or(samlAdd, callbackUrl, del("saml"), samlModify, show("saml"), spMetadata),
  {
    description: message`Manage SAML settings.`,
    footer: examples("dcos-security cluster saml show"),
  },
);

/** Parsed options of any `cluster oidc` or `cluster saml` command. */
export type ProviderOptions = InferValue<typeof oidcCommand> | InferValue<typeof samlCommand>;

/** Checks that text is well-formed XML (the IdP metadata); throws a clear error otherwise. */
export async function checkXml(xml: string, what: string): Promise<void> {
  const { XMLValidator } = await import("fast-xml-parser");
  if (!xml.trim()) throw new CliError(`${what} is empty`);
  const r = XMLValidator.validate(xml);
  if (r !== true) {
    throw new CliError(`${what} is not well-formed XML: ${r.err.msg} (line ${r.err.line})`);
  }
}

/** Runs a `cluster oidc` or `cluster saml` command. */
export async function run(opts: ProviderOptions, deps: Deps): Promise<void> {
  const kind = opts.cmd.startsWith("cluster.oidc.") ? "oidc" : "saml";
  let config: Record<string, unknown> | undefined;
  if (opts.cmd === "cluster.oidc.add" || opts.cmd === "cluster.oidc.modify") {
    const secret = await readSecret(deps.io, {
      value: opts.clientSecret,
      file: opts.clientSecretFile,
      env: opts.clientSecretEnv,
    }, {
      what: "client secret",
      hint: "-c/--client-secret, --client-secret-file FILE|- or --client-secret-env VAR",
    });
    config = {
      description: opts.description,
      issuer: opts.issuer,
      base_url: opts.baseUrl,
      client_id: opts.clientId,
      client_secret: secret,
    };
    if (opts.caCerts) config.ca_certs = await readInputText(deps.io, opts.caCerts, "CA bundle");
    if (opts.noVerify) config.verify_server_certificate = false;
  } else if (opts.cmd === "cluster.saml.add" || opts.cmd === "cluster.saml.modify") {
    const xml = await readInputText(deps.io, opts.idpMetadata, "IdP metadata file");
    await checkXml(
      xml,
      `IdP metadata ${opts.idpMetadata === "-" ? "from stdin" : opts.idpMetadata}`,
    );
    config = { description: opts.description, idp_metadata: xml, sp_base_url: opts.spBaseUrl };
  }
  const client = new IdentityClient((await deps.session()).http);
  switch (opts.cmd) {
    case "cluster.oidc.add":
    case "cluster.saml.add":
      return await client.putProvider(kind, opts.id, config!, false);
    case "cluster.oidc.modify":
    case "cluster.saml.modify":
      return await client.putProvider(kind, opts.id, config!, true);
    case "cluster.oidc.delete":
    case "cluster.saml.delete":
      return await client.deleteProvider(kind, opts.id);
    case "cluster.oidc.show":
    case "cluster.saml.show":
      if (opts.ids.length) {
        return await emit(deps.io, await client.getProvider(kind, opts.ids[0]), opts);
      }
      return await emit(deps.io, await client.listProviders(kind), opts);
    case "cluster.saml.sp-metadata": {
      const xml = await client.samlSpMetadata(opts.id);
      if (opts.json) return await emit(deps.io, { "sp-metadata": xml }, { json: true });
      deps.io.out(xml.endsWith("\n") ? xml : xml + "\n");
      return;
    }
    case "cluster.saml.callback-url": {
      const url = await client.samlCallbackUrl(opts.id);
      if (opts.json) return await emit(deps.io, { "acs-callback-url": url }, { json: true });
      deps.io.out(url + "\n");
      return;
    }
  }
}
