/**
 * End to end: `secrets` and `cluster secret-store` against the sandbox's sealable, encrypted store.
 */
import { combine } from "shamir-secret-sharing";
import { startSandbox } from "../sandbox/server.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { loadSpec, validateExchanges } from "./contract.ts";
import { apiToken, expectCode, loginAs, runCli, sh, startTestCluster } from "./helpers.ts";

const enc = new TextEncoder();

Deno.test({
  name: "secrets and secret stores end to end against the sandbox",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const c = await startTestCluster();
    const tmp = await Deno.makeTempDir({ prefix: "dcos-secrets-" });
    const get = async (path: string) => {
      const r = await c.cli(["secrets", "get", path]);
      expectCode(r, 0);
      return r.bytes;
    };
    try {
      await t.step("text values round-trip byte for byte through every input route", async () => {
        const cases: [string, string[], string | undefined, Record<string, string>, string][] = [
          ["ascii", ["-v", "plain value"], undefined, {}, "plain value"],
          ["unicode", ["-v", "pässwörd ✓ 🔑"], undefined, {}, "pässwörd ✓ 🔑"],
          ["empty", ["-v", ""], undefined, {}, ""],
          [
            "env",
            ["--value-env", "SECRET_VALUE"],
            undefined,
            { SECRET_VALUE: "from env\n" },
            "from env\n",
          ],
          ["stdin", ["-t", "-"], "one newline dropped\n\n", {}, "one newline dropped\n"],
          ["stdin-none", ["--value-file", "-"], "no newline", {}, "no newline"],
        ];
        for (const [name, args, stdin, env, expected] of cases) {
          expectCode(await c.cli(["secrets", "create", `rt/${name}`, ...args], { stdin, env }), 0);
          assertEquals(new TextDecoder().decode(await get(`rt/${name}`)), expected, name);
        }
        await Deno.writeTextFile(`${tmp}/text.txt`, "file keeps\ntrailing newlines\n\n");
        expectCode(
          await c.cli(["secrets", "create", "/rt/file", "--text-file", `${tmp}/text.txt`]),
          0,
        );
        assertEquals(
          new TextDecoder().decode(await get("rt/file")),
          "file keeps\ntrailing newlines\n\n",
        );
        const json = JSON.parse((await c.cli(["secrets", "get", "rt/unicode", "--json"])).stdout);
        assertEquals(json.value, "pässwörd ✓ 🔑");
        assertEquals(json.author, "bootstrapuser");
      });

      await t.step(
        "binary values (NUL, invalid UTF-8) round-trip from a file and from stdin",
        async () => {
          const bytes = new Uint8Array([0, 1, 2, 0xff, 0xfe, 0xc3, 0x28, 0, 10, 13, 0x80]);
          await Deno.writeFile(`${tmp}/bin.dat`, bytes);
          expectCode(await c.cli(["secrets", "create", "bin/file", "-f", `${tmp}/bin.dat`]), 0);
          assertEquals(await get("bin/file"), bytes);
          expectCode(
            await c.cli(["secrets", "create", "bin/stdin", "--file", "-"], { stdin: bytes }),
            0,
          );
          assertEquals(await get("bin/stdin"), bytes);
          const asJson = await c.cli(["secrets", "get", "bin/file", "--json"]);
          expectCode(asJson, 1);
          assertStringIncludes(asJson.stderr, "is binary and has no JSON form");
          const notUtf8 = await c.cli(["secrets", "create", "bin/bad", "-t", `${tmp}/bin.dat`]);
          expectCode(notUtf8, 1);
          assertStringIncludes(notUtf8.stderr, "not valid UTF-8");
        },
      );

      await t.step(
        "size limit: exactly 1 MiB of text is fine, one byte more is a clear error",
        async () => {
          const limit = 1024 * 1024;
          await Deno.writeTextFile(`${tmp}/limit.txt`, "a".repeat(limit));
          expectCode(
            await c.cli(["secrets", "create", "size/at-limit", "-t", `${tmp}/limit.txt`]),
            0,
          );
          assertEquals((await get("size/at-limit")).length, limit);
          await Deno.writeTextFile(`${tmp}/over.txt`, "a".repeat(limit + 1));
          const over = await c.cli(["secrets", "create", "size/over", "-t", `${tmp}/over.txt`]);
          expectCode(over, 1);
          assertStringIncludes(over.stderr, "too large: 1048577 bytes");
          expectCode(await c.cli(["secrets", "get", "size/over"]), 1);
          // binary values: their base64 must fit 1 MiB, so 768 KiB of bytes
          const binLimit = (limit / 4) * 3;
          const bin = new Uint8Array(binLimit);
          for (let o = 0; o < binLimit; o += 65536) {
            crypto.getRandomValues(bin.subarray(o, o + 65536));
          }
          expectCode(
            await c.cli(["secrets", "create", "size/bin-at-limit", "-f", "-"], { stdin: bin }),
            0,
          );
          assertEquals(await get("size/bin-at-limit"), bin);
          const binOver = await c.cli(["secrets", "create", "size/bin-over", "-f", "-"], {
            stdin: new Uint8Array(binLimit + 1),
          });
          expectCode(binOver, 1);
          assertStringIncludes(
            binOver.stderr,
            `a binary secret may hold at most ${binLimit} bytes`,
          );
        },
      );

      await t.step("update, list, delete; existing and missing paths fail clearly", async () => {
        expectCode(await c.cli(["secrets", "update", "rt/ascii", "-v", "new value"]), 0);
        assertEquals(new TextDecoder().decode(await get("rt/ascii")), "new value");
        const exists = await c.cli(["secrets", "create", "rt/ascii", "-v", "x"]);
        expectCode(exists, 1);
        assertEquals(
          exists.stderr,
          "Error: create secret rt/ascii failed: Secret `rt/ascii` already exists. (HTTP 409)\n",
        );
        const missing = await c.cli(["secrets", "get", "rt/missing"]);
        expectCode(missing, 1);
        assertEquals(
          missing.stderr,
          "Error: get secret rt/missing failed: Secret `rt/missing` not found. (HTTP 404)\n",
        );
        expectCode(await c.cli(["secrets", "update", "rt/missing", "-v", "x"]), 1);
        const all = await c.cli(["secrets", "list", "/"]);
        assertMatch(all.stdout, /^- bin\/file\n/);
        assertEquals(JSON.parse((await c.cli(["secrets", "list", "bin", "--json"])).stdout), [
          "file",
          "stdin",
        ]);
        expectCode(await c.cli(["secrets", "delete", "rt/empty"]), 0);
        expectCode(await c.cli(["secrets", "delete", "rt/empty"]), 1);
        const noValue = await c.cli(["secrets", "create", "rt/none"]);
        expectCode(noValue, 2);
        const twoValues = await c.cli([
          "secrets",
          "create",
          "rt/none",
          "-v",
          "a",
          "--value-env",
          "HOME",
        ]);
        expectCode(twoValues, 2);
      });

      await t.step("old no-op options -d/-a/-l are accepted with a warning", async () => {
        const r = await c.cli([
          "secrets",
          "create",
          "legacy/x",
          "-v",
          "v",
          "-d",
          "desc",
          "-a",
          "me",
          "-l",
          "l1",
        ]);
        expectCode(r, 0);
        assertStringIncludes(r.stderr, "-d/--description is ignored");
        assertStringIncludes(r.stderr, "-l/--label is ignored");
      });

      await t.step(
        "seal → sealed error → unseal below threshold → at threshold → works",
        async () => {
          const { unseal_keys: keys, unseal_threshold: threshold } = c.sandbox.info;
          assertEquals([keys.length, threshold], [3, 2]);
          const show = JSON.parse(
            (await c.cli(["cluster", "secret-store", "show", "--json"])).stdout,
          );
          assertEquals(show.default, {
            description: "DC/OS Default Secret Store Backend",
            driver: "vault",
            initialized: true,
            sealed: false,
          });
          expectCode(await c.cli(["cluster", "secret-store", "seal", "default"]), 0);
          const sealed = await c.cli(["secrets", "get", "rt/ascii"]);
          expectCode(sealed, 1);
          assertStringIncludes(sealed.stderr, "is sealed");
          const status = JSON.parse(
            (await c.cli(["cluster", "secret-store", "seal-status", "default", "-j"])).stdout,
          );
          assertEquals(status, { sealed: true, threshold: 2, shares: 3, progress: 0 });
          const bad = await c.cli(["cluster", "secret-store", "unseal", "default", "abc"]);
          expectCode(bad, 1);
          const first = await c.cli([
            "cluster",
            "secret-store",
            "unseal",
            "default",
            "--key-file",
            "-",
          ], { stdin: keys[0] + "\n" });
          expectCode(first, 0);
          assertStringIncludes(first.stderr, "Still sealed: 1 of 2 keys given");
          assertMatch(first.stdout, /progress: 1\nsealed: true/);
          const second = await c.cli([
            "cluster",
            "secret-store",
            "unseal",
            "default",
            "--key-env",
            "K",
            "--json",
          ], { env: { K: keys[2] } });
          assertEquals(JSON.parse(second.stdout), {
            sealed: false,
            threshold: 2,
            shares: 3,
            progress: 0,
          });
          assertEquals(new TextDecoder().decode(await get("rt/ascii")), "new value");
          const st = JSON.parse(
            (await c.cli(["cluster", "secret-store", "status", "default", "--json"])).stdout,
          );
          assertEquals(st.sealed, false);
          assertEquals(st.driver, "vault");
        },
      );

      await t.step("a user granted read on one secret can read it and nothing else", async () => {
        expectCode(await c.cli(["secrets", "create", "team/db", "-v", "db-pass"]), 0);
        expectCode(await c.cli(["secrets", "create", "team/other", "-v", "other"]), 0);
        expectCode(await c.cli(["org", "users", "create", "reader", "-p", "reader-pw"]), 0);
        expectCode(
          await c.cli(["org", "users", "grant", "reader", "dcos:secrets:default:/team/db", "read"]),
          0,
        );
        const env = await loginAs(c.sandbox.info, "reader", "reader-pw", tmp);
        const ok = await runCli(["secrets", "get", "team/db"], { env });
        expectCode(ok, 0);
        assertEquals(ok.stdout, "db-pass");
        for (
          const args of [
            ["get", "team/other"],
            ["list", "team"],
            ["update", "team/db", "-v", "x"],
            ["create", "team/new", "-v", "x"],
            ["delete", "team/db"],
          ]
        ) {
          const r = await runCli(["secrets", ...args], { env });
          expectCode(r, 1);
          assertStringIncludes(r.stderr, "HTTP 403");
        }
        expectCode(
          await c.cli([
            "org",
            "users",
            "grant",
            "reader",
            "dcos:secrets:list:default:/team",
            "read",
          ]),
          0,
        );
        assertEquals(
          JSON.parse((await runCli(["secrets", "list", "team", "-j"], { env })).stdout),
          ["db", "other"],
        );
      });

      await t.step(
        "service-account setup script: keypair → create → create-sa-secret → grant → login",
        async () => {
          const priv = `${tmp}/sa.pem`;
          expectCode(await c.cli(["org", "service-accounts", "keypair", priv, `${tmp}/sa.pub`]), 0);
          expectCode(
            await c.cli([
              "org",
              "service-accounts",
              "create",
              "svc-sa",
              "-p",
              `${tmp}/sa.pub`,
              "-d",
              "Service",
            ]),
            0,
          );
          expectCode(
            await c.cli(["secrets", "create-sa-secret", priv, "svc-sa", "svc/sa-secret"]),
            0,
          );
          expectCode(
            await c.cli([
              "secrets",
              "create-sa-secret",
              "--strict",
              priv,
              "svc-sa",
              "svc/sa-strict",
            ]),
            0,
          );
          expectCode(await c.cli(["org", "users", "grant", "svc-sa", "dcos:superuser", "full"]), 0);
          const outer = JSON.parse(
            (await c.cli(["secrets", "get", "svc/sa-secret", "--json"])).stdout,
          );
          const value = JSON.parse(outer.value);
          assertEquals(Object.keys(value), ["scheme", "uid", "private_key", "login_endpoint"]);
          assertEquals([value.scheme, value.uid, value.login_endpoint], [
            "RS256",
            "svc-sa",
            "http://master.mesos/acs/api/v1/auth/login",
          ]);
          assertEquals(
            JSON.parse(
              JSON.parse((await c.cli(["secrets", "get", "svc/sa-strict", "-j"])).stdout).value,
            ).login_endpoint,
            "https://master.mesos/acs/api/v1/auth/login",
          );
          assertMatch(value.private_key, /^-----BEGIN PRIVATE KEY-----\n/);
          await Deno.writeTextFile(`${tmp}/from-secret.pem`, value.private_key, { mode: 0o600 });
          const pub = await sh("openssl", ["pkey", "-in", `${tmp}/from-secret.pem`, "-pubout"]);
          assertEquals(pub.stdout, await Deno.readTextFile(`${tmp}/sa.pub`));
          const env = { HOME: tmp, DCOS_DIR: `${tmp}/svc` };
          expectCode(
            await runCli([
              "auth",
              "login",
              "--url",
              c.sandbox.info.url,
              "--ca-cert",
              c.sandbox.info.ca_cert,
              "-u",
              "svc-sa",
              "--private-key",
              `${tmp}/from-secret.pem`,
            ], { env }),
            0,
          );
          expectCode(await runCli(["org", "users", "show", "svc-sa"], { env }), 0);
          // PKCS#1 input is stored as PKCS#8; EC keys are refused
          await sh("openssl", ["pkey", "-in", priv, "-traditional", "-out", `${tmp}/pkcs1.pem`]);
          expectCode(
            await c.cli(["secrets", "create-sa-secret", `${tmp}/pkcs1.pem`, "svc-sa", "svc/pkcs1"]),
            0,
          );
          assertMatch(
            JSON.parse(
              JSON.parse((await c.cli(["secrets", "get", "svc/pkcs1", "-j"])).stdout).value,
            ).private_key,
            /^-----BEGIN PRIVATE KEY-----/,
          );
          await sh("openssl", [
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            `${tmp}/ec.pem`,
          ]);
          const ec = await c.cli([
            "secrets",
            "create-sa-secret",
            `${tmp}/ec.pem`,
            "svc-sa",
            "svc/ec",
          ]);
          expectCode(ec, 1);
          assertStringIncludes(ec.stderr, "service accounts use RSA keys");
        },
      );

      await t.step("every exchange matches secrets.yaml (and IAM ones ent-iam.yaml)", async () => {
        assertEquals(validateExchanges(await loadSpec("secrets.yaml"), c.exchanges), []);
        assertEquals(validateExchanges(await loadSpec("ent-iam.yaml"), c.exchanges), []);
        assert(c.exchanges.some((x) => x.path.startsWith("/secrets/v1/unseal/")));
      });
    } finally {
      await c.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "the state dir holds no plaintext value or master key, and secrets survive a restart",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "dcos-sbx-leak-" });
    const known = `leak-canary-${crypto.randomUUID()}`;
    let sb = await startSandbox({ stateDir: dir, port: 0 });
    const env = { HOME: dir, DCOS_URL: sb.info.url, DCOS_TLS_CA_PATH: sb.info.ca_cert };
    const token = await apiToken(sb.info);
    expectCode(
      await runCli(["secrets", "create", "canary/text", "-v", known], {
        env: { ...env, DCOS_ACS_TOKEN: token },
      }),
      0,
    );
    expectCode(
      await runCli(["secrets", "create", "canary/bin", "-f", "-"], {
        env: { ...env, DCOS_ACS_TOKEN: token },
        stdin: enc.encode(known),
      }),
      0,
    );
    await sb.close();
    await assertNoLeak(dir, known);
    // the master key (rebuilt here from the unseal keys) is not stored either
    const master = await combine(sb.info.unseal_keys.slice(0, 2).map((k) => Uint8Array.fromHex(k)));
    assertEquals(master.length, 32);
    await assertNoLeak(dir, master);
    sb = await startSandbox({ stateDir: dir });
    try {
      const r = await runCli(["secrets", "get", "canary/text"], {
        env: { ...env, DCOS_URL: sb.info.url, DCOS_ACS_TOKEN: token },
      });
      expectCode(r, 0);
      assertEquals(r.stdout, known);
      await assertNoLeak(dir, known);
    } finally {
      await sb.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Searches every file under `dir` for the value (raw, hex and base64). */
async function assertNoLeak(dir: string, value: string | Uint8Array): Promise<void> {
  const raw = typeof value === "string" ? enc.encode(value) : value;
  const needles = [raw, enc.encode(raw.toHex()), enc.encode(raw.toBase64())];
  let files = 0;
  for await (const f of walk(dir)) {
    files++;
    const data = await Deno.readFile(f);
    for (const n of needles) assert(indexOf(data, n) === -1, `${f} contains the secret value`);
  }
  assert(files >= 3, "the state dir was searched");
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else if (e.isFile) yield p;
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
