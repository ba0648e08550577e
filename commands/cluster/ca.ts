/**
 * `cluster ca`: the cluster certificate authority. Keys and CSRs are made locally; the CA only
 * signs (`--server-side` keeps the original's CA-generated keys for those who want them).
 * @module
 */
import { merge, object, or } from "@optique/core/constructs";
import { message, text } from "@optique/core/message";
import { multiple, optional } from "@optique/core/modifiers";
import type { InferValue } from "@optique/core/parser";
import { argument, command, constant, option } from "@optique/core/primitives";
import { integer, string } from "@optique/core/valueparser";
import { CaClient, type CsrRequest } from "../../lib/ca.ts";
import {
  createCsr,
  exportPrivateKeyPem,
  generateKey,
  importKeyPair,
  inspectPem,
  type KeySpec,
  resolveKeySpec,
} from "../../lib/csr.ts";
import { dynamicValue } from "../../lib/completion.ts";
import { CliError, UsageError } from "../../lib/errors.ts";
import { exists, writeFileAtomic } from "../../lib/fs_safe.ts";
import { readInputText } from "../../lib/input.ts";
import { emit } from "../../lib/output.ts";
import { withProgress } from "../../lib/progress.ts";
import { type Deps, examples, fileValue, jsonFlag } from "../common.ts";

const nameOption = (name: "c" | "st" | "o" | "l" | "ou", label: string) =>
  optional(
    option(`--name-${name}`, string({ metavar: "TEXT" }), { description: [text(label)] }),
  );

/** Options shared by newkey and newcert. */
const keyRequest = object({
  cn: option("--cn", string({ metavar: "TEXT" }), { description: message`Canonical Name.` }),
  nameC: nameOption("c", "Country."),
  nameSt: nameOption("st", "State."),
  nameO: nameOption("o", "Organization."),
  nameL: nameOption("l", "Locality."),
  nameOu: nameOption("ou", "Organization unit."),
  keyAlgo: optional(option("--key-algo", string({ metavar: "[rsa|ecdsa]" }), {
    description: message`Key algorithm (default ecdsa, or rsa when --key-size is 2048 or more).`,
  })),
  keySize: optional(option("--key-size", integer({ metavar: "[256|384|521|2048|4096|8192]" }), {
    description: message`Key size (default 256 for ecdsa, 2048 for rsa).`,
  })),
  hosts: multiple(
    option("--host", string({ metavar: "TEXT" }), {
      description: message`SAN host (DNS name, IP, email or URI), may be specified multiple times.`,
    }),
    { min: 1 },
  ),
  json: jsonFlag(),
  out: optional(option("--out", fileValue("PREFIX"), {
    description:
      message`Write PREFIX-key.pem (0600), PREFIX.csr and PREFIX.pem instead of printing them.`,
  })),
  force: option("--force", { description: message`With --out, replace existing files.` }),
  key: optional(option("--key", fileValue("FILE"), {
    description: message`Use this existing private key (PEM) instead of generating one.`,
  })),
  serverSide: option("--server-side", {
    description:
      message`Let the CA generate the key (the original CLI's behaviour; the key crosses the network).`,
  }),
});

const cacert = command("cacert", object({ cmd: constant("cluster.ca.cacert"), json: jsonFlag() }), {
  description:
    message`Fetch the PEM-encoded signing CA certificate (either a root CA certificate or an intermediate CA certificate).`,
  footer: examples("dcos-security cluster ca cacert > dcos-ca.crt"),
});

const profile = command(
  "profile",
  object({
    cmd: constant("cluster.ca.profile"),
    profile: optional(option("-p", "--profile", dynamicValue("TEXT", "profile"), {
      description: message`Signing profile to fetch information about.`,
    })),
    json: jsonFlag(),
  }),
  {
    description:
      message`Print information about a signing profile. If no profile name is specified or the given profile does not exist, the default profile information is returned.`,
    footer: examples(
      "dcos-security cluster ca profile",
      "dcos-security cluster ca profile -p server --json",
    ),
  },
);

const newkey = command(
  "newkey",
  merge(object({ cmd: constant("cluster.ca.newkey") }), keyRequest),
  {
    description:
      message`Create a new key and a new CSR. The key is generated locally and never leaves this host.`,
    footer: examples(
      "dcos-security cluster ca newkey --cn www.example.com --host www.example.com --host 10.0.0.5",
      "dcos-security cluster ca newkey --cn api --host api.example.com --key-algo rsa --key-size 4096 --out api",
    ),
  },
);

const newcert = command(
  "newcert",
  merge(
    object({
      cmd: constant("cluster.ca.newcert"),
      profile: optional(
        option("-p", "--profile", dynamicValue("TEXT", "profile"), {
          description: message`Signing profile to use.`,
        }),
      ),
    }),
    keyRequest,
  ),
  {
    description:
      message`Create and sign a new certificate: a local key and CSR, signed by the cluster CA.`,
    footer: examples(
      "dcos-security cluster ca newcert --cn www.example.com --host www.example.com --json | jq -r .certificate",
      "dcos-security cluster ca newcert --cn svc --host svc.marathon.l4lb.thisdcos.directory --out svc",
    ),
  },
);

const sign = command(
  "sign",
  object({
    cmd: constant("cluster.ca.sign"),
    json: jsonFlag(),
    csr: option("--csr", fileValue(), {
      description: message`Path to a CSR to sign (${"-"} reads stdin).`,
    }),
    profile: optional(
      option("-p", "--profile", dynamicValue("TEXT", "profile"), {
        description: message`Signing profile to use.`,
      }),
    ),
  }),
  {
    description: message`Sign a CSR and print the certificate.`,
    footer: examples(
      "dcos-security cluster ca sign --csr server.csr > server.pem",
      "openssl req -new -key k.pem -subj /CN=x | dcos-security cluster ca sign --csr -",
    ),
  },
);

const inspect = command(
  "inspect",
  object({
    cmd: constant("cluster.ca.inspect"),
    json: jsonFlag(),
    file: argument(fileValue("FILE")),
  }),
  {
    description:
      message`Show a certificate or CSR: subject, SANs, issuer, validity, serial, key type and size, SHA-256 fingerprint. Works offline.`,
    footer: examples(
      "dcos-security cluster ca inspect server.pem",
      "dcos-security cluster ca cacert | dcos-security cluster ca inspect - --json",
    ),
  },
);

/** The `ca` command group. */
export const caCommand = command("ca", or(cacert, inspect, newcert, newkey, profile, sign), {
  description:
    message`Manage the DC/OS Certificate Authority: signing certs, generating keys and CSRs, and signing information retrieval.`,
  footer: examples(
    "dcos-security cluster ca newcert --cn www.example.com --host www.example.com --json",
  ),
});

/** Parsed options of any `cluster ca` command. */
export type CaOptions = InferValue<typeof caCommand>;
type KeyOptions = Extract<CaOptions, { cmd: "cluster.ca.newkey" | "cluster.ca.newcert" }>;

/** Runs a `cluster ca` command. */
export async function run(opts: CaOptions, deps: Deps): Promise<void> {
  switch (opts.cmd) {
    case "cluster.ca.cacert": {
      const info = await new CaClient((await deps.session()).http).info();
      const pem = withNewline(info.certificate);
      if (opts.json) return await emit(deps.io, { certificate: pem }, { json: true });
      deps.io.out(pem);
      return;
    }
    case "cluster.ca.profile":
      return await showProfile(opts, deps);
    case "cluster.ca.newkey":
    case "cluster.ca.newcert":
      return await newKeyOrCert(opts, deps);
    case "cluster.ca.sign": {
      const csr = await readInputText(deps.io, opts.csr, "CSR");
      const info = await inspectPem(
        csr,
        opts.csr === "-" ? "the CSR from stdin" : `CSR ${opts.csr}`,
      );
      if (info.type !== "certificate_request") {
        throw new CliError(`${opts.csr} is a certificate, not a certificate request (CSR)`);
      }
      if (!info.signature_valid) {
        throw new CliError(`${opts.csr}: the CSR's signature does not verify`);
      }
      const cert = withNewline(
        await new CaClient((await deps.session()).http).sign(csr, opts.profile),
      );
      if (opts.json) return await emit(deps.io, { certificate: cert }, { json: true });
      deps.io.out(cert);
      return;
    }
    case "cluster.ca.inspect": {
      const pem = await readInputText(deps.io, opts.file, "file");
      return await emit(
        deps.io,
        await inspectPem(pem, opts.file === "-" ? "stdin" : opts.file),
        opts,
      );
    }
  }
}

async function showProfile(opts: { profile?: string; json: boolean }, deps: Deps): Promise<void> {
  const ca = new CaClient((await deps.session()).http);
  const info = await ca.info(opts.profile);
  if (!opts.profile) deps.io.err("Showing the default profile");
  else {
    const def = await ca.info();
    if (JSON.stringify([def.usages, def.expiry]) === JSON.stringify([info.usages, info.expiry])) {
      deps.io.err(
        `Showing the default profile (profile ${opts.profile} is unknown to the CA or identical to the default)`,
      );
    }
  }
  await emit(deps.io, { expiry: info.expiry, usages: info.usages }, opts);
}

async function newKeyOrCert(opts: KeyOptions, deps: Deps): Promise<void> {
  if (opts.serverSide && opts.key) {
    throw new UsageError("--key and --server-side cannot be combined");
  }
  if (opts.force && !opts.out) throw new UsageError("--force only applies with --out");
  const isCert = opts.cmd === "cluster.ca.newcert";
  const names = {
    ...(opts.nameC && { C: opts.nameC }),
    ...(opts.nameSt && { ST: opts.nameSt }),
    ...(opts.nameL && { L: opts.nameL }),
    ...(opts.nameO && { O: opts.nameO }),
    ...(opts.nameOu && { OU: opts.nameOu }),
  };
  const spec: KeySpec | undefined = opts.key
    ? undefined
    : resolveKeySpec(opts.keyAlgo, opts.keySize);
  const files = opts.out ? outFiles(opts.out, isCert) : undefined;
  if (files && !opts.force) {
    for (const f of Object.values(files)) {
      if (await exists(f)) {
        throw new CliError(`refusing to overwrite existing file ${f} (use --force to replace it)`);
      }
    }
  }
  const profileName = isCert ? (opts as { profile?: string }).profile : undefined;
  let result: { private_key: string; certificate_request: string; certificate?: string };
  if (opts.serverSide) {
    const request: CsrRequest = {
      CN: opts.cn,
      hosts: [...opts.hosts],
      names: [names],
      key: { algo: spec!.algo, size: spec!.size },
    };
    const ca = new CaClient((await deps.session()).http);
    const r = isCert ? await ca.newcert(request, profileName) : await ca.newkey(request);
    result = {
      private_key: r.private_key,
      certificate_request: r.certificate_request,
      certificate: r.certificate,
    };
  } else {
    const session = isCert ? deps.session() : undefined; // resolve the cluster before slow key generation
    if (session) await session;
    let keys: CryptoKeyPair;
    let used: KeySpec;
    if (opts.key) {
      ({ keys, spec: used } = await importKeyPair(
        await readInputText(deps.io, opts.key, "private key"),
        `private key ${opts.key}`,
      ));
    } else {
      used = spec!;
      const slow = used.algo === "rsa" && used.size >= 4096;
      keys = await (slow
        ? withProgress(deps.io, `Generating an RSA-${used.size} key`, generateKey(used))
        : generateKey(used));
    }
    const csr = await createCsr(keys, used, { cn: opts.cn, names, hosts: opts.hosts });
    result = { private_key: await exportPrivateKeyPem(keys.privateKey), certificate_request: csr };
    if (isCert) {
      result.certificate = await new CaClient((await session!).http).sign(csr, profileName);
    }
  }
  const ordered: Record<string, string> = {};
  if (result.certificate) ordered.certificate = withNewline(result.certificate);
  ordered.certificate_request = withNewline(result.certificate_request);
  ordered.private_key = withNewline(result.private_key);
  if (!files) return await emit(deps.io, ordered, opts);
  await writeOutputs(files, ordered, opts.force);
  for (const f of Object.values(files)) deps.io.err(`wrote ${f}`);
}

function withNewline(s: string): string {
  return s.endsWith("\n") ? s : s + "\n";
}

function outFiles(prefix: string, withCert: boolean): Record<string, string> {
  const files: Record<string, string> = {
    private_key: `${prefix}-key.pem`,
    certificate_request: `${prefix}.csr`,
  };
  if (withCert) files.certificate = `${prefix}.pem`;
  return files;
}

/** Writes all outputs or none: on a failure, files written so far are removed. */
async function writeOutputs(
  files: Record<string, string>,
  values: Record<string, string>,
  force: boolean,
): Promise<void> {
  const written: string[] = [];
  try {
    for (const [k, path] of Object.entries(files)) {
      await writeFileAtomic(path, values[k], {
        mode: k === "private_key" ? 0o600 : 0o644,
        overwrite: force,
      });
      written.push(path);
    }
  } catch (e) {
    if (!force) { for (const p of written) await Deno.remove(p).catch(() => {}); }
    throw e;
  }
}
