/**
 * End to end: login with passwords and service-account keys (PKCS#1 and PKCS#8), CA pinning,
 * status, logout, re-login after a 401, expired tokens, and the plugin environment.
 */
import { parse as parseToml } from "smol-toml";
import { State } from "../sandbox/state.ts";
import { Tokens } from "../sandbox/tokens.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { loadSpec, validateExchanges } from "./contract.ts";
import { expectCode, runCli, sh, startTestCluster } from "./helpers.ts";

async function dcosToml(
  dcosDir: string,
): Promise<{ path: string; doc: Record<string, Record<string, string>> }> {
  for await (const e of Deno.readDir(`${dcosDir}/clusters`)) {
    const path = `${dcosDir}/clusters/${e.name}/dcos.toml`;
    return {
      path,
      doc: parseToml(await Deno.readTextFile(path)) as Record<string, Record<string, string>>,
    };
  }
  throw new Error("no dcos.toml");
}

Deno.test({
  name: "auth login, status, logout and re-login against the sandbox",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const c = await startTestCluster();
    const tmp = await Deno.makeTempDir({ prefix: "dcos-auth-" });
    const { url, ca_cert: caCert, superuser } = c.sandbox.info;
    const fresh = (name: string) => ({ HOME: `${tmp}/${name}`, DCOS_DIR: `${tmp}/${name}/.dcos` });
    try {
      await t.step(
        "password login writes dcos.toml 0600, pins the CA, attaches the cluster",
        async () => {
          const { path, doc } = await dcosToml(c.env.DCOS_DIR);
          assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
          assertEquals(doc.core.dcos_url, url);
          assertMatch(doc.core.dcos_acs_token, /^ey/);
          assertEquals(doc.core.ssl_verify, path.replace("dcos.toml", "dcos_ca.crt"));
          assertEquals(
            await Deno.readTextFile(doc.core.ssl_verify),
            await Deno.readTextFile(caCert),
          );
          assert((await Deno.stat(path.replace("dcos.toml", "attached"))).isFile);
        },
      );

      await t.step("auth status shows cluster, uid, expiry and token location", async () => {
        const r = await c.cli(["auth", "status", "--json"]);
        expectCode(r, 0);
        const s = JSON.parse(r.stdout);
        assertEquals(s.uid, "bootstrapuser");
        assertEquals(s.url, url);
        assertEquals(s.logged_in, true);
        assert(Date.parse(s.token_expires) > Date.now() + 4 * 86400_000);
        assertStringIncludes(s.token_source, "dcos.toml");
        assert(
          !r.stdout.includes((await dcosToml(c.env.DCOS_DIR)).doc.core.dcos_acs_token),
          "status never prints the token",
        );
      });

      await t.step("wrong password: clear error, nothing written", async () => {
        const env = fresh("wrongpw");
        const r = await runCli([
          "auth",
          "login",
          "--url",
          url,
          "--ca-cert",
          caCert,
          "-u",
          "bootstrapuser",
          "--password-env",
          "PW",
        ], {
          env: { ...env, PW: "wrong-password" },
        });
        expectCode(r, 1);
        assertEquals(
          r.stderr,
          "Error: log in as bootstrapuser failed: Invalid credentials. (ERR_INVALID_CREDENTIALS, HTTP 401)\n",
        );
        assertEquals(await exists(env.DCOS_DIR), false);
      });

      const priv = `${tmp}/sa.pem`;
      await t.step(
        "service-account login with PKCS#8 and PKCS#1 keys, via --ca-fingerprint",
        async () => {
          expectCode(await c.cli(["org", "service-accounts", "keypair", priv, `${tmp}/sa.pub`]), 0);
          expectCode(
            await c.cli(["org", "service-accounts", "create", "robot", "-p", `${tmp}/sa.pub`]),
            0,
          );
          expectCode(await c.cli(["org", "groups", "add_user", "superusers", "robot"]), 0);
          const fp =
            (await sh("openssl", ["x509", "-in", caCert, "-noout", "-fingerprint", "-sha256"]))
              .stdout.trim().split("=")[1];
          const env8 = fresh("sa8");
          const r8 = await runCli([
            "auth",
            "login",
            "--url",
            url,
            "--ca-fingerprint",
            fp,
            "-u",
            "robot",
            "--private-key",
            priv,
          ], { env: env8 });
          expectCode(r8, 0);
          expectCode(await runCli(["org", "users", "show"], { env: env8 }), 0);
          const pkcs1 = `${tmp}/sa1.pem`;
          const conv = await sh("openssl", ["pkey", "-in", priv, "-traditional", "-out", pkcs1]);
          assertEquals(conv.code, 0, conv.stderr);
          await Deno.chmod(pkcs1, 0o600);
          assertStringIncludes(await Deno.readTextFile(pkcs1), "BEGIN RSA PRIVATE KEY");
          const env1 = fresh("sa1");
          expectCode(
            await runCli([
              "auth",
              "login",
              "--url",
              url,
              "--ca-cert",
              caCert,
              "-u",
              "robot",
              "--private-key",
              pkcs1,
            ], { env: env1 }),
            0,
          );
          const { doc } = await dcosToml(env1.DCOS_DIR);
          assertEquals(doc.security.login_uid, "robot");
          assertEquals(doc.security.private_key_path, pkcs1);
        },
      );

      await t.step("a mismatched fingerprint is refused and nothing is written", async () => {
        const env = fresh("badfp");
        const r = await runCli([
          "auth",
          "login",
          "--url",
          url,
          "--ca-fingerprint",
          "AA".repeat(32),
          "-u",
          "robot",
          "--private-key",
          priv,
        ], { env });
        expectCode(r, 1);
        assertStringIncludes(r.stderr, "does not match --ca-fingerprint");
        assertEquals(await exists(env.DCOS_DIR), false);
      });

      await t.step(
        "an expired token gets a clear error; with an SA key the CLI logs in again once",
        async () => {
          const state = new State(`${c.stateDir}/state.db`);
          const expired = await (await Tokens.open(state)).issue("robot", -60);
          state.close();
          // password user: clear error
          const env = { DCOS_URL: url, DCOS_ACS_TOKEN: expired, DCOS_TLS_CA_PATH: caCert };
          const r = await runCli(["org", "users", "show"], { env: { ...env, HOME: tmp } });
          expectCode(r, 1);
          assertEquals(
            r.stderr,
            "Error: list users failed: authentication failed. Log in again with `dcos-security auth login` (HTTP 401)\n",
          );
          // SA login configured: re-login once, store the new token
          const envSa = fresh("sa8");
          const { path, doc } = await dcosToml(envSa.DCOS_DIR);
          await Deno.writeTextFile(
            path,
            (await Deno.readTextFile(path)).replace(doc.core.dcos_acs_token, expired),
          );
          const again = await runCli(["org", "users", "show", "robot", "--json"], { env: envSa });
          expectCode(again, 0);
          assertStringIncludes(again.stderr, "logging in again as robot");
          const after = (await dcosToml(envSa.DCOS_DIR)).doc;
          assert(after.core.dcos_acs_token !== expired);
        },
      );

      await t.step("--insecure stores ssl_verify = false; logout removes the token", async () => {
        const env = fresh("insecure");
        expectCode(
          await runCli([
            "auth",
            "login",
            "--url",
            url,
            "--insecure",
            "-u",
            "bootstrapuser",
            "--password-file",
            "-",
          ], { env, stdin: superuser.password }),
          0,
        );
        assertEquals((await dcosToml(env.DCOS_DIR)).doc.core.ssl_verify, "false");
        expectCode(await runCli(["org", "groups", "show"], { env }), 0);
        expectCode(await runCli(["auth", "logout"], { env }), 0);
        assertEquals((await dcosToml(env.DCOS_DIR)).doc.core.dcos_acs_token, undefined);
        const r = await runCli(["org", "groups", "show"], { env });
        expectCode(r, 1);
        assertStringIncludes(r.stderr, "not logged in to");
        const st = await runCli(["auth", "status"], { env });
        expectCode(st, 1);
      });

      await t.step("TLS is verified by default: an unknown CA is a clear TLS error", async () => {
        const env = fresh("notrust");
        const r = await runCli([
          "auth",
          "login",
          "--url",
          url,
          "-u",
          "bootstrapuser",
          "--password-file",
          "-",
        ], { env, stdin: superuser.password });
        expectCode(r, 1);
        assertStringIncludes(r.stderr, `TLS error talking to ${url}`);
        assertEquals(r.stderr.trim().split("\n").length, 1);
      });

      await t.step(
        "plugin environment: DCOS_URL + DCOS_ACS_TOKEN + DCOS_TLS_CA_PATH or DCOS_TLS_INSECURE",
        async () => {
          const token = (await dcosToml(c.env.DCOS_DIR)).doc.core.dcos_acs_token;
          const base = { HOME: `${tmp}/plugin`, DCOS_URL: url + "/", DCOS_ACS_TOKEN: token };
          expectCode(
            await runCli(["security", "org", "users", "show", "bootstrapuser"], {
              env: { ...base, DCOS_TLS_CA_PATH: caCert },
            }),
            0,
          );
          expectCode(
            await runCli(["security", "org", "users", "show", "bootstrapuser"], {
              env: { ...base, DCOS_TLS_INSECURE: "1" },
            }),
            0,
          );
          const missingCa = await runCli(["org", "users", "show"], {
            env: { ...base, DCOS_TLS_CA_PATH: `${tmp}/none.crt` },
          });
          expectCode(missingCa, 1);
          assertStringIncludes(missingCa.stderr, "cannot read CA bundle");
        },
      );

      await t.step("no cluster at all says how to log in", async () => {
        const r = await runCli(["org", "users", "show"], { env: fresh("nothing") });
        expectCode(r, 1);
        assertStringIncludes(r.stderr, "dcos-security auth login --url");
      });

      await t.step("every exchange matches ent-iam.yaml", async () => {
        assertEquals(validateExchanges(await loadSpec("ent-iam.yaml"), c.exchanges), []);
      });
    } finally {
      await c.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}
