/**
 * Careful file writing: atomic replace via a temporary file in the same directory, explicit modes,
 * and no overwrite without consent.
 * @module
 */
import { CliError } from "./errors.ts";

/** Options for {@link writeFileAtomic}. */
export interface WriteAtomicOptions {
  /** File mode of the new file (default 0o644). */
  mode?: number;
  /** Replace an existing file (default false: an existing file is an error). */
  overwrite?: boolean;
}

/** Whether a path exists (following links). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Writes `data` to `path` atomically: a temporary file with the final mode is written, synced and
 * renamed over the target, so readers never see a half-written file.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteAtomicOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o644;
  if (!options.overwrite && await exists(path)) {
    throw new CliError(`refusing to overwrite existing file ${path} (use --force to replace it)`);
  }
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
  const tmp = `${dir}/.${path.slice(path.lastIndexOf("/") + 1)}.${crypto.randomUUID()}.tmp`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(tmp, { write: true, createNew: true, mode });
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
    await file.syncData();
    file.close();
    file = undefined;
    if (!options.overwrite && await exists(path)) {
      throw new CliError(`refusing to overwrite existing file ${path} (use --force to replace it)`);
    }
    await Deno.chmod(tmp, mode);
    await Deno.rename(tmp, path);
  } catch (e) {
    file?.close();
    await Deno.remove(tmp).catch(() => {});
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot write ${path}: ${describeFsError(e)}`, { cause: e });
  }
}

/** A short reason for a filesystem error (no stack). */
export function describeFsError(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "no such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "is a directory";
  if (e instanceof Error) return e.message.replace(/, (open|stat|rename) '.*$/, "");
  return String(e);
}
