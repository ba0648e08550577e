/**
 * End to end: the `org` commands run as a real process against a real sandbox over HTTPS, and
 * every exchange is checked against the IAM spec.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { parse as parseYaml } from "yaml";
import { loadSpec, validateExchanges } from "./contract.ts";
import { api, expectCode, sh, startTestCluster } from "./helpers.ts";

Deno.test({
  name: "org commands end to end against the sandbox",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const c = await startTestCluster();
    const tmp = await Deno.makeTempDir({ prefix: "dcos-org-" });
    try {
      await t.step("users create takes the password from -p, a file, stdin and env", async () => {
        expectCode(
          await c.cli(["org", "users", "create", "alice", "-d", "Alice", "-p", "secret-1"]),
          0,
        );
        await Deno.writeTextFile(`${tmp}/pw`, "secret-2\n");
        expectCode(
          await c.cli(["org", "users", "create", "bob", "--password-file", `${tmp}/pw`]),
          0,
        );
        expectCode(
          await c.cli(["org", "users", "create", "carol", "-p", "-"], { stdin: "secret-3\n" }),
          0,
        );
        expectCode(
          await c.cli(["org", "users", "create", "dave", "--password-env", "PW"], {
            env: { PW: "secret-4" },
          }),
          0,
        );
        // each password works for login through the IAM
        for (
          const [uid, pw] of [["bob", "secret-2"], ["carol", "secret-3"], ["dave", "secret-4"]]
        ) {
          const res = await api(c.sandbox.info, "POST", "/acs/api/v1/auth/login", {
            token: null,
            body: {
              uid,
              password: pw,
            },
          });
          assertEquals(res.status, 200, `login ${uid}`);
        }
      });

      await t.step("mutating commands print nothing on success", async () => {
        const r = await c.cli(["org", "users", "create", "erin", "-p", "secret-5"]);
        expectCode(r, 0);
        assertEquals(r.stdout, "");
        assertEquals(r.stderr, "");
      });

      await t.step("users show: all as YAML keyed by uid, one as the object, --json", async () => {
        const all = await c.cli(["org", "users", "show"]);
        expectCode(all, 0);
        const doc = parseYaml(all.stdout);
        assertEquals(doc.alice, {
          description: "Alice",
          is_remote: false,
          is_service: false,
          provider_id: "",
          provider_type: "internal",
        });
        assert("bootstrapuser" in doc);
        assertMatch(all.stdout, /^alice:\n {4}description: Alice\n/m);
        const one = await c.cli(["org", "users", "show", "alice", "--json"]);
        expectCode(one, 0);
        assertEquals(JSON.parse(one.stdout).description, "Alice");
        assert(!("uid" in JSON.parse(one.stdout)));
        const two = await c.cli(["org", "users", "show", "-j", "alice", "bob"]);
        assertEquals(Object.keys(JSON.parse(two.stdout)).sort(), ["alice", "bob"]);
      });

      await t.step("users create failures are one clear line and exit 1", async () => {
        const exists = await c.cli(["org", "users", "create", "alice", "-p", "secret-1"]);
        expectCode(exists, 1);
        assertEquals(
          exists.stderr,
          "Error: create user alice failed: User with id `alice` already exists. (ERR_USER_EXISTS, HTTP 409)\n",
        );
        const bad = await c.cli(["org", "users", "create", "bad uid", "-p", "secret-1"]);
        expectCode(bad, 1);
        assertStringIncludes(bad.stderr, "ERR_INVALID_USER_ID");
        const reserved = await c.cli(["org", "users", "create", "anonymous", "-p", "secret-1"]);
        assertStringIncludes(reserved.stderr, "Invalid user ID: anonymous");
        const short = await c.cli(["org", "users", "create", "frank", "-p", "abc"]);
        expectCode(short, 1);
        assertStringIncludes(short.stderr, "at least 5 characters");
        const noPw = await c.cli(["org", "users", "create", "frank"]);
        expectCode(noPw, 2);
        assertStringIncludes(noPw.stderr, "stdin is not a terminal");
        const missingFile = await c.cli([
          "org",
          "users",
          "create",
          "frank",
          "--password-file",
          `${tmp}/nope`,
        ]);
        expectCode(missingFile, 1);
        assertStringIncludes(missingFile.stderr, "no such file");
        for (const r of [exists, bad, short, noPw, missingFile]) {
          assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
        }
      });

      await t.step(
        "grant creates the ACL with the default description, keeps an existing one",
        async () => {
          expectCode(
            await c.cli([
              "org",
              "users",
              "grant",
              "alice",
              "dcos:adminrouter:service:marathon",
              "full",
            ]),
            0,
          );
          const acl = await api(
            c.sandbox.info,
            "GET",
            "/acs/api/v1/acls/dcos:adminrouter:service:marathon",
          );
          assertEquals((await acl.json()).description, "Created with the security CLI");
          await api(c.sandbox.info, "PUT", "/acs/api/v1/acls/dcos:custom", {
            body: {
              description: "Mine",
            },
          });
          expectCode(
            await c.cli([
              "org",
              "users",
              "grant",
              "alice",
              "dcos:custom",
              "read",
              "--description",
              "Other",
            ]),
            0,
          );
          const kept = await api(c.sandbox.info, "GET", "/acs/api/v1/acls/dcos:custom");
          assertEquals((await kept.json()).description, "Mine");
        },
      );

      await t.step(
        "grant of an existing permission exits 0 and says so; RIDs with / work",
        async () => {
          const rid = "dcos:service:marathon:marathon:services:/prod";
          expectCode(await c.cli(["org", "users", "grant", "bob", rid, "read"]), 0);
          const again = await c.cli(["org", "users", "grant", "bob", rid, "read"]);
          expectCode(again, 0);
          assertStringIncludes(again.stderr, "already has read");
          const perms =
            await (await api(c.sandbox.info, "GET", "/acs/api/v1/users/bob/permissions"))
              .json();
          assertEquals(perms.direct[0].rid, rid);
          assertEquals(
            perms.direct[0].aclurl,
            "/acs/api/v1/acls/dcos:service:marathon:marathon:services:%252Fprod",
          );
          expectCode(await c.cli(["org", "users", "revoke", "bob", rid, "read"]), 0);
          const notGranted = await c.cli(["org", "users", "revoke", "bob", rid, "read"]);
          expectCode(notGranted, 1);
          assertStringIncludes(notGranted.stderr, "is not part of ACL");
          const badAction = await c.cli(["org", "users", "grant", "bob", rid, "write"]);
          expectCode(badAction, 2);
        },
      );

      await t.step("groups: create, membership, members, show, grant, revoke, delete", async () => {
        expectCode(await c.cli(["org", "groups", "create", "ops", "-d", "Operations"]), 0);
        expectCode(await c.cli(["org", "groups", "add_user", "ops", "alice"]), 0);
        const twice = await c.cli(["org", "groups", "add_user", "ops", "alice"]);
        expectCode(twice, 1);
        assertStringIncludes(twice.stderr, "ERR_USER_ALREADY_IN_GROUP");
        const members = JSON.parse(
          (await c.cli(["org", "groups", "members", "ops", "--json"])).stdout,
        );
        assertEquals(Object.keys(members), ["alice"]);
        const show = parseYaml((await c.cli(["org", "groups", "show"])).stdout);
        assertEquals(show.ops, { description: "Operations", provider_type: "internal" });
        const one = JSON.parse((await c.cli(["org", "groups", "show", "ops", "-j"])).stdout);
        assertEquals(one, { description: "Operations", provider_type: "internal" });
        expectCode(
          await c.cli(["org", "groups", "grant", "ops", "dcos:adminrouter:ops:ca:rw", "full"]),
          0,
        );
        const gp = await (await api(c.sandbox.info, "GET", "/acs/api/v1/groups/ops/permissions"))
          .json();
        assertEquals(gp.array[0].rid, "dcos:adminrouter:ops:ca:rw");
        expectCode(
          await c.cli(["org", "groups", "revoke", "ops", "dcos:adminrouter:ops:ca:rw", "full"]),
          0,
        );
        expectCode(await c.cli(["org", "groups", "del_user", "ops", "alice"]), 0);
        const notMember = await c.cli(["org", "groups", "del_user", "ops", "alice"]);
        expectCode(notMember, 1);
        expectCode(await c.cli(["org", "groups", "delete", "ops"]), 0);
        const unknown = await c.cli(["org", "groups", "show", "ops"]);
        expectCode(unknown, 1);
        assertStringIncludes(
          unknown.stderr,
          "Group with gid `ops` not known. (ERR_UNKNOWN_GROUP_ID, HTTP 400)",
        );
        const unknownUser = await c.cli(["org", "groups", "add_user", "superusers", "nobody"]);
        assertStringIncludes(unknownUser.stderr, "ERR_UNKNOWN_USER_ID");
      });

      await t.step(
        "service accounts: keypair, create from file and stdin, show, delete",
        async () => {
          const priv = `${tmp}/sa.pem`;
          const pub = `${tmp}/sa.pub`;
          expectCode(await c.cli(["org", "service-accounts", "keypair", priv, pub]), 0);
          assertEquals((await Deno.stat(priv)).mode! & 0o777, 0o600);
          assertStringIncludes(await Deno.readTextFile(priv), "-----BEGIN PRIVATE KEY-----");
          assertStringIncludes(await Deno.readTextFile(pub), "-----BEGIN PUBLIC KEY-----");
          const check = await sh("openssl", ["pkey", "-in", priv, "-check", "-noout"]);
          assertEquals(check.code, 0, check.stderr);
          const bits = await sh("openssl", ["pkey", "-pubin", "-in", pub, "-text", "-noout"]);
          assertStringIncludes(bits.stdout, "2048 bit");
          const derivedPub = await sh("openssl", ["pkey", "-in", priv, "-pubout"]);
          assertEquals(derivedPub.stdout, await Deno.readTextFile(pub));
          const before = await Deno.readTextFile(priv);
          const refuse = await c.cli(["org", "service-accounts", "keypair", priv, pub]);
          expectCode(refuse, 1);
          assertStringIncludes(refuse.stderr, "refusing to overwrite");
          assertEquals(await Deno.readTextFile(priv), before);
          expectCode(
            await c.cli(["org", "service-accounts", "keypair", "--force", "-l", "4096", priv, pub]),
            0,
          );
          assertStringIncludes(
            (await sh("openssl", ["pkey", "-pubin", "-in", pub, "-text", "-noout"])).stdout,
            "4096 bit",
          );

          expectCode(
            await c.cli([
              "org",
              "service-accounts",
              "create",
              "sa-file",
              "-p",
              pub,
              "-d",
              "From file",
            ]),
            0,
          );
          expectCode(
            await c.cli(["org", "service-accounts", "create", "sa-stdin", "-p", "-"], {
              stdin: await Deno.readTextFile(pub),
            }),
            0,
          );
          const all = JSON.parse(
            (await c.cli(["org", "service-accounts", "show", "--json"])).stdout,
          );
          assert("sa-file" in all && "sa-stdin" in all);
          assertEquals(all["sa-stdin"].description, "sa-stdin");
          assertEquals(all["sa-file"].is_service, true);
          assertEquals(all["sa-file"].public_key, await Deno.readTextFile(pub));
          const users = JSON.parse((await c.cli(["org", "users", "show", "--json"])).stdout);
          assert(!("sa-file" in users), "service accounts are not listed as users");
          const one = await c.cli(["org", "service-accounts", "show", "sa-file"]);
          assertMatch(one.stdout, /public_key: \|\n {4}-----BEGIN PUBLIC KEY-----\n/);
          expectCode(await c.cli(["org", "service-accounts", "delete", "sa-stdin"]), 0);
          expectCode(await c.cli(["org", "service-accounts", "show", "sa-stdin"]), 1);
        },
      );

      await t.step("service-account bad input fails before any request", async () => {
        await Deno.writeTextFile(`${tmp}/bad.pub`, "not a key\n");
        const seen = c.exchanges.length;
        const bad = await c.cli([
          "org",
          "service-accounts",
          "create",
          "sa-bad",
          "-p",
          `${tmp}/bad.pub`,
        ]);
        expectCode(bad, 1);
        assertStringIncludes(bad.stderr, "is not a PEM public key");
        const secret = await c.cli([
          "org",
          "service-accounts",
          "create",
          "sa-bad",
          "-s",
          "hunter2",
        ]);
        expectCode(secret, 1);
        assertStringIncludes(secret.stderr, "DC/OS 2.x");
        assert(!secret.stderr.includes("hunter2"), "the secret is never echoed");
        const none = await c.cli(["org", "service-accounts", "create", "sa-bad"]);
        expectCode(none, 2);
        assertEquals(c.exchanges.length, seen, "no request was sent");
      });

      await t.step("a non-superuser gets a clear 403", async () => {
        const token = (await (await api(c.sandbox.info, "POST", "/acs/api/v1/auth/login", {
          token: null,
          body: {
            uid: "alice",
            password: "secret-1",
          },
        })).json()).token;
        const r = await c.cli(["org", "users", "show"], {
          env: {
            DCOS_URL: c.sandbox.info.url,
            DCOS_ACS_TOKEN: token,
            DCOS_TLS_CA_PATH: c.sandbox.info.ca_cert,
          },
        });
        expectCode(r, 1);
        assertEquals(
          r.stderr,
          "Error: list users failed: you are not authorized to perform this operation (HTTP 403)\n",
        );
        assert(!r.stderr.includes(token));
      });

      await t.step("every exchange matches ent-iam.yaml", async () => {
        const spec = await loadSpec("ent-iam.yaml");
        assert(c.exchanges.length > 40);
        assertEquals(validateExchanges(spec, c.exchanges), []);
      });
    } finally {
      await c.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
