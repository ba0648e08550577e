/**
 * Progress on stderr for slow work, only when stderr is a terminal.
 * @module
 */
import type { Io } from "./io.ts";

/** Runs `work`, showing `label… Ns` on a terminal's stderr while it takes longer than a second. */
export async function withProgress<T>(io: Io, label: string, work: Promise<T>): Promise<T> {
  if (!io.stderrIsTty()) return await work;
  const started = Date.now();
  let shown = false;
  const timer = setInterval(() => {
    shown = true;
    const s = Math.round((Date.now() - started) / 1000);
    Deno.stderr.writeSync(new TextEncoder().encode(`\r${label}… ${s}s`));
  }, 1000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    if (shown) {
      Deno.stderr.writeSync(
        new TextEncoder().encode(
          `\r${label}… done (${((Date.now() - started) / 1000).toFixed(1)}s)\n`,
        ),
      );
    }
  }
}
