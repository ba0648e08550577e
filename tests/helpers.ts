/**
 * Test helpers: an in-process sandbox that records every exchange for contract checks, and a runner
 * for the real CLI as a subprocess in a clean environment.
 * @module
 */
import { type Exchange, type Sandbox, startSandbox } from "../sandbox/server.ts";

/** Repository root. */
export const ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Result of one CLI run. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
  /** Standard output bytes. */
  bytes: Uint8Array;
}

/** Options for {@link runCli}. */
export interface RunCliOptions {
  /** Extra environment (on top of a clean one with HOME, PATH, NO_COLOR). */
  env?: Record<string, string>;
  /** Bytes or text for stdin (default: empty, not a terminal). */
  stdin?: string | Uint8Array;
  /** Working directory. */
  cwd?: string;
}

/** Runs `deno run -A main.ts ...args` and captures its output. */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const home = options.env?.HOME ?? Deno.makeTempDirSync({ prefix: "dcos-home-" });
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${ROOT}/main.ts`, ...args],
    cwd: options.cwd ?? ROOT,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      NO_COLOR: "1",
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
      ...options.env,
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  const writer = child.stdin.getWriter();
  if (options.stdin !== undefined) {
    await writer.write(
      typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin,
    );
  }
  await writer.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    bytes: out.stdout,
  };
}

/** A sandbox for one test file, with a logged-in superuser in a private DCOS_DIR. */
export interface TestCluster {
  /** The running sandbox. */
  sandbox: Sandbox;
  /** Every request/response seen by the sandbox. */
  exchanges: Exchange[];
  /** Environment that points the CLI at the sandbox as the superuser. */
  env: Record<string, string>;
  /** The sandbox state directory. */
  stateDir: string;
  /** Runs the CLI against this cluster. */
  cli(args: string[], options?: RunCliOptions): Promise<CliResult>;
  /** Stops the sandbox and removes temporary files. */
  close(): Promise<void>;
}

/** Starts a sandbox in-process and logs in as bootstrapuser through the real CLI. */
export async function startTestCluster(): Promise<TestCluster> {
  const stateDir = await Deno.makeTempDir({ prefix: "dcos-sbx-" });
  const home = await Deno.makeTempDir({ prefix: "dcos-home-" });
  const exchanges: Exchange[] = [];
  const sandbox = await startSandbox({ stateDir, port: 0, onExchange: (x) => exchanges.push(x) });
  const env = { HOME: home, DCOS_DIR: `${home}/.dcos` };
  const login = await runCli([
    "auth",
    "login",
    "--url",
    sandbox.info.url,
    "--ca-cert",
    sandbox.info.ca_cert,
    "--username",
    "bootstrapuser",
    "--password-file",
    "-",
  ], { env, stdin: sandbox.info.superuser.password });
  if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
  return {
    sandbox,
    exchanges,
    env,
    stateDir,
    cli: (args, options = {}) => runCli(args, { ...options, env: { ...env, ...options.env } }),
    async close() {
      await sandbox.close();
      await Deno.remove(stateDir, { recursive: true }).catch(() => {});
      await Deno.remove(home, { recursive: true }).catch(() => {});
    },
  };
}

/** Runs a command line in a shell-free way and returns stdout (throws on failure). */
export async function sh(
  cmd: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(cmd, { args, stdin: "piped", stdout: "piped", stderr: "piped" })
    .spawn();
  const w = child.stdin.getWriter();
  if (stdin) await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Asserts a CLI result's exit code, showing its output when it differs. */
export function expectCode(r: CliResult, code: number): void {
  if (r.code !== code) {
    throw new Error(
      `expected exit ${code}, got ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    );
  }
}

/** Sandbox connection details as tests use them. */
export type SandboxInfoLike = {
  url: string;
  ca_cert: string;
  superuser: { uid: string; password: string };
};

/** Logs `uid` in with `password` through the real CLI into its own DCOS_DIR under `home`; returns its env. */
export async function loginAs(
  info: SandboxInfoLike,
  uid: string,
  password: string,
  home: string,
): Promise<Record<string, string>> {
  const env = { HOME: home, DCOS_DIR: `${home}/.dcos-${uid}` };
  const r = await runCli(
    [
      "auth",
      "login",
      "--url",
      info.url,
      "--ca-cert",
      info.ca_cert,
      "-u",
      uid,
      "--password-env",
      "DCOS_TEST_PW",
    ],
    { env: { ...env, DCOS_TEST_PW: password } },
  );
  if (r.code !== 0) throw new Error(`login as ${uid} failed: ${r.stderr}`);
  return env;
}

/** Calls the sandbox API directly, for checks the CLI does not print. */
export async function api(
  info: SandboxInfoLike,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; token?: string | null } = {},
): Promise<Response> {
  const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(info.ca_cert)] });
  try {
    const headers: Record<string, string> = { "content-type": "application/json" };
    const token = options.token === undefined ? await apiToken(info) : options.token;
    if (token) headers.authorization = `token=${token}`;
    const body = options.rawBody ??
      (options.body === undefined ? undefined : JSON.stringify(options.body));
    const res = await fetch(info.url + path, { method, client, headers, body });
    const bytes = await res.arrayBuffer();
    return new Response(res.status === 204 ? null : bytes, {
      status: res.status,
      headers: res.headers,
    });
  } finally {
    client.close();
  }
}

/** An auth token for `uid` (default: the superuser) from the sandbox's login endpoint. */
export async function apiToken(
  info: SandboxInfoLike,
  uid?: string,
  password?: string,
): Promise<string> {
  const res = await api(info, "POST", "/acs/api/v1/auth/login", {
    token: null,
    body: { uid: uid ?? info.superuser.uid, password: password ?? info.superuser.password },
  });
  if (res.status !== 200) throw new Error(`login as ${uid} failed: HTTP ${res.status}`);
  return (await res.json()).token;
}
