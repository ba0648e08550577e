/**
 * Response and request helpers that reproduce the IAM (Bouncer) middleware: pretty JSON bodies,
 * Falcon-style `{title, description, code}` errors, content-type rules and JSON-schema checks of
 * request bodies.
 * @module
 */
import { STATUS_TEXT } from "./status_text.ts";

/** A tiny JSON schema (the subset the IAM spec uses). */
export interface MiniSchema {
  /** Expected JSON type. */
  type: "object" | "string" | "integer" | "boolean" | "array";
  /** Object properties. */
  properties?: Record<string, MiniSchema>;
  /** Required property names. */
  required?: readonly string[];
  /** Whether unknown properties are rejected (default allowed). */
  additionalProperties?: boolean;
  /** Item schema for arrays. */
  items?: MiniSchema;
}

/** Thrown by handlers to answer with an IAM error. */
export class HttpError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Error body. */
  readonly body: Record<string, string>;
  /** Extra response headers. */
  readonly headers: Record<string, string>;
  /** Creates an HTTP error response. */
  constructor(
    status: number,
    description: string,
    options: { code?: string; title?: string; headers?: Record<string, string> } = {},
  ) {
    super(description);
    this.status = status;
    this.body = { title: options.title ?? statusLine(status), description };
    if (options.code) this.body.code = options.code;
    this.headers = options.headers ?? {};
  }
}

/** `"400 Bad Request"` for 400. */
export function statusLine(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? "Error"}`;
}

/** A pretty-printed JSON response (indent 2, trailing newline), like Bouncer. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body, null, 2) + "\n", {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}

/** An empty response (201/204). */
export function empty(status: number): Response {
  return new Response(null, { status });
}

/** Reads a JSON request body with the IAM middleware's rules and validates it against `schema`. */
export async function readJsonBody<T>(req: Request, schema: MiniSchema): Promise<T> {
  const raw = new Uint8Array(await req.arrayBuffer());
  const ctype = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (raw.length > 0 && !ctype) {
    throw new HttpError(400, "Missing Content-Type header.", { title: "Bad Request" });
  }
  if (
    raw.length > 0 && ctype !== "application/json" && ctype !== "application/x-www-form-urlencoded"
  ) {
    throw new HttpError(415, "Unexpected or undefined Content-Type");
  }
  if (raw.length === 0 || ctype !== "application/json") {
    throw new HttpError(400, "Request has bad Content-Type or lacks JSON data", {
      title: "Bad Request",
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch (e) {
    throw new HttpError(400, `Cannot decode JSON body: ${e instanceof Error ? e.message : e}`, {
      title: "Bad Request",
    });
  }
  const problem = validate(value, schema);
  if (problem) {
    throw new HttpError(400, `Unexpected JSON input. Hint: ${problem}`, { title: "Bad Request" });
  }
  return value as T;
}

/** Returns a jsonschema-style message for the first violation, or undefined. */
export function validate(value: unknown, schema: MiniSchema, path = ""): string | undefined {
  const at = path ? ` at ${path}` : "";
  switch (schema.type) {
    case "object": {
      if (!value || typeof value !== "object" || Array.isArray(value)) {
        return `${short(value)} is not of type 'object'${at}`;
      }
      const obj = value as Record<string, unknown>;
      for (const r of schema.required ?? []) {
        if (!(r in obj)) return `'${r}' is a required property${at}`;
      }
      if (schema.additionalProperties === false) {
        const extra = Object.keys(obj).filter((k) => !(k in (schema.properties ?? {})));
        if (extra.length) {
          return `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(", ")} ${
            extra.length === 1 ? "was" : "were"
          } unexpected)${at}`;
        }
      }
      for (const [k, sub] of Object.entries(schema.properties ?? {})) {
        if (k in obj) {
          const p = validate(obj[k], sub, path ? `${path}.${k}` : k);
          if (p) return p;
        }
      }
      return undefined;
    }
    case "string":
      return typeof value === "string" ? undefined : `${short(value)} is not of type 'string'${at}`;
    case "integer":
      return Number.isInteger(value) ? undefined : `${short(value)} is not of type 'integer'${at}`;
    case "boolean":
      return typeof value === "boolean"
        ? undefined
        : `${short(value)} is not of type 'boolean'${at}`;
    case "array": {
      if (!Array.isArray(value)) return `${short(value)} is not of type 'array'${at}`;
      for (const [i, item] of value.entries()) {
        const p = schema.items && validate(item, schema.items, `${path}[${i}]`);
        if (p) return p;
      }
      return undefined;
    }
  }
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 37) + "..." : s;
}

/** Shorthand for an object schema with string properties. */
export function stringObject(
  props: readonly string[],
  required: readonly string[] = [],
): MiniSchema {
  return {
    type: "object",
    properties: Object.fromEntries(props.map((p) => [p, { type: "string" } as MiniSchema])),
    required,
    additionalProperties: false,
  };
}
