/**
 * `dcos-security`: the DC/OS Enterprise `dcos security` CLI, re-implemented for Deno.
 * Runs standalone or as a dcos CLI plugin (`<exe> security <args>`).
 * @module
 */
import { styleText } from "node:util";
import { or } from "@optique/core/constructs";
import { message, text } from "@optique/core/message";
import type { InferValue } from "@optique/core/parser";
import { run as runParser } from "@optique/run";
import { authCommand, run as runAuth } from "./commands/auth.ts";
import { clusterCommand, run as runCluster } from "./commands/cluster/mod.ts";
import { type Deps, examples } from "./commands/common.ts";
import { orgCommand, run as runOrg } from "./commands/org/mod.ts";
import { run as runSandbox, sandboxCommand } from "./commands/sandbox.ts";
import { run as runSecrets, secretsCommand } from "./commands/secrets.ts";
import { CliError } from "./lib/errors.ts";
import { VERSION } from "./lib/http.ts";
import { denoIo, type Io } from "./lib/io.ts";
import { commandTree, didYouMean, type UsageTerm } from "./lib/suggest.ts";

/** The whole command tree. */
export const rootParser = or(
  authCommand,
  clusterCommand,
  orgCommand,
  sandboxCommand,
  secretsCommand,
);

/** Parsed options of any command. */
export type RootOptions = InferValue<typeof rootParser>;

/** The description printed by `--info` (the dcos CLI shows it in `dcos help`). */
export const INFO = "DC/OS security related commands";

/** Normalizes argv: drops the leading `security` word the dcos CLI passes to plugins. */
export function normalizeArgs(args: readonly string[]): string[] {
  return args[0] === "security" ? args.slice(1) : [...args];
}

/** Root help text (shown only on the root help page: Optique would put it on every error page). */
const ROOT_DOC = {
  brief: [text(`${INFO}.`)],
  description:
    message`Manage a DC/OS Enterprise cluster's users, groups, service accounts, permissions, certificate authority and secrets. Scripts written for ${"dcos security"} run unchanged; a leading ${"security"} word is accepted.`,
  footer: examples(
    "dcos-security sandbox --state-dir ./sbx",
    "dcos-security auth login --url https://master.example.com --username alice",
    "dcos-security org users show --json",
  ),
};

function isRootHelp(argv: readonly string[]): boolean {
  return argv.length === 0 || (argv.length === 1 && ["-h", "--help", "help"].includes(argv[0]));
}

/** Dispatches parsed options to the command's `run`. */
export async function dispatch(opts: RootOptions, deps: Deps): Promise<void> {
  if (opts.cmd.startsWith("auth.")) {
    return await runAuth(opts as Parameters<typeof runAuth>[0], deps);
  }
  if (opts.cmd.startsWith("cluster.")) {
    return await runCluster(opts as Parameters<typeof runCluster>[0], deps);
  }
  if (opts.cmd.startsWith("org.")) return await runOrg(opts as Parameters<typeof runOrg>[0], deps);
  if (opts.cmd.startsWith("secrets.")) {
    return await runSecrets(opts as Parameters<typeof runSecrets>[0], deps);
  }
  if (opts.cmd === "sandbox") {
    return await runSandbox(opts as Parameters<typeof runSandbox>[0], deps);
  }
  throw new Error(`no handler for command ${opts.cmd}`);
}

/** Makes the default dependencies: real IO and a session opened on first use. */
export function defaultDeps(io: Io): Deps & { close(): void } {
  let session: Awaited<ReturnType<Deps["session"]>> | undefined;
  return {
    io,
    async session() {
      if (!session) {
        const { openSession } = await import("./lib/session.ts");
        session = await openSession(io);
      }
      return session;
    },
    close() {
      session?.http.close();
    },
  };
}

/** `Error:`, in red on a terminal unless NO_COLOR is set. */
function errorLabel(io: Io): string {
  return io.stderrIsTty() && !io.env("NO_COLOR")
    ? styleText("red", "Error:", { validateStream: false })
    : "Error:";
}

/** Reports an error as one line and returns the exit code. */
export function reportError(io: Io, e: unknown): number {
  if (e instanceof CliError) {
    io.err(`${errorLabel(io)} ${e.message}`);
    if (io.env("DCOS_DEBUG") && e.cause) io.err(String((e.cause as Error).stack ?? e.cause));
    return e.exitCode;
  }
  const err = e as Error;
  io.err(`${errorLabel(io)} ${err?.message ?? String(e)}`);
  if (io.env("DCOS_DEBUG")) io.err(String(err?.stack ?? ""));
  else io.err("(set DCOS_DEBUG=1 for details)");
  return 1;
}

/** Runs the CLI with `args`; returns the exit code. */
export async function main(args: readonly string[], io: Io = denoIo): Promise<number> {
  const argv = normalizeArgs(args);
  if (argv.length === 1 && argv[0] === "--info") {
    io.out(INFO + "\n");
    return 0;
  }
  const opts = await runParser(rootParser, {
    programName: "dcos-security",
    args: argv.length ? argv : ["--help"],
    help: { option: { names: ["-h", "--help"] }, command: true },
    version: VERSION,
    completion: "both",
    aboveError: "help",
    errorExitCode: 2,
    commandList: "top-level",
    showChoices: true,
    showDefault: true,
    ...(isRootHelp(argv) ? ROOT_DOC : {}),
    stderr: (text) => {
      io.err(text);
      if (
        /^Error: (Unexpected option or subcommand|No matched option)/m.test(text) &&
        !/Did you mean/.test(text)
      ) {
        const hint = didYouMean(commandTree(rootParser.usage as readonly UsageTerm[]), argv);
        if (hint) io.err(hint);
      }
    },
  });
  const deps = defaultDeps(io);
  try {
    await dispatch(opts, deps);
    return 0;
  } catch (e) {
    return reportError(io, e);
  } finally {
    deps.close();
  }
}

if (import.meta.main) {
  Deno.env.delete("RUST_BACKTRACE");
  Deno.exit(await main(Deno.args));
}
