/**
 * A terminal for tests: a shell in its own tmux server, typed into with send-keys and read with
 * capture-pane.
 * @module
 */

/** Runs tmux against one server socket; returns stdout. */
export async function tmux(socket: string, args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", {
    args: ["-L", socket, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`tmux ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Whether a command is on the PATH. */
export async function have(cmd: string): Promise<boolean> {
  return (await new Deno.Command("sh", {
    args: ["-c", `command -v ${cmd}`],
    stdout: "null",
    stderr: "null",
  }).output()).success;
}

/** An interactive terminal running `command` in `dir`. */
export class Terminal {
  readonly #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /** Starts `command` (argv) in a 220x50 terminal and waits for `ready` on screen. */
  static async start(
    command: string[],
    options: { dir: string; ready?: string },
  ): Promise<Terminal> {
    const socket = `dcos-test-${crypto.randomUUID().slice(0, 12)}`;
    await tmux(socket, [
      "new-session",
      "-d",
      "-s",
      "s",
      "-x",
      "220",
      "-y",
      "50",
      "-c",
      options.dir,
      ...command,
    ]);
    const term = new Terminal(socket);
    await term.waitFor((s) => s.includes(options.ready ?? "$"), 10_000);
    return term;
  }

  /** The visible screen (with `escapes`, including colour escape sequences). */
  screen(options: { escapes?: boolean } = {}): Promise<string> {
    return tmux(this.#socket, [
      "capture-pane",
      "-p",
      ...(options.escapes ? ["-e"] : []),
      "-t",
      "s",
    ]);
  }

  /** Polls the screen until `pred` holds or `ms` pass; returns the last screen. */
  async waitFor(pred: (screen: string) => boolean, ms = 8000): Promise<string> {
    const end = Date.now() + ms;
    let screen = "";
    while (Date.now() < end) {
      screen = await this.screen();
      if (pred(screen)) return screen;
      await new Promise((r) => setTimeout(r, 100));
    }
    return screen;
  }

  /** Types text literally. */
  async type(text: string): Promise<void> {
    await tmux(this.#socket, ["send-keys", "-t", "s", "-l", text]);
  }

  /** Presses keys (tmux key names such as `Enter`, `Tab`, `C-u`). */
  async press(...keys: string[]): Promise<void> {
    await tmux(this.#socket, ["send-keys", "-t", "s", ...keys]);
  }

  /** Ends the terminal. */
  async close(): Promise<void> {
    await tmux(this.#socket, ["kill-server"]).catch(() => "");
  }
}
