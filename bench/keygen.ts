/**
 * Key generation per algorithm and size: WebCrypto in Deno against `openssl genpkey`, same run.
 * RSA-8192 only with BENCH_FULL=1 (tens of seconds per key).
 */
import { generateKey, type KeySpec } from "../lib/csr.ts";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function opensslGen(spec: KeySpec): Promise<number> {
  const args = spec.algo === "rsa"
    ? ["genpkey", "-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${spec.size}`]
    : ["genpkey", "-algorithm", "EC", "-pkeyopt", `ec_paramgen_curve:P-${spec.size}`];
  const t0 = performance.now();
  const out = await new Deno.Command("openssl", { args, stdout: "null", stderr: "null" }).output();
  if (!out.success) throw new Error("openssl genpkey failed");
  return performance.now() - t0;
}

/** Runs the key-generation benchmark; returns rows for the results file. */
export async function benchKeygen(runs: number): Promise<Record<string, unknown>[]> {
  const specs: KeySpec[] = [
    { algo: "ecdsa", size: 256 },
    { algo: "ecdsa", size: 384 },
    { algo: "ecdsa", size: 521 },
    { algo: "rsa", size: 2048 },
    { algo: "rsa", size: 4096 },
  ];
  if (Deno.env.get("BENCH_FULL") === "1") specs.push({ algo: "rsa", size: 8192 });
  const rows: Record<string, unknown>[] = [];
  console.log("\nkey generation (median; openssl includes its process start)");
  for (const spec of specs) {
    const n = spec.size >= 4096 ? Math.min(runs, spec.size === 8192 ? 3 : 5) : runs;
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await generateKey(spec);
      ours.push(performance.now() - t0);
      theirs.push(await opensslGen(spec));
    }
    const row = {
      label: `${spec.algo}-${spec.size}`,
      webcrypto_ms: Number(median(ours).toFixed(1)),
      openssl_ms: Number(median(theirs).toFixed(1)),
      ratio: Number((median(ours) / median(theirs)).toFixed(2)),
      runs: n,
    };
    console.log(
      `  ${row.label.padEnd(11)} webcrypto ${String(row.webcrypto_ms).padStart(8)} ms   openssl ${
        String(row.openssl_ms).padStart(8)
      } ms   ratio ${row.ratio}`,
    );
    rows.push(row);
  }
  if (Deno.env.get("BENCH_FULL") !== "1") {
    console.log("  (rsa-8192 skipped: BENCH_FULL=1 includes it)");
  }
  return rows;
}
