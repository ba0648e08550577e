/**
 * `deno task compile [TARGET...]`: single executables in `dist/dcos-security-<target>` with only the
 * permissions the CLI needs (net, read, write, env) baked in.
 *
 * `deno compile` downloads its `denort` runtime per target. On a builder without internet, set
 * `DENORT_BIN=/path/to/denort` (the `denort` of the same Deno version, for the host target): only the
 * host target is then built.
 */
const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];
const PERMISSIONS = ["--allow-net", "--allow-read", "--allow-write", "--allow-env"];
const root = new URL("..", import.meta.url).pathname;

const host = Deno.build.target;
let targets = Deno.args.length ? Deno.args : TARGETS;
if (Deno.env.get("DENORT_BIN")) {
  targets = targets.filter((t) => t === host);
  if (!targets.length) targets = [host];
  console.error(`DENORT_BIN is set: building only the host target ${host}`);
}
for (const t of targets) {
  if (!TARGETS.includes(t)) {
    console.error(`unknown target ${t}; known: ${TARGETS.join(", ")}`);
    Deno.exit(2);
  }
}
let failed = 0;
for (const target of targets) {
  const out = `${root}dist/dcos-security-${target}${target.includes("windows") ? ".exe" : ""}`;
  const args = [
    "compile",
    ...PERMISSIONS,
    "--no-check",
    "--target",
    target,
    "--output",
    out,
    `${root}main.ts`,
  ];
  console.error(`$ deno ${args.join(" ")}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    failed++;
    console.error(
      `compile for ${target} failed (exit ${code}); without internet set DENORT_BIN to a local denort`,
    );
  }
}
Deno.exit(failed ? 1 : 0);
