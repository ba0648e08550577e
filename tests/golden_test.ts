/**
 * Golden files for help pages and error messages (`UPDATE_GOLDEN=1 deno task test` rewrites them).
 */
import { assertEquals } from "./assert.ts";
import { ROOT, runCli } from "./helpers.ts";

const LEAVES = [
  "auth login",
  "auth logout",
  "auth status",
  "org users create",
  "org users delete",
  "org users show",
  "org users grant",
  "org users revoke",
  "org groups add_user",
  "org groups create",
  "org groups del_user",
  "org groups delete",
  "org groups grant",
  "org groups members",
  "org groups revoke",
  "org groups show",
  "org service-accounts create",
  "org service-accounts delete",
  "org service-accounts keypair",
  "org service-accounts show",
  "sandbox",
  "cluster ca cacert",
  "cluster ca inspect",
  "cluster ca newcert",
  "cluster ca newkey",
  "cluster ca profile",
  "cluster ca sign",
  "cluster directory delete_config",
  "cluster directory get_config",
  "cluster directory import_group",
  "cluster directory import_user",
  "cluster directory set_config",
  "cluster directory test",
  "cluster oidc add",
  "cluster oidc delete",
  "cluster oidc modify",
  "cluster oidc show",
  "cluster saml add",
  "cluster saml callback-url",
  "cluster saml delete",
  "cluster saml modify",
  "cluster saml show",
  "cluster saml sp-metadata",
  "cluster secret-store seal",
  "cluster secret-store seal-status",
  "cluster secret-store show",
  "cluster secret-store status",
  "cluster secret-store unseal",
  "secrets create",
  "secrets create-sa-secret",
  "secrets delete",
  "secrets get",
  "secrets list",
  "secrets update",
];

const CASES: [name: string, args: string[]][] = [
  ["root-help", ["--help"]],
  ["root-noargs", []],
  ["version", ["--version"]],
  ["info", ["--info"]],
  ["plugin-info", ["security", "--info"]],
  ["help-auth", ["auth", "--help"]],
  ["help-org", ["org", "--help"]],
  ["help-org-users", ["org", "users", "--help"]],
  ["help-org-groups", ["org", "groups", "-h"]],
  ["help-org-service-accounts", ["org", "service-accounts", "--help"]],
  ...LEAVES.map((
    l,
  ): [string, string[]] => [`help-${l.replaceAll(" ", "-")}`, [...l.split(" "), "--help"]]),
  ["help-cluster", ["cluster", "--help"]],
  ["help-secrets", ["secrets", "--help"]],
  ["help-cluster-directory", ["cluster", "directory", "--help"]],
  ["help-cluster-oidc", ["cluster", "oidc", "--help"]],
  ["help-cluster-saml", ["cluster", "saml", "--help"]],
  ["err-oidc-missing-option", ["cluster", "oidc", "add", "x", "-d", "d"]],
  ["help-cluster-secret-store", ["cluster", "secret-store", "--help"]],
  ["err-secret-no-value", ["secrets", "create", "x"]],
  ["err-secret-two-values", ["secrets", "create", "x", "-v", "a", "-f", "b"]],
  ["help-cluster-ca", ["cluster", "ca", "--help"]],
  ["err-key-mismatch", [
    "cluster",
    "ca",
    "newkey",
    "--cn",
    "x",
    "--host",
    "x",
    "--key-algo",
    "ecdsa",
    "--key-size",
    "4096",
  ]],
  ["err-newcert-no-host", ["cluster", "ca", "newcert", "--cn", "x"]],
  ["help-completion", ["completion", "--help"]],
  ["dym-depth-1", ["clustr", "ca", "cacert"]],
  ["dym-depth-2", ["org", "usrs", "show"]],
  ["dym-depth-3", ["cluster", "secret-store", "seal_status", "default"]],
  ["dym-depth-4-option", ["cluster", "ca", "newcert", "--cn", "x", "--hots", "y"]],
  ["dym-underscore", ["org", "groups", "add-user", "ops", "alice"]],
  ["err-unknown-command", ["org", "users", "crate", "alice"]],
  ["err-missing-argument", ["org", "users", "grant", "alice"]],
  ["err-bad-action", ["org", "groups", "grant", "ops", "dcos:x", "write"]],
  ["err-bad-key-length", ["org", "service-accounts", "keypair", "-l", "1024", "a.pem", "b.pem"]],
  ["err-unknown-option", ["org", "users", "show", "--yaml"]],
  ["err-no-cluster", ["org", "users", "show"]],
  ["err-secret-account", ["org", "service-accounts", "create", "sa", "-s", "pass"]],
  ["err-no-public-key", ["org", "service-accounts", "create", "sa"]],
  ["err-no-password", ["org", "users", "create", "alice"]],
  ["err-tls-choice", [
    "auth",
    "login",
    "--url",
    "https://x",
    "--insecure",
    "--ca-cert",
    "c.pem",
    "-u",
    "a",
  ]],
];

Deno.test("help pages and error messages match the golden files", async (t) => {
  const home = await Deno.makeTempDir();
  const update = Deno.env.get("UPDATE_GOLDEN") === "1";
  for (const [name, args] of CASES) {
    await t.step(name, async () => {
      const r = await runCli(args, { env: { HOME: home, COLUMNS: "100" }, cwd: home });
      const got = `$ dcos-security ${
        args.join(" ")
      }\n${r.stdout}--- stderr\n${r.stderr}--- exit ${r.code}\n`;
      const path = `${ROOT}/tests/golden/${name}.txt`;
      if (update) await Deno.writeTextFile(path, got);
      assertEquals(got, await Deno.readTextFile(path));
    });
  }
});
