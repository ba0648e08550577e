/**
 * Distribution: the bundle copied alone to a temporary directory runs with a plain `deno run` and
 * only the permissions the CLI needs; the dcos CLI plugin archive has the layout `dcos plugin add`
 * expects.
 */
import { unzipSync } from "fflate";
import { parse as parseToml } from "smol-toml";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { ROOT, startTestCluster } from "./helpers.ts";

const PERMS = ["--allow-net", "--allow-read", "--allow-write", "--allow-env"];

async function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test({
  name: "the bundle runs alone from a temporary directory",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const build = await Deno.makeTempDir({ prefix: "dcos-bundle-build-" });
    const alone = await Deno.makeTempDir({ prefix: "dcos-bundle-run-" });
    const c = await startTestCluster();
    try {
      const b = await run(Deno.execPath(), [
        "bundle",
        "--quiet",
        "--platform=deno",
        "--minify",
        "-o",
        `${build}/dcos-security.js`,
        `${ROOT}/main.ts`,
      ]);
      assertEquals(b.code, 0, b.stderr);
      await Deno.copyFile(`${build}/dcos-security.js`, `${alone}/dcos-security.js`);
      const js = ["run", "--quiet", ...PERMS, "dcos-security.js"];
      const version = await run(Deno.execPath(), [...js, "--version"], { cwd: alone });
      assertEquals([version.code, version.stdout], [0, "0.1.0\n"]);
      const help = await run(Deno.execPath(), [...js, "org", "users", "--help"], { cwd: alone });
      assertStringIncludes(help.stdout, "Users manipulation.");
      const show = await run(Deno.execPath(), [
        ...js,
        "org",
        "users",
        "show",
        "bootstrapuser",
        "--json",
      ], { cwd: alone, env: c.env });
      assertEquals(show.code, 0, show.stderr);
      assertEquals(JSON.parse(show.stdout).description, "Bootstrap superuser");
      const cert = await run(Deno.execPath(), [
        ...js,
        "cluster",
        "ca",
        "newcert",
        "--cn",
        "b",
        "--host",
        "b",
        "--json",
      ], { cwd: alone, env: c.env });
      assertEquals(cert.code, 0, cert.stderr);
      assertStringIncludes(JSON.parse(cert.stdout).certificate, "BEGIN CERTIFICATE");
      assertEquals(
        [...Deno.readDirSync(alone)].map((e) => e.name),
        ["dcos-security.js"],
        "nothing else was needed or written",
      );
    } finally {
      await c.close();
      await Deno.remove(build, { recursive: true });
      await Deno.remove(alone, { recursive: true });
    }
  },
});

Deno.test({
  name: "deno task plugin builds an archive dcos plugin add accepts",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const r = await run(Deno.execPath(), ["run", "-A", `${ROOT}/scripts/plugin.ts`]);
    assertEquals(r.code, 0, r.stderr);
    const files = unzipSync(await Deno.readFile(`${ROOT}/dist/dcos-security-plugin.zip`));
    assert("plugin.toml" in files && "bin/dcos-security" in files, Object.keys(files).join(", "));
    const toml = parseToml(new TextDecoder().decode(files["plugin.toml"])) as {
      schema_version: number;
      name: string;
      commands: { name: string; path: string; description: string }[];
    };
    assertEquals(toml.schema_version, 1);
    assertEquals(JSON.parse(JSON.stringify(toml.commands)), [{
      name: "security",
      path: "bin/dcos-security",
      description: "DC/OS security related commands",
    }]);
    // unpack like `dcos plugin add` and run the command as the dcos CLI does: `<path> security <args>`
    const dir = await Deno.makeTempDir({ prefix: "dcos-plugin-" });
    try {
      const unzip = await run("python3", [
        "-c",
        `import zipfile,os,sys
z=zipfile.ZipFile(sys.argv[1]); z.extractall(sys.argv[2])
for i in z.infolist(): os.chmod(os.path.join(sys.argv[2], i.filename), (i.external_attr >> 16) & 0o777)`,
        `${ROOT}/dist/dcos-security-plugin.zip`,
        dir,
      ]);
      assertEquals(unzip.code, 0, unzip.stderr);
      assertEquals(
        (await Deno.stat(`${dir}/bin/dcos-security`)).mode! & 0o111,
        0o111,
        "bin/dcos-security is executable",
      );
      const info = await run(`${dir}/bin/dcos-security`, ["security", "--info"], {
        env: { PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:/usr/bin:/bin` },
      });
      assertEquals([info.code, info.stdout], [0, "DC/OS security related commands\n"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
