/**
 * Secrets throughput and latency against a sandbox, in-process over HTTPS: create and list 10,000
 * secrets sequentially and with concurrency, and `get` latency (client library and whole CLI).
 */
import { HttpClient } from "../lib/http.ts";
import { IamClient } from "../lib/iam.ts";
import { SecretsClient } from "../lib/secrets.ts";
import type { SandboxInfo } from "../sandbox/server.ts";

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** Runs the secrets benchmark against a running sandbox. */
export async function benchSecrets(
  info: SandboxInfo,
  root: string,
  env: Record<string, string>,
): Promise<Record<string, unknown>[]> {
  const count = Number(Deno.env.get("BENCH_SECRETS") ?? 10_000);
  const http = new HttpClient({ baseUrl: info.url, caPem: await Deno.readTextFile(info.ca_cert) });
  http.setToken(
    await new IamClient(http).login({ uid: info.superuser.uid, password: info.superuser.password }),
  );
  const secrets = new SecretsClient(http);
  const rows: Record<string, unknown>[] = [];
  const report = (label: string, n: number, ms: number) => {
    const row = { label, count: n, ms: Math.round(ms), per_second: Math.round((n / ms) * 1000) };
    console.log(
      `  ${label.padEnd(40)} ${String(row.count).padStart(6)} in ${
        String(row.ms).padStart(6)
      } ms  (${row.per_second}/s)`,
    );
    rows.push(row);
  };
  console.log(`\nsecrets (${count} per run, in-process client over HTTPS)`);
  const half = Math.floor(count / 2);
  let t0 = performance.now();
  for (let i = 0; i < half; i++) {
    await secrets.create("default", `bench/seq/s${i}`, { text: `value-${i}` });
  }
  report("create, sequential", half, performance.now() - t0);
  t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count - half) {
      const i = next++;
      await secrets.create("default", `bench/par/s${i}`, { text: `value-${i}` });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  report("create, 16 concurrent", count - half, performance.now() - t0);
  t0 = performance.now();
  const names = await secrets.list("default", "bench");
  report("list (one request)", names.length, performance.now() - t0);
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) {
    const s = performance.now();
    await secrets.getBytes("default", `bench/seq/s${i % half}`);
    lat.push(performance.now() - s);
  }
  console.log(
    `  get latency (client): p50 ${pct(lat, 0.5).toFixed(2)} ms, p95 ${
      pct(lat, 0.95).toFixed(2)
    } ms`,
  );
  rows.push({ label: "get latency (client)", p50_ms: pct(lat, 0.5), p95_ms: pct(lat, 0.95) });
  const cli: number[] = [];
  for (let i = 0; i < 7; i++) {
    const s = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", `${root}main.ts`, "secrets", "get", "bench/seq/s1"],
      env,
      stdout: "null",
      stderr: "null",
    }).output();
    if (!out.success) throw new Error("secrets get failed");
    cli.push(performance.now() - s);
  }
  console.log(`  get latency (whole CLI process): median ${pct(cli, 0.5).toFixed(0)} ms`);
  rows.push({ label: "get latency (CLI)", median_ms: Math.round(pct(cli, 0.5)) });
  http.close();
  return rows;
}
