/** The sandbox: first start, durability across restarts, concurrency, clean shutdown. */
import { startSandbox } from "../sandbox/server.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { loadSpec, validateExchanges } from "./contract.ts";
import { apiToken, ROOT } from "./helpers.ts";

Deno.test({
  name: "first start writes sandbox.json 0600 and state survives a restart",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const sb = await startSandbox({ stateDir: dir, port: 0 });
    const info = JSON.parse(await Deno.readTextFile(`${dir}/sandbox.json`));
    assertEquals((await Deno.stat(`${dir}/sandbox.json`)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(`${dir}/state.db`)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(dir)).mode! & 0o777, 0o700);
    assertEquals(Object.keys(info).sort(), [
      "ca_cert",
      "superuser",
      "unseal_keys",
      "unseal_threshold",
      "url",
    ]);
    assertEquals(info.superuser.uid, "bootstrapuser");
    assert(info.superuser.password.length >= 20);
    assertMatch(info.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(info.ca_cert)] });
    const token = await apiToken(info);
    const headers = { authorization: `token=${token}`, "content-type": "application/json" };
    // 50 concurrent creates lose nothing
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${info.url}/acs/api/v1/groups/g${i}`, {
          method: "PUT",
          client,
          headers,
          body: JSON.stringify({ description: `G${i}` }),
        })
          .then(async (r) => (await r.body?.cancel(), r.status))),
    );
    assertEquals(results.filter((s) => s === 201).length, 50);
    await sb.close();

    const again = await startSandbox({ stateDir: dir });
    assertEquals(again.info.url, info.url, "the previous port is reused");
    assertEquals(again.info.superuser.password, info.superuser.password);
    const relogToken = await apiToken(info);
    const groups = await fetch(`${info.url}/acs/api/v1/groups`, {
      client,
      headers: { authorization: `token=${relogToken}` },
    });
    assertEquals((await groups.json()).array.length, 51);
    // an old token stays valid: the signing key is durable
    const old = await fetch(`${info.url}/acs/api/v1/users`, {
      client,
      headers: { authorization: `token=${token}` },
    });
    assertEquals(old.status, 200);
    await old.body?.cancel();
    await again.close();
    client.close();
  },
});

Deno.test({
  name: "sandbox command: banner, then a clean stop on SIGTERM",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        `${ROOT}/main.ts`,
        "sandbox",
        "--state-dir",
        dir,
        "--port",
        "0",
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let banner = "";
    while (!banner.includes("Ctrl-C")) {
      const { value, done } = await reader.read();
      if (done) break;
      banner += value;
    }
    assertStringIncludes(banner, "dcos-security sandbox listening on https://127.0.0.1:");
    assertStringIncludes(banner, `${dir}/sandbox.json`);
    const info = JSON.parse(await Deno.readTextFile(`${dir}/sandbox.json`));
    assert(!banner.includes(info.superuser.password), "the banner does not print the password");
    child.kill("SIGTERM");
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    const status = await child.status;
    const err = new TextDecoder().decode(
      (await new Response(child.stderr).arrayBuffer()) as ArrayBuffer,
    );
    assertEquals(status.code, 0, err);
    assertStringIncludes(err, "sandbox stopped");
  },
});

Deno.test("the contract checker catches bad responses and undocumented statuses", async () => {
  const spec = await loadSpec("ent-iam.yaml");
  const problems = validateExchanges(spec, [
    {
      method: "GET",
      pattern: "/acs/api/v1/users/:uid",
      path: "/acs/api/v1/users/a",
      query: "",
      requestBody: "",
      status: 200,
      responseType: "application/json",
      responseBody: JSON.stringify({ uid: "a", extra: 1 }),
    },
    {
      method: "PUT",
      pattern: "/acs/api/v1/groups/:gid",
      path: "/acs/api/v1/groups/g",
      query: "",
      requestType: "application/json",
      requestBody: JSON.stringify({ nope: 1 }),
      status: 200,
      responseBody: "",
    },
    {
      method: "GET",
      pattern: "/acs/api/v1/groups/:gid",
      path: "/acs/api/v1/groups/g",
      query: "",
      requestBody: "",
      status: 400,
      responseType: "application/json",
      responseBody: JSON.stringify({ message: "x" }),
    },
  ]);
  assertEquals(problems.length, 4, problems.join("\n"));
});
