/**
 * The output layer: human output is block YAML like the original CLI (4-space indent, sorted keys),
 * with PEM values as clean literal blocks; `--json` is indented JSON with sorted keys.
 * @module
 */
import type { Io } from "./io.ts";

/** Returns a deep copy of `value` with object keys sorted. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

/** Renders a value as indented JSON (2 spaces, sorted keys) with a trailing newline. */
export function renderJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

/** Renders a value as block YAML in the original's style (4-space indent, sorted keys). */
export async function renderYaml(value: unknown): Promise<string> {
  const { stringify } = await import("yaml");
  return stringify(value, {
    indent: 4,
    indentSeq: false,
    sortMapEntries: true,
    singleQuote: true,
    lineWidth: 0,
    blockQuote: "literal",
    aliasDuplicateObjects: false,
  });
}

/** Options for {@link emit}. */
export interface EmitOptions {
  /** Print JSON instead of YAML. */
  json?: boolean;
}

/** Prints `value` on stdout as YAML, or JSON with `json: true`. */
export async function emit(io: Io, value: unknown, options: EmitOptions = {}): Promise<void> {
  io.out(options.json ? renderJson(value) : await renderYaml(value));
}

/** Turns a list of objects into a map keyed by `key`, dropping that key (the original's shape). */
export function keyedBy<T extends object>(
  items: readonly T[],
  key: keyof T & string,
  options: { drop?: readonly string[] } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) out[String(item[key])] = omit(item, [key, ...(options.drop ?? [])]);
  return out;
}

/** Returns a shallow copy of `obj` without the given keys. */
export function omit<T extends object>(obj: T, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!keys.includes(k)) out[k] = v;
  return out;
}
