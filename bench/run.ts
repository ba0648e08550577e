/**
 * `deno task bench`: startup of `--help` against an empty `deno run` (from source and from the
 * bundle), and `org users show` / `--json` against a sandbox holding 10,000 users (wall time and
 * peak RSS). Timings are printed, never asserted.
 */
import { startSandbox } from "../sandbox/server.ts";
import { State } from "../sandbox/state.ts";
import { hashPassword } from "../sandbox/tokens.ts";
import { benchKeygen } from "./keygen.ts";
import { benchSecrets } from "./secrets.ts";

const root = new URL("..", import.meta.url).pathname;
const deno = Deno.execPath();
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 9);
const hasTime = await Deno.stat("/usr/bin/time").then(() => true, () => false);

interface Sample {
  ms: number;
  rssKb?: number;
}

async function once(args: string[], env: Record<string, string> = {}): Promise<Sample> {
  const cmd = hasTime ? "/usr/bin/time" : deno;
  const full = hasTime ? ["-f", "RSS_KB=%M", deno, ...args] : args;
  const t0 = performance.now();
  const out = await new Deno.Command(cmd, { args: full, env, stdout: "null", stderr: "piped" })
    .output();
  const ms = performance.now() - t0;
  const err = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${args.join(" ")} failed: ${err}`);
  const rss = err.match(/RSS_KB=(\d+)/)?.[1];
  return { ms, rssKb: rss ? Number(rss) : undefined };
}

async function measure(label: string, args: string[], env?: Record<string, string>) {
  await once(args, env); // warm-up (module cache)
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await once(args, env));
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const rss = samples.map((s) => s.rssKb ?? 0).sort((a, b) => a - b);
  const row = {
    label,
    median_ms: Math.round(ms[ms.length >> 1]),
    min_ms: Math.round(ms[0]),
    peak_rss_mb: Math.round(rss.at(-1)! / 1024),
  };
  console.log(
    `${label.padEnd(44)} median ${String(row.median_ms).padStart(5)} ms   min ${
      String(row.min_ms).padStart(5)
    } ms   peak RSS ${row.peak_rss_mb} MB`,
  );
  return row;
}

/** `deno run` argv for the CLI from source. */
const cli = (...args: string[]) => ["run", "-A", "--quiet", `${root}main.ts`, ...args];

const tmp = await Deno.makeTempDir({ prefix: "dcos-bench-" });
const results: Record<string, unknown>[] = [];
try {
  console.log(`runs per case: ${RUNS} (after one warm-up)\n`);
  await Deno.writeTextFile(`${tmp}/empty.ts`, "");
  const empty = await measure("deno run (empty script)", ["run", "--quiet", `${tmp}/empty.ts`]);
  results.push(empty);
  const bundle = `${root}dist/dcos-security.js`;
  const hasBundle = await Deno.stat(bundle).then(() => true, () => false);
  const entries: [string, string][] = [["source", `${root}main.ts`]];
  if (hasBundle) entries.push(["bundle", bundle]);
  else console.log("  (no dist/dcos-security.js: run `deno task bundle` to measure the bundle)");
  const startups: [string, string[]][] = [["--help", ["--help"]], ["completion request", [
    "completion",
    "bash",
    "org",
    "us",
  ]]];
  for (const [from, entry] of entries) {
    for (const [what, args] of startups) {
      const row = await measure(`dcos-security ${what} (${from})`, [
        "run",
        "-A",
        "--quiet",
        entry,
        ...args,
      ]);
      results.push(row);
      console.log(`  ratio to the empty script: ${(row.median_ms / empty.median_ms).toFixed(2)}`);
    }
  }

  console.log("\nseeding a sandbox with 10,000 users...");
  const stateDir = `${tmp}/sandbox`;
  await Deno.mkdir(stateDir, { recursive: true });
  const seedState = new State(`${stateDir}/state.db`);
  const hash = await hashPassword("bench-password");
  seedState.tx(() => {
    const stmt = seedState.db.prepare(
      "INSERT INTO users (uid, description, password_hash) VALUES (?, ?, ?)",
    );
    for (let i = 0; i < 10_000; i++) {
      stmt.run(`user${String(i).padStart(5, "0")}`, `Benchmark user ${i}`, hash);
    }
  });
  seedState.close();
  const sb = await startSandbox({ stateDir, port: 0 });
  try {
    const env = { HOME: tmp, DCOS_DIR: `${tmp}/.dcos`, PATH: Deno.env.get("PATH") ?? "" };
    const login = new Deno.Command(deno, {
      args: [
        "run",
        "-A",
        "--quiet",
        `${root}main.ts`,
        "auth",
        "login",
        "--url",
        sb.info.url,
        "--ca-cert",
        sb.info.ca_cert,
        "-u",
        "bootstrapuser",
        "--password-env",
        "PW",
      ],
      env: { ...env, PW: sb.info.superuser.password },
    });
    if (!(await login.output()).success) throw new Error("login failed");
    results.push(
      await measure("org users show (10,000 users, YAML)", cli("org", "users", "show"), env),
    );
    results.push(
      await measure(
        "org users show --json (10,000 users)",
        cli("org", "users", "show", "--json"),
        env,
      ),
    );
    const newcert = ["cluster", "ca", "newcert", "--cn", "b", "--host", "b.local", "--json"];
    results.push(await measure("cluster ca newcert (ecdsa-256, end to end)", cli(...newcert), env));
    results.push(
      await measure(
        "cluster ca newcert (rsa-2048, end to end)",
        cli(...newcert, "--key-algo", "rsa"),
        env,
      ),
    );
    results.push(...await benchSecrets(sb.info, root, env));
  } finally {
    await sb.close();
  }
  results.push(...await benchKeygen(RUNS));
  await Deno.mkdir(`${root}bench/results`, { recursive: true });
  const file = `${root}bench/results/${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify({ deno: Deno.version.deno, runs: RUNS, results }, null, 2) + "\n",
  );
  console.log(`\nresults written to ${file}`);
} finally {
  await Deno.remove(tmp, { recursive: true });
}
