/**
 * End to end: `cluster directory` against a real OpenLDAP (slapd) through the sandbox IAM, and
 * `cluster oidc` / `cluster saml` provider round trips. Every exchange is checked against
 * ent-iam.yaml.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { loadSpec, validateExchanges } from "./contract.ts";
import { expectCode, ROOT, runCli, startTestCluster } from "./helpers.ts";
import { findSlapd, startSlapd } from "./ldap_fixture.ts";

const slapdPath = await findSlapd();

Deno.test({
  name: "cluster directory against a real slapd",
  ignore: !slapdPath && Deno.env.get("CI") !== "true",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const ldap = await startSlapd();
    const c = await startTestCluster();
    const tmp = await Deno.makeTempDir({ prefix: "dcos-ldap-" });
    const setConfig = async (cfg: Record<string, unknown>) => {
      await Deno.writeTextFile(`${tmp}/ldap.json`, JSON.stringify(cfg));
      expectCode(await c.cli(["cluster", "directory", "set_config", `${tmp}/ldap.json`]), 0);
    };
    const base = {
      host: "127.0.0.1",
      port: ldap.port,
      "enforce-starttls": false,
      "use-ldaps": false,
    };
    const dntemplate = { ...base, dntemplate: "uid=%(username)s,ou=people,dc=example,dc=org" };
    const search = {
      ...base,
      "enforce-starttls": true,
      "ca-certs": ldap.caPem,
      "lookup-dn": "cn=lookup,dc=example,dc=org",
      "lookup-password": "lookup-pw",
      "user-search": {
        "search-base": "ou=people,dc=example,dc=org",
        "search-filter-template": "(uid=%(username)s)",
      },
      "group-search": {
        "search-base": "ou=groups,dc=example,dc=org",
        "search-filter-template": "(cn=%(groupname)s)",
      },
    };
    try {
      await t.step("no configuration yet: clear error", async () => {
        const r = await c.cli(["cluster", "directory", "get_config"]);
        expectCode(r, 1);
        assertStringIncludes(
          r.stderr,
          "No LDAP configuration stored yet (ERR_LDAP_CONFIG_NOT_AVAILABLE, HTTP 400)",
        );
      });

      await t.step("set_config checks the document before sending", async () => {
        const seen = c.exchanges.length;
        for (
          const [doc, text] of [
            ["{not json", "is not valid JSON"],
            [
              JSON.stringify({
                port: 389,
                "enforce-starttls": false,
                "use-ldaps": false,
                dntemplate: "x",
              }),
              '"host" is required',
            ],
            [JSON.stringify({ ...dntemplate, user_search: {} }), 'unknown key "user_search"'],
            [JSON.stringify({ ...dntemplate, port: "389" }), '"port" must be an integer'],
            [JSON.stringify(base), 'give "dntemplate" or "user-search"'],
          ]
        ) {
          await Deno.writeTextFile(`${tmp}/bad.json`, doc);
          const r = await c.cli(["cluster", "directory", "set_config", `${tmp}/bad.json`]);
          expectCode(r, 1);
          assertStringIncludes(r.stderr, text);
        }
        assertEquals(c.exchanges.length, seen, "nothing was sent");
      });

      await t.step(
        "dntemplate bind: right password passes, wrong fails with the server's reason",
        async () => {
          await setConfig(dntemplate);
          assertEquals(
            JSON.parse((await c.cli(["cluster", "directory", "get_config", "--json"])).stdout),
            dntemplate,
          );
          const ok = await c.cli(["cluster", "directory", "test", "alice", "alice-pw"]);
          expectCode(ok, 0);
          assertMatch(ok.stdout, /code: TEST_PASSED\n/);
          assertStringIncludes(ok.stdout, "bound as uid=alice,ou=people,dc=example,dc=org");
          const bad = await c.cli(
            ["cluster", "directory", "test", "alice", "--password-env", "PW"],
            { env: { PW: "wrong" } },
          );
          expectCode(bad, 1);
          assertMatch(bad.stdout, /code: AUTHENTICATION_FAILED\n/);
          assertStringIncludes(bad.stderr, "LDAP test failed (AUTHENTICATION_FAILED)");
          assertStringIncludes(bad.stderr, "invalid credentials (LDAP result 49)");
          const noPw = await c.cli(["cluster", "directory", "test", "alice"]);
          expectCode(noPw, 2);
        },
      );

      await t.step(
        "lookup-dn + user-search over StartTLS finds a user in a nested OU",
        async () => {
          await setConfig(search);
          const r = await c.cli([
            "cluster",
            "directory",
            "test",
            "carol",
            "--password-file",
            "-",
            "--json",
          ], { stdin: "carol-pw\n" });
          expectCode(r, 0);
          const res = JSON.parse(r.stdout);
          assertEquals(res.code, "TEST_PASSED");
          assertStringIncludes(
            res.description,
            "uid=carol,ou=engineering,ou=people,dc=example,dc=org",
          );
          assertStringIncludes(res.description, "with StartTLS");
          const missing = await c.cli(["cluster", "directory", "test", "nobody", "x"]);
          assertMatch(missing.stdout, /code: USER_NOT_FOUND/);
        },
      );

      await t.step(
        "LDAPS with the right CA passes; a wrong CA and a server that is down fail clearly",
        async () => {
          await setConfig({
            ...search,
            port: ldap.ldapsPort,
            "enforce-starttls": false,
            "use-ldaps": true,
          });
          expectCode(await c.cli(["cluster", "directory", "test", "alice", "alice-pw"]), 0);
          await setConfig({
            ...search,
            port: ldap.ldapsPort,
            "enforce-starttls": false,
            "use-ldaps": true,
            "ca-certs": c.sandbox.info.ca_cert && await Deno.readTextFile(c.sandbox.info.ca_cert),
          });
          const wrongCa = await c.cli(["cluster", "directory", "test", "alice", "alice-pw", "-j"]);
          expectCode(wrongCa, 1);
          assertMatch(JSON.parse(wrongCa.stdout).code, /TLS_FAILED|CONNECTION_FAILED/);
          assertMatch(JSON.parse(wrongCa.stdout).description, /certificate|verify/i);
          const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
          const deadPort = (l.addr as Deno.NetAddr).port;
          l.close();
          await setConfig({ ...dntemplate, port: deadPort });
          const down = await c.cli(["cluster", "directory", "test", "alice", "alice-pw", "-j"]);
          expectCode(down, 1);
          assertEquals(JSON.parse(down.stdout).code, "CONNECTION_FAILED");
          assertStringIncludes(JSON.parse(down.stdout).description, "ECONNREFUSED");
          await setConfig(search);
        },
      );

      await t.step(
        "import_user makes a remote LDAP user who can log in with the directory password",
        async () => {
          expectCode(await c.cli(["cluster", "directory", "import_user", "alice"]), 0);
          const u = JSON.parse((await c.cli(["org", "users", "show", "alice", "--json"])).stdout);
          assertEquals(u, {
            description: "Alice Liddell",
            is_remote: true,
            is_service: false,
            provider_id: "",
            provider_type: "ldap",
          });
          const again = await c.cli(["cluster", "directory", "import_user", "alice"]);
          expectCode(again, 1);
          const missing = await c.cli(["cluster", "directory", "import_user", "nobody"]);
          expectCode(missing, 1);
          assertStringIncludes(missing.stderr, "ERR_LDAP_IMPORT_USER_NOT_FOUND");
          const env = { HOME: tmp, DCOS_DIR: `${tmp}/alice`, PW: "alice-pw" };
          const login = await runCli([
            "auth",
            "login",
            "--url",
            c.sandbox.info.url,
            "--ca-cert",
            c.sandbox.info.ca_cert,
            "-u",
            "alice",
            "--password-env",
            "PW",
          ], { env });
          expectCode(login, 0);
          const wrong = await runCli([
            "auth",
            "login",
            "--url",
            c.sandbox.info.url,
            "--ca-cert",
            c.sandbox.info.ca_cert,
            "-u",
            "alice",
            "--password-env",
            "PW",
          ], {
            env: { ...env, PW: "nope" },
          });
          expectCode(wrong, 1);
          assertStringIncludes(wrong.stderr, "ERR_INVALID_CREDENTIALS");
        },
      );

      await t.step(
        "import_group with member, uniquemember and memberuid; the 100-user limit",
        async () => {
          for (const g of ["devs", "ops", "admins"]) {
            expectCode(await c.cli(["cluster", "directory", "import_group", g]), 0);
          }
          const members = async (g: string) =>
            Object.keys(JSON.parse((await c.cli(["org", "groups", "members", g, "--json"])).stdout))
              .sort();
          assertEquals(await members("devs"), ["alice", "bob"]);
          assertEquals(await members("ops"), ["carol"]);
          assertEquals(await members("admins"), ["alice", "carol"]);
          assertEquals(
            JSON.parse((await c.cli(["org", "groups", "show", "devs", "--json"])).stdout),
            { description: "Developers", provider_type: "ldap" },
          );
          const crowd = await c.cli(["cluster", "directory", "import_group", "crowd"]);
          expectCode(crowd, 0);
          assertStringIncludes(crowd.stderr, "Partial import: 100 users imported");
          assertEquals((await members("crowd")).length, 100);
          const missing = await c.cli(["cluster", "directory", "import_group", "ghosts"]);
          expectCode(missing, 1);
          assertStringIncludes(missing.stderr, "ERR_LDAP_IMPORT_GROUP_NOT_FOUND");
        },
      );

      await t.step("delete_config removes it", async () => {
        expectCode(await c.cli(["cluster", "directory", "delete_config"]), 0);
        expectCode(await c.cli(["cluster", "directory", "get_config"]), 1);
        expectCode(await c.cli(["cluster", "directory", "delete_config"]), 1);
      });

      await t.step("every exchange matches ent-iam.yaml", async () => {
        assertEquals(validateExchanges(await loadSpec("ent-iam.yaml"), c.exchanges), []);
        assert(c.exchanges.some((x) => x.path.endsWith("/ldap/importgroup") && x.status === 202));
      });
    } finally {
      await c.close();
      await ldap.stop();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "cluster oidc and saml provider round trips",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const c = await startTestCluster();
    const tmp = await Deno.makeTempDir({ prefix: "dcos-sso-" });
    const metadata = `${ROOT}/tests/fixtures/idp-metadata.xml`;
    try {
      await t.step("oidc add, show, modify, delete", async () => {
        const add = [
          "cluster",
          "oidc",
          "add",
          "google-idp",
          "-d",
          "Google",
          "-i",
          "https://accounts.google.com",
          "-b",
          "https://dcos.example.com",
          "--client-id",
          "cid",
        ];
        expectCode(
          await c.cli([...add, "--client-secret-env", "S"], { env: { S: "top-secret" } }),
          0,
        );
        assertEquals(JSON.parse((await c.cli(["cluster", "oidc", "show", "--json"])).stdout), {
          "google-idp": "Google",
        });
        const one = JSON.parse(
          (await c.cli(["cluster", "oidc", "show", "google-idp", "other", "--json"])).stdout,
        );
        assertEquals(one, {
          description: "Google",
          issuer: "https://accounts.google.com",
          base_url: "https://dcos.example.com",
          client_id: "cid",
          client_secret: "top-secret",
        });
        const exists = await c.cli([...add, "-c", "x"]);
        expectCode(exists, 1);
        assertStringIncludes(exists.stderr, "already exists");
        assert(!exists.stderr.includes("top-secret"));
        const noSecret = await c.cli(add);
        expectCode(noSecret, 2);
        const modify = [
          "cluster",
          "oidc",
          "modify",
          "google-idp",
          "-d",
          "Google SSO",
          "-i",
          "https://accounts.google.com",
          "-b",
          "https://dcos.example.com",
          "--client-id",
          "cid2",
        ];
        expectCode(
          await c.cli([...modify, "--client-secret-file", "-"], { stdin: "new-secret\n" }),
          0,
        );
        const after = JSON.parse(
          (await c.cli(["cluster", "oidc", "show", "google-idp", "-j"])).stdout,
        );
        assertEquals([after.description, after.client_id, after.client_secret], [
          "Google SSO",
          "cid2",
          "new-secret",
        ]);
        const badId = await c.cli([
          "cluster",
          "oidc",
          "add",
          "Bad_ID",
          "-d",
          "x",
          "-i",
          "https://i",
          "-b",
          "https://b",
          "--client-id",
          "c",
          "-c",
          "s",
        ]);
        expectCode(badId, 1);
        assertStringIncludes(badId.stderr, "Invalid provider ID");
        expectCode(await c.cli(["cluster", "oidc", "delete", "google-idp"]), 0);
        expectCode(await c.cli(["cluster", "oidc", "show", "google-idp"]), 1);
        expectCode(await c.cli(["cluster", "oidc", "delete", "google-idp"]), 1);
      });

      await t.step(
        "saml add from a metadata file, show, sp-metadata, callback URL, modify, delete",
        async () => {
          expectCode(
            await c.cli([
              "cluster",
              "saml",
              "add",
              "okta",
              "-d",
              "Okta",
              "-i",
              metadata,
              "-b",
              "https://dcos.example.com",
            ]),
            0,
          );
          assertEquals(JSON.parse((await c.cli(["cluster", "saml", "show", "-j"])).stdout), {
            okta: "Okta",
          });
          const one = JSON.parse((await c.cli(["cluster", "saml", "show", "okta", "-j"])).stdout);
          assertEquals(one.idp_metadata, await Deno.readTextFile(metadata));
          assertEquals(one.sp_base_url, "https://dcos.example.com");
          const url = await c.cli(["cluster", "saml", "callback-url", "okta"]);
          assertEquals(
            url.stdout,
            "https://dcos.example.com/acs/api/v1/auth/saml/providers/okta/acs-callback\n",
          );
          assertEquals(
            JSON.parse((await c.cli(["cluster", "saml", "callback-url", "okta", "--json"])).stdout),
            {
              "acs-callback-url":
                "https://dcos.example.com/acs/api/v1/auth/saml/providers/okta/acs-callback",
            },
          );
          assertStringIncludes(
            JSON.parse(
              (await c.cli(["cluster", "saml", "sp-metadata", "okta", "-j"])).stdout,
            )["sp-metadata"],
            "SPSSODescriptor",
          );
          const sp = await c.cli(["cluster", "saml", "sp-metadata", "okta"]);
          assertStringIncludes(sp.stdout, "SPSSODescriptor");
          assertStringIncludes(
            sp.stdout,
            'Location="https://dcos.example.com/acs/api/v1/auth/saml/providers/okta/acs-callback"',
          );
          expectCode(
            await c.cli([
              "cluster",
              "saml",
              "modify",
              "okta",
              "-d",
              "Okta 2",
              "-i",
              "-",
              "-b",
              "https://dcos2.example.com",
            ], { stdin: await Deno.readTextFile(metadata) }),
            0,
          );
          assertEquals(
            JSON.parse((await c.cli(["cluster", "saml", "show", "okta", "-j"])).stdout).description,
            "Okta 2",
          );
          expectCode(await c.cli(["cluster", "saml", "delete", "okta"]), 0);
          assertEquals(JSON.parse((await c.cli(["cluster", "saml", "show", "-j"])).stdout), {});
        },
      );

      await t.step(
        "malformed metadata is refused before sending; metadata without an IdP by the IAM",
        async () => {
          const seen = c.exchanges.length;
          await Deno.writeTextFile(
            `${tmp}/broken.xml`,
            "<md:EntityDescriptor><oops></md:EntityDescriptor>",
          );
          const broken = await c.cli([
            "cluster",
            "saml",
            "add",
            "x",
            "-d",
            "x",
            "-i",
            `${tmp}/broken.xml`,
            "-b",
            "https://b",
          ]);
          expectCode(broken, 1);
          assertStringIncludes(broken.stderr, "is not well-formed XML");
          await Deno.writeTextFile(`${tmp}/empty.xml`, "");
          expectCode(
            await c.cli([
              "cluster",
              "saml",
              "add",
              "x",
              "-d",
              "x",
              "-i",
              `${tmp}/empty.xml`,
              "-b",
              "https://b",
            ]),
            1,
          );
          assertEquals(c.exchanges.length, seen);
          await Deno.writeTextFile(
            `${tmp}/sp.xml`,
            '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor/></EntityDescriptor>',
          );
          const noIdp = await c.cli([
            "cluster",
            "saml",
            "add",
            "x",
            "-d",
            "x",
            "-i",
            `${tmp}/sp.xml`,
            "-b",
            "https://b",
          ]);
          expectCode(noIdp, 1);
          assertStringIncludes(noIdp.stderr, "no IDPSSODescriptor");
        },
      );

      await t.step("every exchange matches ent-iam.yaml", async () => {
        assertEquals(validateExchanges(await loadSpec("ent-iam.yaml"), c.exchanges), []);
      });
    } finally {
      await c.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
