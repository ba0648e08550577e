/**
 * Reading user-supplied inputs: files or `-` for stdin, and secrets from a file, stdin, an
 * environment variable or a no-echo prompt on a terminal (never on a pipe).
 * @module
 */
import { CliError, UsageError } from "./errors.ts";
import { describeFsError } from "./fs_safe.ts";
import type { Io } from "./io.ts";

/** Reads a file's bytes, or all of stdin for `-`. Errors name the file and the reason. */
export async function readInputBytes(io: Io, path: string, what = "file"): Promise<Uint8Array> {
  if (path === "-") return await io.readStdin();
  try {
    return await Deno.readFile(path);
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${describeFsError(e)}`);
  }
}

/** Reads a UTF-8 text file (or stdin for `-`), rejecting invalid UTF-8. */
export async function readInputText(io: Io, path: string, what = "file"): Promise<string> {
  const bytes = await readInputBytes(io, path, what);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${what} ${path === "-" ? "from stdin" : path} is not valid UTF-8 text`);
  }
}

/** Where a secret value may come from; at most one of value/file/env may be set. */
export interface SecretSource {
  /** The value itself (given on the command line). */
  value?: string;
  /** A file to read, or `-` for stdin. */
  file?: string;
  /** An environment variable holding the value. */
  env?: string;
}

/** Options for {@link readSecret}. */
export interface ReadSecretOptions {
  /** What the secret is, for prompts and errors ("password", "client secret"). */
  what: string;
  /** The option names to mention in errors, e.g. `-p/--password, --password-file or --password-env`. */
  hint: string;
  /** Whether a missing secret is an error (default true). */
  required?: boolean;
  /** Ask twice on a terminal and require both answers to match. */
  confirm?: boolean;
}

/**
 * Resolves a secret from exactly one source. With no source, prompts without echo when stdin is a
 * terminal; otherwise fails with a usage error (never prompts on a pipe). Text read from a file or
 * stdin loses one trailing newline.
 */
export async function readSecret(
  io: Io,
  source: SecretSource,
  options: ReadSecretOptions,
): Promise<string | undefined> {
  const given = [source.value, source.file, source.env].filter((x) => x !== undefined);
  if (given.length > 1) {
    throw new UsageError(`give the ${options.what} only once (${options.hint})`);
  }
  if (source.value !== undefined) return source.value;
  if (source.file !== undefined) {
    const text = await readInputText(io, source.file, `${options.what} file`);
    return text.replace(/\r?\n$/, "");
  }
  if (source.env !== undefined) {
    const v = io.env(source.env);
    if (v === undefined) {
      throw new UsageError(`environment variable ${source.env} (${options.what}) is not set`);
    }
    return v;
  }
  if (options.required === false) return undefined;
  if (!io.stdinIsTty()) {
    throw new UsageError(`missing ${options.what}: give ${options.hint} (stdin is not a terminal)`);
  }
  const answer = await io.promptSecret(`${capitalize(options.what)}: `);
  if (options.confirm) {
    const again = await io.promptSecret(`Repeat ${options.what}: `);
    if (again !== answer) throw new CliError(`the two ${options.what}s do not match`);
  }
  return answer;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
