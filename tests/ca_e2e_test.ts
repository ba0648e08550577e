/**
 * End to end: `cluster ca` against the sandbox CA. Every key, CSR and certificate is checked with
 * openssl; every exchange is validated against certificate-authority.yaml.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import type { Exchange } from "../sandbox/server.ts";
import { loadSpec, validateExchanges } from "./contract.ts";
import { api, expectCode, loginAs, ROOT, sh, startTestCluster } from "./helpers.ts";

const FIXTURE_8192 = `${ROOT}/tests/fixtures/rsa8192.pem`;

async function openssl(...args: string[]): Promise<string> {
  const r = await sh("openssl", args);
  if (r.code !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout + r.stderr;
}

/** A certificate from another CA (made with openssl). */
async function foreignCert(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await sh("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${dir}/k.pem`,
    "-subj",
    "/CN=foreign",
    "-days",
    "1",
    "-out",
    `${dir}/c.pem`,
  ]);
  const pem = await Deno.readTextFile(`${dir}/c.pem`);
  await Deno.remove(dir, { recursive: true });
  return pem;
}

Deno.test({
  name: "cluster ca end to end against the sandbox CA",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const c = await startTestCluster();
    const tmp = await Deno.makeTempDir({ prefix: "dcos-ca-" });
    const caFile = `${tmp}/ca.crt`;
    const negative = new Set<Exchange>();
    const write = (name: string, text: string) =>
      Deno.writeTextFile(`${tmp}/${name}`, text).then(() => `${tmp}/${name}`);
    try {
      await t.step("cacert prints the signing CA (scripts do `cacert > ca.crt`)", async () => {
        const r = await c.cli(["cluster", "ca", "cacert"]);
        expectCode(r, 0);
        assertEquals(r.stdout, await Deno.readTextFile(c.sandbox.info.ca_cert));
        await Deno.writeTextFile(caFile, r.stdout);
        assertEquals(JSON.parse((await c.cli(["cluster", "ca", "cacert", "--json"])).stdout), {
          certificate: r.stdout,
        });
        assertStringIncludes(await openssl("x509", "-in", caFile, "-noout", "-text"), "CA:TRUE");
      });

      await t.step(
        "profile: default, named, and unknown (default returned, with a note)",
        async () => {
          const def = await c.cli(["cluster", "ca", "profile", "--json"]);
          assertEquals(JSON.parse(def.stdout), {
            expiry: "8760h",
            usages: ["signing", "key encipherment", "server auth", "client auth"],
          });
          const server = JSON.parse(
            (await c.cli(["cluster", "ca", "profile", "-p", "server", "-j"])).stdout,
          );
          assertEquals(server.usages, ["signing", "key encipherment", "server auth"]);
          const unknown = await c.cli(["cluster", "ca", "profile", "-p", "nope"]);
          expectCode(unknown, 0);
          assertStringIncludes(unknown.stderr, "profile nope is unknown");
          assertMatch(unknown.stdout, /^expiry: 8760h\nusages:\n/);
        },
      );

      const cases: [string, string[]][] = [
        ["ecdsa-256 (default)", []],
        ["ecdsa-384", ["--key-algo", "ecdsa", "--key-size", "384"]],
        ["ecdsa-521", ["--key-size", "521"]],
        ["rsa-2048", ["--key-algo", "rsa"]],
        ["rsa-4096", ["--key-algo", "rsa", "--key-size", "4096"]],
        ["rsa-8192 (fixture key)", ["--key", FIXTURE_8192]],
      ];
      for (const [label, keyArgs] of cases) {
        await t.step(`newkey and newcert with ${label}: verified by openssl`, async () => {
          const subject = [
            "--cn",
            "www.example.com",
            "--name-o",
            "Acme, Inc.",
            "--name-c",
            "US",
            "--name-st",
            "CA",
            "--name-l",
            "SF",
            "--name-ou",
            "Ops",
          ];
          const hosts = [
            "--host",
            "www.example.com",
            "--host",
            "10.0.0.5",
            "--host",
            "ops@example.com",
            "--host",
            "spiffe://example/svc",
          ];
          const nk = await c.cli([
            "cluster",
            "ca",
            "newkey",
            ...subject,
            ...hosts,
            ...keyArgs,
            "--json",
          ]);
          expectCode(nk, 0);
          const k = JSON.parse(nk.stdout);
          assertEquals(Object.keys(k).sort(), ["certificate_request", "private_key"]);
          const csrFile = await write("nk.csr", k.certificate_request);
          const keyFile = await write("nk.key", k.private_key);
          assertStringIncludes(
            await openssl("req", "-in", csrFile, "-verify", "-noout"),
            "verify OK",
          );
          await openssl("pkey", "-in", keyFile, "-check", "-noout");
          assertEquals(
            await openssl("req", "-in", csrFile, "-pubkey", "-noout"),
            await openssl("pkey", "-in", keyFile, "-pubout"),
          );
          const expectedLabel = label.startsWith("rsa") ? "RSA PRIVATE KEY" : "EC PRIVATE KEY";
          assertStringIncludes(k.private_key, `-----BEGIN ${expectedLabel}-----`);

          const nc = await c.cli([
            "cluster",
            "ca",
            "newcert",
            ...subject,
            ...hosts,
            ...keyArgs,
            "--json",
          ]);
          expectCode(nc, 0);
          const j = JSON.parse(nc.stdout);
          assertEquals(Object.keys(j).sort(), [
            "certificate",
            "certificate_request",
            "private_key",
          ]);
          const certFile = await write("nc.pem", j.certificate);
          const certKey = await write("nc.key", j.private_key);
          assertStringIncludes(await openssl("verify", "-CAfile", caFile, certFile), "OK");
          assertEquals(
            await openssl("x509", "-in", certFile, "-pubkey", "-noout"),
            await openssl("pkey", "-in", certKey, "-pubout"),
          );
          const text = await openssl(
            "x509",
            "-in",
            certFile,
            "-noout",
            "-subject",
            "-ext",
            "subjectAltName",
          );
          assertStringIncludes(
            text,
            'C = US, ST = CA, L = SF, O = "Acme, Inc.", OU = Ops, CN = www.example.com',
          );
          assertStringIncludes(
            text,
            "DNS:www.example.com, IP Address:10.0.0.5, email:ops@example.com, URI:spiffe://example/svc",
          );
          const bits = label.match(/(\d+)/)![1];
          assertStringIncludes(
            await openssl("x509", "-in", certFile, "-noout", "-text"),
            `(${bits} bit)`,
          );

          const signJson = JSON.parse(
            (await c.cli(["cluster", "ca", "sign", "--csr", csrFile, "--json"])).stdout,
          );
          assertStringIncludes(signJson.certificate, "-----BEGIN CERTIFICATE-----");
          const sign = await c.cli(["cluster", "ca", "sign", "--csr", csrFile, "-p", "server"]);
          expectCode(sign, 0);
          const signed = await write("signed.pem", sign.stdout);
          assertStringIncludes(await openssl("verify", "-CAfile", caFile, signed), "OK");
          assertStringIncludes(
            await openssl("x509", "-in", signed, "-noout", "-ext", "extendedKeyUsage"),
            "TLS Web Server Authentication",
          );
        });
      }

      await t.step(
        "sign accepts an openssl CSR on stdin; the YAML output has clean PEM blocks",
        async () => {
          await openssl(
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            `${tmp}/o.key`,
            "-subj",
            "/CN=openssl",
            "-addext",
            "subjectAltName=DNS:o.example",
            "-out",
            `${tmp}/o.csr`,
          );
          const r = await c.cli(["cluster", "ca", "sign", "--csr", "-"], {
            stdin: await Deno.readTextFile(`${tmp}/o.csr`),
          });
          expectCode(r, 0);
          assertStringIncludes(
            await openssl("verify", "-CAfile", caFile, await write("o.pem", r.stdout)),
            "OK",
          );
          const yaml = await c.cli(["cluster", "ca", "newcert", "--cn", "y", "--host", "y"]);
          assertMatch(
            yaml.stdout,
            /^certificate: \|\n {4}-----BEGIN CERTIFICATE-----\n[\s\S]+\ncertificate_request: \|\n[\s\S]+\nprivate_key: \|\n {4}-----BEGIN EC PRIVATE KEY-----\n/,
          );
        },
      );

      await t.step(
        "--out writes PREFIX-key.pem (0600), PREFIX.csr, PREFIX.pem and never overwrites",
        async () => {
          const prefix = `${tmp}/svc`;
          const r = await c.cli([
            "cluster",
            "ca",
            "newcert",
            "--cn",
            "svc",
            "--host",
            "svc.local",
            "--out",
            prefix,
          ]);
          expectCode(r, 0);
          assertEquals(r.stdout, "");
          assertEquals((await Deno.stat(`${prefix}-key.pem`)).mode! & 0o777, 0o600);
          assertStringIncludes(await openssl("verify", "-CAfile", caFile, `${prefix}.pem`), "OK");
          const before = await Deno.readTextFile(`${prefix}-key.pem`);
          const again = await c.cli([
            "cluster",
            "ca",
            "newcert",
            "--cn",
            "svc",
            "--host",
            "svc.local",
            "--out",
            prefix,
          ]);
          expectCode(again, 1);
          assertStringIncludes(again.stderr, "refusing to overwrite");
          assertEquals(await Deno.readTextFile(`${prefix}-key.pem`), before);
          expectCode(
            await c.cli([
              "cluster",
              "ca",
              "newkey",
              "--cn",
              "svc",
              "--host",
              "svc.local",
              "--out",
              prefix,
              "--force",
            ]),
            0,
          );
          assert(before !== await Deno.readTextFile(`${prefix}-key.pem`));
        },
      );

      await t.step("--server-side uses the CA's newkey and newcert", async () => {
        const nk = JSON.parse(
          (await c.cli([
            "cluster",
            "ca",
            "newkey",
            "--cn",
            "s",
            "--host",
            "s.example",
            "--server-side",
            "-j",
          ])).stdout,
        );
        assertStringIncludes(
          await openssl(
            "req",
            "-in",
            await write("s.csr", nk.certificate_request),
            "-verify",
            "-noout",
          ),
          "verify OK",
        );
        const nc = JSON.parse(
          (await c.cli([
            "cluster",
            "ca",
            "newcert",
            "--cn",
            "s",
            "--host",
            "s.example",
            "--key-algo",
            "rsa",
            "--server-side",
            "-j",
          ])).stdout,
        );
        assertStringIncludes(
          await openssl("verify", "-CAfile", caFile, await write("s.pem", nc.certificate)),
          "OK",
        );
        assertStringIncludes(nc.private_key, "BEGIN RSA PRIVATE KEY");
      });

      await t.step("inspect shows certificates and CSRs, offline", async () => {
        const cert = JSON.parse(
          (await c.cli(["cluster", "ca", "inspect", `${tmp}/svc.pem`, "--json"], {
            env: { DCOS_DIR: "/nonexistent" },
          })).stdout,
        );
        assertEquals([cert.type, cert.subject, cert.sans, cert.key_type, cert.key_size], [
          "certificate",
          "CN=svc",
          ["DNS:svc.local"],
          "ECDSA",
          256,
        ]);
        const fp =
          (await openssl("x509", "-in", `${tmp}/svc.pem`, "-noout", "-fingerprint", "-sha256"))
            .trim().split("=")[1];
        assertEquals(cert.sha256_fingerprint, fp);
        assertEquals(
          cert.serial,
          (await openssl("x509", "-in", `${tmp}/svc.pem`, "-noout", "-serial")).trim().split(
            "=",
          )[1],
        );
        const csr = await c.cli(["cluster", "ca", "inspect", "-"], {
          stdin: await Deno.readTextFile(`${tmp}/o.csr`),
        });
        assertMatch(csr.stdout, /signature_valid: true/);
      });

      await t.step(
        "bad input: clear message, right exit code, nothing written, no request",
        async () => {
          const seen = c.exchanges.length;
          const mismatch = await c.cli([
            "cluster",
            "ca",
            "newkey",
            "--cn",
            "x",
            "--host",
            "x",
            "--key-algo",
            "rsa",
            "--key-size",
            "256",
            "--out",
            `${tmp}/mm`,
          ]);
          expectCode(mismatch, 2);
          assertStringIncludes(mismatch.stderr, "--key-size 256 does not fit --key-algo rsa");
          const noHost = await c.cli(["cluster", "ca", "newcert", "--cn", "x"]);
          expectCode(noHost, 2);
          const empty = await c.cli([
            "cluster",
            "ca",
            "sign",
            "--csr",
            await write("empty.csr", ""),
          ]);
          expectCode(empty, 1);
          assertStringIncludes(empty.stderr, "holds no PEM block");
          const certAsCsr = await c.cli(["cluster", "ca", "sign", "--csr", `${tmp}/svc.pem`]);
          expectCode(certAsCsr, 1);
          assertStringIncludes(certAsCsr.stderr, "is a certificate, not a certificate request");
          const garbage = await c.cli([
            "cluster",
            "ca",
            "sign",
            "--csr",
            await write(
              "g.csr",
              "-----BEGIN CERTIFICATE REQUEST-----\nbm9wZQ==\n-----END CERTIFICATE REQUEST-----\n",
            ),
          ]);
          expectCode(garbage, 1);
          assertStringIncludes(garbage.stderr, "cannot parse the CERTIFICATE REQUEST");
          assertEquals(c.exchanges.length, seen, "no request was sent");
          for (const r of [mismatch, empty, certAsCsr, garbage]) {
            assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
          }
          for (const f of ["mm-key.pem", "mm.csr"]) {
            assertEquals(
              await Deno.stat(`${tmp}/${f}`).then(() => true, () => false),
              false,
            );
          }
        },
      );

      await t.step("the CA's own errors: weak keys, missing hosts, no permission", async () => {
        await openssl(
          "req",
          "-new",
          "-newkey",
          "rsa:1024",
          "-nodes",
          "-keyout",
          `${tmp}/w.key`,
          "-subj",
          "/CN=weak",
          "-out",
          `${tmp}/w.csr`,
        );
        const weak = await c.cli(["cluster", "ca", "sign", "--csr", `${tmp}/w.csr`]);
        expectCode(weak, 1);
        assertEquals(
          weak.stderr,
          "Error: sign the certificate request failed: RSA key is too weak (CFSSL code 2400) (HTTP 400)\n",
        );
        const firstNegative = c.exchanges.length;
        const noHosts = await api(c.sandbox.info, "POST", "/ca/api/v2/newkey", {
          body: { CN: "x", names: [] },
        });
        assertEquals(noHosts.status, 400);
        assertEquals((await noHosts.json()).errors, [{
          code: 400,
          message: 'Missing parameter "hosts"',
        }]);
        const badJson = await api(c.sandbox.info, "POST", "/ca/api/v2/sign", { rawBody: "{" });
        assertEquals((await badJson.json()).errors[0].message, "Unable to parse sign request");
        const bundled = await api(c.sandbox.info, "POST", "/ca/api/v2/bundle", {
          body: { certificate: await Deno.readTextFile(`${tmp}/svc.pem`) },
        });
        const b = await bundled.json();
        assertEquals([bundled.status, b.success, b.result.root], [
          200,
          true,
          await Deno.readTextFile(caFile),
        ]);
        assertEquals(b.result.hostnames, ["svc.local"]);
        const foreign = await api(c.sandbox.info, "POST", "/ca/api/v2/bundle", {
          body: { certificate: await foreignCert() },
        });
        assertEquals(foreign.status, 400);
        for (const x of c.exchanges.slice(firstNegative)) negative.add(x);
        expectCode(await c.cli(["org", "users", "create", "viewer", "-p", "viewer-pw"]), 0);
        const viewerEnv = await loginAs(c.sandbox.info, "viewer", "viewer-pw", tmp);
        const denied = await c.cli([
          "cluster",
          "ca",
          "newcert",
          "--cn",
          "d",
          "--host",
          "d",
          "--out",
          `${tmp}/denied`,
        ], { env: viewerEnv });
        expectCode(denied, 1);
        assertStringIncludes(denied.stderr, "not authorized");
        assertEquals(
          await Deno.stat(`${tmp}/denied-key.pem`).then(() => true, () => false),
          false,
          "no files left behind",
        );
        expectCode(await c.cli(["cluster", "ca", "cacert"], { env: viewerEnv }), 0);
        expectCode(
          await c.cli(["org", "users", "grant", "viewer", "dcos:adminrouter:ops:ca:rw", "full"]),
          0,
        );
        expectCode(
          await c.cli([
            "cluster",
            "ca",
            "newcert",
            "--cn",
            "d",
            "--host",
            "d",
            "--out",
            `${tmp}/denied`,
          ], { env: viewerEnv }),
          0,
        );
      });

      await t.step(
        "every CA exchange matches certificate-authority.yaml, IAM ones ent-iam.yaml",
        async () => {
          assertEquals(
            validateExchanges(await loadSpec("certificate-authority.yaml"), c.exchanges, {
              negative,
            }),
            [],
          );
          assertEquals(validateExchanges(await loadSpec("ent-iam.yaml"), c.exchanges), []);
          assert(c.exchanges.some((x) => x.path === "/ca/api/v2/sign"));
        },
      );
    } finally {
      await c.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
