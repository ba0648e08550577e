/** Cluster resolution: plugin environment, DCOS_DIR/DCOS_CLUSTER, attached clusters, ssl_verify forms. */
import { parseSslVerify, patchToml, resolveCluster } from "../lib/config.ts";
import { CliError } from "../lib/errors.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

async function writeCluster(
  dir: string,
  id: string,
  toml: string,
  attached = false,
): Promise<void> {
  await Deno.mkdir(`${dir}/clusters/${id}`, { recursive: true });
  await Deno.writeTextFile(`${dir}/clusters/${id}/dcos.toml`, toml, { mode: 0o600 });
  if (attached) await Deno.writeTextFile(`${dir}/clusters/${id}/attached`, "");
}

async function rejects(p: Promise<unknown>, text: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    assertStringIncludes(e.message, text);
    return;
  }
  throw new Error(`expected an error containing ${text}`);
}

Deno.test("ssl_verify: true, false, a path, booleans", () => {
  assertEquals(parseSslVerify("true"), { insecure: false });
  assertEquals(parseSslVerify("false"), { insecure: true });
  assertEquals(parseSslVerify(false), { insecure: true });
  assertEquals(parseSslVerify(undefined), { insecure: false });
  assertEquals(parseSslVerify("/etc/ca.pem"), { insecure: false, caPath: "/etc/ca.pem" });
});

Deno.test("the plugin environment wins over dcos.toml", async () => {
  const dir = await Deno.makeTempDir();
  await writeCluster(
    dir,
    "c1",
    `[core]\ndcos_url = "https://file"\ndcos_acs_token = "file-token"\n`,
  );
  const cfg = await resolveCluster(envOf({
    DCOS_DIR: dir,
    DCOS_URL: "https://env.example.com/",
    DCOS_ACS_TOKEN: "env-token",
    DCOS_TLS_CA_PATH: "/ca.pem",
  }));
  assertEquals([cfg.source, cfg.url, cfg.token, cfg.tls.caPath], [
    "environment",
    "https://env.example.com",
    "env-token",
    "/ca.pem",
  ]);
  const insecure = await resolveCluster(
    envOf({ DCOS_URL: "https://x", DCOS_TLS_INSECURE: "1", DCOS_TLS_CA_PATH: "/ca.pem" }),
  );
  assertEquals(insecure.tls, { insecure: true, caPath: undefined });
});

Deno.test("one cluster is used; of several, DCOS_CLUSTER or the attached one", async () => {
  const dir = await Deno.makeTempDir();
  await writeCluster(
    dir,
    "aaa",
    `[core]\ndcos_url = "https://a"\nssl_verify = "false"\ntimeout = 7\n[cluster]\nname = "alpha"\n`,
  );
  const one = await resolveCluster(envOf({ DCOS_DIR: dir }));
  assertEquals([one.url, one.tls.insecure, one.timeoutSec, one.name, one.id], [
    "https://a",
    true,
    7,
    "alpha",
    "aaa",
  ]);
  await writeCluster(dir, "bbb", `[core]\ndcos_url = "https://b"\nssl_verify = "/b.pem"\n`);
  await rejects(resolveCluster(envOf({ DCOS_DIR: dir })), "no cluster is attached");
  await Deno.writeTextFile(`${dir}/clusters/bbb/attached`, "");
  assertEquals((await resolveCluster(envOf({ DCOS_DIR: dir }))).url, "https://b");
  assertEquals(
    (await resolveCluster(envOf({ DCOS_DIR: dir, DCOS_CLUSTER: "alpha" }))).url,
    "https://a",
  );
  assertEquals(
    (await resolveCluster(envOf({ DCOS_DIR: dir, DCOS_CLUSTER: "aaa" }))).url,
    "https://a",
  );
  await rejects(resolveCluster(envOf({ DCOS_DIR: dir, DCOS_CLUSTER: "zzz" })), "no cluster named");
  await Deno.writeTextFile(`${dir}/clusters/aaa/attached`, "");
  await rejects(resolveCluster(envOf({ DCOS_DIR: dir })), "multiple clusters are attached");
});

Deno.test("DCOS_SSL_VERIFY and DCOS_TIMEOUT override the file", async () => {
  const dir = await Deno.makeTempDir();
  await writeCluster(
    dir,
    "c",
    `[core]\ndcos_url = "https://c"\nssl_verify = "true"\ntimeout = 5\n`,
  );
  const cfg = await resolveCluster(
    envOf({ DCOS_DIR: dir, DCOS_SSL_VERIFY: "/x.pem", DCOS_TIMEOUT: "9" }),
  );
  assertEquals([cfg.tls.caPath, cfg.timeoutSec], ["/x.pem", 9]);
  await rejects(resolveCluster(envOf({ DCOS_DIR: dir, DCOS_TIMEOUT: "soon" })), "invalid timeout");
});

Deno.test("legacy ~/.dcos/dcos.toml, HOME default, and helpful errors", async () => {
  const home = await Deno.makeTempDir();
  await Deno.mkdir(`${home}/.dcos`);
  await Deno.writeTextFile(`${home}/.dcos/dcos.toml`, `[core]\ndcos_url = "https://legacy"\n`);
  assertEquals((await resolveCluster(envOf({ HOME: home }))).url, "https://legacy");
  await rejects(resolveCluster(envOf({ HOME: await Deno.makeTempDir() })), "auth login --url");
  const dir = await Deno.makeTempDir();
  await writeCluster(dir, "bad", `[core\n`);
  await rejects(resolveCluster(envOf({ DCOS_DIR: dir })), "cannot parse");
  const dir2 = await Deno.makeTempDir();
  await writeCluster(dir2, "nourl", `[core]\nssl_verify = "true"\n`);
  await rejects(resolveCluster(envOf({ DCOS_DIR: dir2 })), "has no core.dcos_url");
});

Deno.test("patchToml changes only the given keys, keeps other sections, writes 0600", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/clusters/x/dcos.toml`;
  await writeCluster(
    dir,
    "x",
    `[core]\ndcos_url = "https://x"\nssh_user = "centos"\n[marathon]\nurl = "https://m"\n`,
  );
  await Deno.chmod(path, 0o644);
  await patchToml(path, {
    core: { dcos_acs_token: "t", ssh_user: undefined },
    security: { login_uid: null },
  });
  const text = await Deno.readTextFile(path);
  assertStringIncludes(text, 'ssh_user = "centos"');
  assertStringIncludes(text, 'dcos_acs_token = "t"');
  assertStringIncludes(text, "[marathon]");
  assertEquals(text.includes("[security]"), false);
  assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
});
