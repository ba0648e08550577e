/**
 * A real OpenLDAP server for tests: slapd from Debian on loopback ports (LDAP with StartTLS, and
 * LDAPS), a TLS certificate from a throwaway CA, and the directory from `fixtures/directory.ldif`
 * plus a generated group of 101 users (`crowd`). Stopped and removed by `stop()`.
 * @module
 */
import { createRootCa, issueServerCert } from "../sandbox/pki.ts";
import { ROOT } from "./helpers.ts";

/** A running slapd. */
export interface Slapd {
  /** Plain LDAP (StartTLS available) port. */
  port: number;
  /** LDAPS port. */
  ldapsPort: number;
  /** PEM of the CA that signed slapd's certificate. */
  caPem: string;
  /** Stops slapd and removes its files. */
  stop(): Promise<void>;
}

const SLAPD = ["/usr/sbin/slapd", "/usr/libexec/slapd"];

/** Where slapd is, or undefined when it is not installed. */
export async function findSlapd(): Promise<string | undefined> {
  for (const p of SLAPD) if (await Deno.stat(p).then(() => true, () => false)) return p;
  return undefined;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Starts slapd with the test directory. */
export async function startSlapd(): Promise<Slapd> {
  const slapd = await findSlapd();
  if (!slapd) throw new Error("slapd is not installed (apt-get install slapd ldap-utils)");
  const dir = await Deno.makeTempDir({ prefix: "dcos-slapd-" });
  const ca = await createRootCa("slapd test CA");
  const server = await issueServerCert(ca, ["127.0.0.1", "localhost"]);
  await Deno.writeTextFile(`${dir}/ca.crt`, ca.certPem);
  await Deno.writeTextFile(`${dir}/server.crt`, server.certPem);
  await Deno.writeTextFile(`${dir}/server.key`, server.keyPem, { mode: 0o600 });
  await Deno.mkdir(`${dir}/data`);
  await Deno.writeTextFile(
    `${dir}/slapd.conf`,
    `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${dir}/slapd.pid
TLSCACertificateFile ${dir}/ca.crt
TLSCertificateFile ${dir}/server.crt
TLSCertificateKeyFile ${dir}/server.key
database mdb
maxsize 67108864
suffix "dc=example,dc=org"
rootdn "cn=admin,dc=example,dc=org"
rootpw admin-pw
directory ${dir}/data
access to attrs=userPassword by anonymous auth by self write by * none
access to * by * read
`,
  );
  let ldif = await Deno.readTextFile(`${ROOT}/tests/fixtures/directory.ldif`);
  const crowd = Array.from({ length: 101 }, (_, i) => `user${String(i).padStart(3, "0")}`);
  for (const u of crowd) {
    ldif +=
      `\ndn: uid=${u},ou=people,dc=example,dc=org\nobjectClass: inetOrgPerson\nuid: ${u}\ncn: ${u}\nsn: ${u}\nuserPassword: ${u}-pw\n`;
  }
  ldif += `\ndn: cn=crowd,ou=groups,dc=example,dc=org\nobjectClass: groupOfNames\ncn: crowd\n` +
    crowd.map((u) => `member: uid=${u},ou=people,dc=example,dc=org\n`).join("");
  await Deno.writeTextFile(`${dir}/directory.ldif`, ldif);
  await run("/usr/sbin/slapadd", ["-f", `${dir}/slapd.conf`, "-l", `${dir}/directory.ldif`]);
  const port = freePort();
  const ldapsPort = freePort();
  const child = new Deno.Command(slapd, {
    args: [
      "-f",
      `${dir}/slapd.conf`,
      "-h",
      `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${ldapsPort}/`,
      "-d",
      "0",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  for (let i = 0;; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      (await Deno.connect({ hostname: "127.0.0.1", port: ldapsPort })).close();
      break;
    } catch {
      if (i > 100) {
        child.kill("SIGKILL");
        throw new Error("slapd did not start");
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    ldapsPort,
    caPem: ca.certPem,
    async stop() {
      child.kill("SIGTERM");
      await child.stderr.cancel().catch(() => {});
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
