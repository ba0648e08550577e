/**
 * `sandbox`: serve a local emulation of the cluster's IAM over HTTPS until interrupted.
 * @module
 */
import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { optional, withDefault } from "@optique/core/modifiers";
import type { InferValue } from "@optique/core/parser";
import { command, constant, option } from "@optique/core/primitives";
import { integer, string } from "@optique/core/valueparser";
import { UsageError } from "../lib/errors.ts";
import { type Deps, examples } from "./common.ts";

/** The `sandbox` command. */
export const sandboxCommand = command(
  "sandbox",
  object({
    cmd: constant("sandbox"),
    host: withDefault(
      option("--host", string({ metavar: "ADDR" }), { description: message`Listen address.` }),
      "127.0.0.1",
    ),
    port: optional(option("--port", integer({ min: 0, max: 65535, metavar: "PORT" }), {
      description: message`Port (0 for any free port; default: the previous port, else any).`,
    })),
    unsealShares: optional(option("--unseal-shares", integer({ min: 1, max: 16, metavar: "N" }), {
      description: message`Unseal keys to make on first start (default 3).`,
    })),
    unsealThreshold: optional(
      option("--unseal-threshold", integer({ min: 1, max: 16, metavar: "T" }), {
        description: message`Unseal keys needed to unseal (default 2).`,
      }),
    ),
    stateDir: optional(option("--state-dir", string({ metavar: "DIR" }), {
      description:
        message`Where state is kept (default: $XDG_STATE_HOME/dcos-security/sandbox or ~/.local/state/dcos-security/sandbox).`,
    })),
  }),
  {
    brief: message`Serve a local DC/OS security sandbox over HTTPS.`,
    description:
      message`Serve a local DC/OS security sandbox (IAM over HTTPS) with durable state. The first start creates a CA, the superuser bootstrapuser with a random password, and DIR/sandbox.json (mode 0600) with the URL, CA path and password. Stops on Ctrl-C or SIGTERM.`,
    footer: examples(
      "dcos-security sandbox --state-dir ./sbx --port 8443",
      "jq -r .superuser.password sbx/sandbox.json | dcos-security auth login --url https://127.0.0.1:8443 --ca-cert sbx/ca.crt --username bootstrapuser --password-file -",
    ),
  },
);

/** Parsed options of `sandbox`. */
export type SandboxCommandOptions = InferValue<typeof sandboxCommand>;

/** The default state directory. */
export function defaultStateDir(env: (name: string) => string | undefined): string {
  const xdg = env("XDG_STATE_HOME");
  return `${xdg || `${env("HOME") ?? "."}/.local/state`}/dcos-security/sandbox`;
}

/** Runs the sandbox until SIGINT/SIGTERM. */
export async function run(opts: SandboxCommandOptions, deps: Deps): Promise<void> {
  const { startSandbox } = await import("../sandbox/server.ts");
  const stateDir = opts.stateDir ?? defaultStateDir(deps.io.env);
  const shares = opts.unsealShares ?? 3;
  const threshold = opts.unsealThreshold ?? Math.min(2, shares);
  if (threshold > shares) throw new UsageError("--unseal-threshold cannot exceed --unseal-shares");
  const sb = await startSandbox({
    stateDir,
    host: opts.host,
    port: opts.port,
    unsealShares: shares,
    unsealThreshold: threshold,
  });
  const { info } = sb;
  // listen for signals before telling anyone we are up, so an early Ctrl-C still stops cleanly
  const stopped = new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGINT", () => resolve());
    Deno.addSignalListener("SIGTERM", () => resolve());
  });
  deps.io.out(
    [
      `dcos-security sandbox listening on ${info.url}`,
      `  state:     ${stateDir}`,
      `  CA:        ${info.ca_cert}`,
      `  superuser: ${info.superuser.uid} (password in ${sb.infoPath})`,
      `  secrets:   store default, ${
        sb.sealStatus().sealed ? "SEALED" : "unsealed"
      } (unseal keys in ${sb.infoPath}, ${info.unseal_threshold} needed)`,
      `Log in with:`,
      `  jq -r .superuser.password ${sb.infoPath} | dcos-security auth login --url ${info.url} --ca-cert ${info.ca_cert} --username ${info.superuser.uid} --password-file -`,
      `Press Ctrl-C to stop.`,
      "",
    ].join("\n"),
  );
  await stopped;
  await sb.close();
  deps.io.err("sandbox stopped");
}
