/**
 * Terminal IO passed to every command's `run(opts, deps)`, so tests can drive commands without a
 * terminal.
 * @module
 */

/** The IO a command may use: output streams, stdin, environment and terminal detection. */
export interface Io {
  /** Writes text or bytes to standard output. */
  out(data: string | Uint8Array): void;
  /** Writes one line (a newline is added) to standard error. */
  err(line: string): void;
  /** Reads all of standard input. */
  readStdin(): Promise<Uint8Array>;
  /** Whether stdin is an interactive terminal (prompts are allowed only then). */
  stdinIsTty(): boolean;
  /** Whether stderr is a terminal (progress and colour only then). */
  stderrIsTty(): boolean;
  /** Reads a line from the terminal without echo. */
  promptSecret(question: string): Promise<string>;
  /** Environment lookup. */
  env(name: string): string | undefined;
}

const encoder = new TextEncoder();

function writeAllSync(file: { writeSync(p: Uint8Array): number }, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += file.writeSync(data.subarray(off));
}

/** The process's real terminal IO. */
export const denoIo: Io = {
  out(data) {
    writeAllSync(Deno.stdout, typeof data === "string" ? encoder.encode(data) : data);
  },
  err(line) {
    writeAllSync(Deno.stderr, encoder.encode(line + "\n"));
  },
  async readStdin() {
    return new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
  },
  stdinIsTty: () => Deno.stdin.isTerminal(),
  stderrIsTty: () => Deno.stderr.isTerminal(),
  async promptSecret(question) {
    writeAllSync(Deno.stderr, encoder.encode(question));
    Deno.stdin.setRaw(true);
    const chars: number[] = [];
    const buf = new Uint8Array(1);
    try {
      while (true) {
        const n = await Deno.stdin.read(buf);
        if (n === null || buf[0] === 13 || buf[0] === 10) break;
        if (buf[0] === 3) throw new Error("interrupted");
        if (buf[0] === 127 || buf[0] === 8) chars.pop();
        else chars.push(buf[0]);
      }
    } finally {
      Deno.stdin.setRaw(false);
      writeAllSync(Deno.stderr, encoder.encode("\n"));
    }
    return new TextDecoder().decode(new Uint8Array(chars));
  },
  env: (name) => Deno.env.get(name),
};
