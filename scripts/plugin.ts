/**
 * `deno task plugin`: a dcos CLI plugin archive, `dist/dcos-security-plugin.zip`, that
 * `dcos plugin add` accepts, so `dcos security …` runs this CLI with the dcos CLI's environment.
 *
 * Layout: `plugin.toml` and `bin/dcos-security`. When a compiled executable for this platform is
 * in `dist/` (`deno task compile`), it is `bin/dcos-security`; otherwise `bin/dcos-security` is a
 * launcher that runs the bundle (`bin/dcos-security.js`) with `deno` and only the permissions the
 * CLI needs.
 */
import { zipSync } from "fflate";
import { INFO } from "../main.ts";

const root = new URL("..", import.meta.url).pathname;
const dist = `${root}dist`;
await Deno.mkdir(dist, { recursive: true });

const PLUGIN_TOML = `schema_version = 1
name = "dcos-security"

[[commands]]
name = "security"
path = "bin/dcos-security"
description = "${INFO}"
`;

const LAUNCHER = `#!/bin/sh
# dcos CLI plugin launcher: runs the bundled dcos-security with Deno.
here=$(cd "$(dirname "$0")" && pwd)
exec deno run --quiet --allow-net --allow-read --allow-write --allow-env "$here/dcos-security.js" "$@"
`;

const EXEC = 0o100755 << 16;
const FILE = 0o100644 << 16;
const files: Record<string, [Uint8Array, { attrs: number; os: number }]> = {
  "plugin.toml": [new TextEncoder().encode(PLUGIN_TOML), { attrs: FILE, os: 3 }],
};

const compiled = `${dist}/dcos-security-${Deno.build.target}`;
if (await Deno.stat(compiled).then(() => true, () => false)) {
  files["bin/dcos-security"] = [await Deno.readFile(compiled), { attrs: EXEC, os: 3 }];
  console.error(`using the compiled executable ${compiled}`);
} else {
  const bundle = `${dist}/dcos-security.js`;
  const build = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform=deno", "--minify", "-o", bundle, `${root}main.ts`],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!build.success) Deno.exit(1);
  files["bin/dcos-security"] = [new TextEncoder().encode(LAUNCHER), { attrs: EXEC, os: 3 }];
  files["bin/dcos-security.js"] = [await Deno.readFile(bundle), { attrs: FILE, os: 3 }];
  console.error(
    "no compiled executable in dist/: the plugin runs the bundle with deno (deno must be on PATH)",
  );
}
const zip = zipSync(
  Object.fromEntries(Object.entries(files).map(([k, [data, opts]]) => [k, [data, opts]])),
  { level: 9 },
);
const out = `${dist}/dcos-security-plugin.zip`;
await Deno.writeFile(out, zip);
console.error(`wrote ${out} (${zip.length} bytes): install with \`dcos plugin add ${out}\``);
