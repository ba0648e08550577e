/**
 * `deno task demo`: starts a throwaway sandbox, logs in, and walks through the main job with real
 * commands, printing each command and its output. Exits non-zero if any step fails; always cleans up.
 */
import { startSandbox } from "../sandbox/server.ts";

const root = new URL("..", import.meta.url).pathname;
const work = await Deno.makeTempDir({ prefix: "dcos-security-demo-" });
const sandbox = await startSandbox({ stateDir: `${work}/sandbox`, port: 0 });
const env = {
  HOME: work,
  DCOS_DIR: `${work}/.dcos`,
  ALICE_PASSWORD: "wonderland-42",
  OIDC_CLIENT_SECRET: "demo-client-secret",
  NO_COLOR: "1",
};
const bold = (s: string) => Deno.stdout.isTerminal() && !Deno.noColor ? `\x1b[1m${s}\x1b[0m` : s;

/** Runs one CLI command, echoing it and its output; throws when it fails. */
async function step(note: string, args: string[], stdin?: string, display?: string): Promise<void> {
  console.log(note ? `\n# ${note}` : "");
  console.log(bold(`$ ${display ?? `dcos-security ${args.map(quote).join(" ")}`}`));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${root}main.ts`, ...args],
    env,
    cwd: work,
    stdin: "piped",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const w = child.stdin.getWriter();
  if (stdin) await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const { code } = await child.status;
  if (code !== 0) throw new Error(`step failed with exit ${code}: ${args.join(" ")}`);
}

/** Shows `openssl verify` of the issued certificate when openssl is installed. */
async function verifyWithOpenssl(caFile: string, certFile: string): Promise<void> {
  console.log(`\n# Verify it with openssl`);
  console.log(bold("$ openssl verify -CAfile dcos-ca.crt web.pem"));
  try {
    const out = await new Deno.Command("openssl", {
      args: ["verify", "-CAfile", caFile, certFile],
      cwd: work,
    }).output();
    const text = new TextDecoder().decode(out.stdout).replace(`${work}/`, "");
    console.log(text.trimEnd());
    if (!out.success) throw new Error("openssl could not verify the certificate");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) console.log("(openssl is not installed; skipped)");
    else throw e;
  }
}

function quote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`;
}

let failed = false;
try {
  const { url, ca_cert: ca, superuser } = sandbox.info;
  console.log(`Sandbox cluster at ${url} (state in ${work}/sandbox)`);
  await step(
    "Log in as the bootstrap superuser; the password comes from stdin, never argv",
    [
      "auth",
      "login",
      "--url",
      url,
      "--ca-cert",
      ca,
      "--username",
      superuser.uid,
      "--password-file",
      "-",
    ],
    superuser.password,
    `jq -r .superuser.password sandbox.json | dcos-security auth login --url ${url} --ca-cert ${ca} --username ${superuser.uid} --password-file -`,
  );
  await step("Who am I?", ["auth", "status"]);
  await step("Make a key pair locally (private key 0600, PKCS#8)", [
    "org",
    "service-accounts",
    "keypair",
    "demo-sa.pem",
    "demo-sa.pub",
  ]);
  await step("Create a service account from the public key", [
    "org",
    "service-accounts",
    "create",
    "demo-sa",
    "-p",
    "demo-sa.pub",
    "-d",
    "Demo service account",
  ]);
  await step("Create a user, password from an environment variable", [
    "org",
    "users",
    "create",
    "alice",
    "-d",
    "Alice",
    "--password-env",
    "ALICE_PASSWORD",
  ]);
  await step("Create a group and add both", [
    "org",
    "groups",
    "create",
    "demo-ops",
    "-d",
    "Demo operators",
  ]);
  await step("", ["org", "groups", "add_user", "demo-ops", "alice"]);
  await step("", ["org", "groups", "add_user", "demo-ops", "demo-sa"]);
  await step("Grant the group Marathon access (the ACL is created if missing)", [
    "org",
    "groups",
    "grant",
    "demo-ops",
    "dcos:adminrouter:service:marathon",
    "full",
  ]);
  await step("Grant the service account read on a RID with slashes", [
    "org",
    "users",
    "grant",
    "demo-sa",
    "dcos:service:marathon:marathon:services:/demo",
    "read",
  ]);
  await step("Granting it again is fine", [
    "org",
    "users",
    "grant",
    "demo-sa",
    "dcos:service:marathon:marathon:services:/demo",
    "read",
  ]);
  await step("Show the service account (YAML, like the original)", [
    "org",
    "service-accounts",
    "show",
    "demo-sa",
  ]);
  await step("Group members", ["org", "groups", "members", "demo-ops"]);
  await step("All users as JSON", ["org", "users", "show", "--json"]);
  await step("Store the service account's login secret (the value DC/OS services read)", [
    "secrets",
    "create-sa-secret",
    "--strict",
    "demo-sa.pem",
    "demo-sa",
    "demo-sa/login",
  ]);
  await step(
    "Store a text secret from stdin: it never appears on the command line",
    ["secrets", "create", "demo/db-password", "-t", "-"],
    "correct horse battery staple\n",
    "printf 'correct horse battery staple\\n' | dcos-security secrets create demo/db-password -t -",
  );
  await step("Read it back (exactly as stored)", ["secrets", "get", "demo/db-password"]);
  console.log();
  await step("List secrets", ["secrets", "list", "/"]);
  await step("The secret store's seal status", [
    "cluster",
    "secret-store",
    "seal-status",
    "default",
  ]);
  await step(
    "Register an OIDC provider; the client secret comes from the environment",
    [
      "cluster",
      "oidc",
      "add",
      "demo-idp",
      "-d",
      "Demo identity provider",
      "-i",
      "https://idp.example.org",
      "-b",
      "https://dcos.example.org",
      "--client-id",
      "dcos",
      "--client-secret-env",
      "OIDC_CLIENT_SECRET",
    ],
  );
  await step("", ["cluster", "oidc", "show"]);
  await step(
    "Fetch the cluster CA (DC/OS TLS guides save it with `> dcos-ca.crt`; the demo saves it too)",
    ["cluster", "ca", "cacert"],
  );
  await Deno.writeTextFile(`${work}/dcos-ca.crt`, await Deno.readTextFile(ca));
  await step("Issue a certificate: the key and CSR are made here, the CA only signs", [
    "cluster",
    "ca",
    "newcert",
    "--cn",
    "web.demo.local",
    "--host",
    "web.demo.local",
    "--host",
    "10.0.0.10",
    "--out",
    "web",
  ]);
  await step("Inspect it", ["cluster", "ca", "inspect", "web.pem"]);
  await verifyWithOpenssl(`${work}/dcos-ca.crt`, `${work}/web.pem`);
  await step("Log in as the service account with its private key", [
    "auth",
    "login",
    "--url",
    url,
    "--username",
    "demo-sa",
    "--private-key",
    "demo-sa.pem",
  ]);
  await step("", ["auth", "status"]);
  console.log("\nDemo finished: every command exited 0.");
} catch (e) {
  failed = true;
  console.error(`\nDemo failed: ${e instanceof Error ? e.message : e}`);
} finally {
  await sandbox.close();
  await Deno.remove(work, { recursive: true });
}
Deno.exit(failed ? 1 : 0);
