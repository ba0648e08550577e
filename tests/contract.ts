/**
 * Contract checks: every exchange the sandbox saw is validated against the official DC/OS API specs
 * in `../shared/spec/api/*.yaml` — request bodies against the operation's body schema, responses
 * against the documented schema for their status, and undocumented error statuses against the
 * IAM error shape.
 * @module
 */
import { Ajv } from "ajv";
import { parse } from "yaml";
import type { Exchange } from "../sandbox/server.ts";
import { ROOT } from "./helpers.ts";

/** Where the specs are (the shared folder beside the repository). */
export const SPEC_DIR: string = Deno.env.get("DCOS_SPEC_DIR") ?? `${ROOT}/../shared/spec/api`;

interface Operation {
  parameters?: { in: string; schema?: unknown }[];
  responses: Record<string, { schema?: unknown }>;
}

interface LoadedSpec {
  basePath: string;
  paths: Record<string, Record<string, Operation>>;
  validators: Map<string, (data: unknown) => boolean>;
  ajv: Ajv;
  id: string;
}

const LIST = {
  type: "object",
  required: ["array"],
  properties: { array: { type: "array", items: { type: "string" } } },
  additionalProperties: false,
};

/**
 * Responses the real services give that the specs leave out, each from reference/dcos-api.md:
 * `POST /ldap/importgroup` answers 202 `{"imported_user_count": N}` on a partial import (§3.5).
 */
const KNOWN_EXTRA: Record<string, object> = {
  "POST /ldap/importgroup 202": {
    type: "object",
    required: ["imported_user_count"],
    properties: { imported_user_count: { type: "integer" } },
    additionalProperties: false,
  },
};

const IAM_ERROR = {
  type: "object",
  required: ["title"],
  properties: {
    title: { type: "string" },
    description: { type: "string" },
    code: { type: "string" },
  },
  additionalProperties: false,
};

/** Loads one spec file (e.g. `ent-iam.yaml`). */
export async function loadSpec(file: string): Promise<LoadedSpec> {
  const doc = parse(await Deno.readTextFile(`${SPEC_DIR}/${file}`));
  const id = file.replace(/\W/g, "_");
  const rewrite = (schema: unknown) =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/definitions/', `"${id}#/definitions/`));
  const ajv = new Ajv({ strict: false, allErrors: false });
  const definitions = rewrite(doc.definitions ?? {});
  // Known conflict (reference/dcos-api.md §9.10): the CA spec types `usages` as one string, CFSSL
  // (and so DC/OS) returns an array of those strings. Accept both, with the spec's enum.
  if (definitions.KeyUsages) {
    definitions.KeyUsages = {
      anyOf: [definitions.KeyUsages, { type: "array", items: definitions.KeyUsages }],
    };
  }
  ajv.addSchema({ $id: id, definitions });
  const paths: Record<string, Record<string, Operation>> = {};
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    paths[p] = {};
    for (const [m, op] of Object.entries(ops)) {
      if (m === "parameters") continue;
      const responses: Record<string, { schema?: unknown }> = {};
      for (const [code, r] of Object.entries(op.responses ?? {})) {
        responses[String(code)] = { schema: r.schema && rewrite(r.schema) };
      }
      paths[p][m.toUpperCase()] = {
        parameters: op.parameters?.map((x) => ({ ...x, schema: x.schema && rewrite(x.schema) })),
        responses,
      };
    }
  }
  return {
    basePath: String(doc.basePath ?? "").replace(/\/$/, ""),
    paths,
    validators: new Map(),
    ajv,
    id,
  };
}

function templateFor(spec: LoadedSpec, pattern: string): string | undefined {
  if (!pattern.startsWith(spec.basePath)) return undefined;
  const rest = pattern.slice(spec.basePath.length) || "/";
  const asTemplate = rest.replace(/:([A-Za-z_-]+)/g, (_, n) => `{${n}}`).replace("*path", "{path}");
  if (spec.paths[asTemplate]) return asTemplate;
  // parameter names may differ ({provider-id} vs :id): match by shape
  const shape = (p: string) => p.replace(/\{[^}]+\}/g, "{}");
  return Object.keys(spec.paths).find((p) => shape(p) === shape(asTemplate));
}

function check(
  spec: LoadedSpec,
  schema: unknown,
  data: unknown,
  where: string,
): string | undefined {
  const validate = spec.ajv.compile(schema as object);
  if (validate(data)) return undefined;
  return `${where}: ${spec.ajv.errorsText(validate.errors)}`;
}

/** Options for {@link validateExchanges}. */
export interface ValidateOptions {
  /**
   * Exchanges a test sent deliberately malformed: their request may break the schema, but then the
   * server must have answered 4xx.
   */
  negative?: ReadonlySet<Exchange>;
}

/** Validates exchanges whose route belongs to `spec`; returns the problems found. */
export function validateExchanges(
  spec: LoadedSpec,
  exchanges: readonly Exchange[],
  options: ValidateOptions = {},
): string[] {
  const problems: string[] = [];
  for (const x of exchanges) {
    if (!x.pattern) continue;
    const template = templateFor(spec, x.pattern);
    if (!template) continue;
    const op = spec.paths[template][x.method];
    const where = `${x.method} ${x.path} → ${x.status}`;
    if (!op) {
      problems.push(`${where}: method not in spec`);
      continue;
    }
    const bodyParam = op.parameters?.find((p) => p.in === "body");
    if (bodyParam?.schema && x.requestBody && (x.requestType ?? "").includes("json")) {
      let p: string | undefined;
      try {
        p = check(spec, bodyParam.schema, JSON.parse(x.requestBody), `${where} request`);
      } catch {
        p = `${where} request: body is not JSON`;
      }
      const rejected = x.status >= 400 && x.status < 500;
      if (p && !(options.negative?.has(x) && rejected)) problems.push(p);
    }
    const documented = op.responses[String(x.status)];
    const isJson = (x.responseType ?? "").includes("json");
    const secretRead = x.method === "GET" && template.startsWith("/secret/");
    if (secretRead && x.status === 200 && x.query.includes("list=true")) {
      // `?list=true` answers `{"array": [names]}`, which the spec does not describe (dcos-api.md §5.2).
      const p = check(spec, LIST, JSON.parse(x.responseBody), `${where} list response`);
      if (p) problems.push(p);
    } else if (secretRead && x.status === 200 && x.responseType === "application/octet-stream") {
      // binary secrets are served as raw bytes (dcos-api.md §5.2, binary secrets)
    } else if (KNOWN_EXTRA[`${x.method} ${template} ${x.status}`]) {
      const p = check(
        spec,
        KNOWN_EXTRA[`${x.method} ${template} ${x.status}`],
        JSON.parse(x.responseBody),
        `${where} response`,
      );
      if (p) problems.push(p);
    } else if (documented) {
      if (documented.schema) {
        if (!isJson) problems.push(`${where}: documented JSON response but got ${x.responseType}`);
        else {
          const p = check(spec, documented.schema, JSON.parse(x.responseBody), `${where} response`);
          if (p) problems.push(p);
        }
      }
    } else if (x.status < 400) {
      problems.push(
        `${where}: status ${x.status} is not documented (${Object.keys(op.responses).join(", ")})`,
      );
    } else if (isJson) {
      const p = check(spec, IAM_ERROR, JSON.parse(x.responseBody), `${where} error body`);
      if (p) problems.push(p);
    } else if (![401, 403].includes(x.status)) {
      problems.push(`${where}: error without a JSON body`);
    }
  }
  return problems;
}
