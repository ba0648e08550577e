/**
 * Sandbox certificate authority (`/ca/api/v2`): CFSSL's envelope (`success`, `result`, `errors`,
 * `messages`) on `info`, `newkey`, `newcert`, `sign` and `bundle`, real X.509 signing by the sandbox
 * root CA with profiles, and CFSSL-style errors.
 * @module
 */
import { createHash } from "node:crypto";
import {
  classifyHosts,
  createCsr,
  exportPrivateKeyPem,
  generateKey,
  KEY_SIZES,
  type KeyAlgo,
  type SubjectNames,
  verifyCsr,
} from "../lib/csr.ts";
import { loadX509, pemToDer, type X509Module } from "../lib/pki.ts";
import type { CertAndKey } from "./pki.ts";
import { importCaKey } from "./pki.ts";
import type { Router } from "./router.ts";
import type { State } from "./state.ts";

/** A signing profile. */
export interface Profile {
  /** CFSSL usage names. */
  usages: string[];
  /** Validity as a Go duration in hours, e.g. `8760h`. */
  expiry: string;
}

/** The sandbox's signing profiles; unknown names fall back to `default`, as CFSSL does. */
export const PROFILES: Record<string, Profile> = {
  default: {
    usages: ["signing", "key encipherment", "server auth", "client auth"],
    expiry: "8760h",
  },
  server: { usages: ["signing", "key encipherment", "server auth"], expiry: "8760h" },
  client: { usages: ["signing", "digital signature", "client auth"], expiry: "8760h" },
  short: { usages: ["signing", "key encipherment", "server auth", "client auth"], expiry: "24h" },
};

class CfsslError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}

const envelope = (result: unknown) =>
  new Response(JSON.stringify({ success: true, result, errors: [], messages: [] }), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });

const failure = (e: CfsslError) =>
  new Response(
    JSON.stringify({
      success: false,
      result: {},
      errors: [{ code: e.code, message: e.message }],
      messages: [],
    }),
    {
      status: e.status,
      headers: { "Content-Type": "application/json" },
    },
  );

const FORBIDDEN = new Response(
  "<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>\n",
  {
    status: 403,
    headers: { "Content-Type": "text/html" },
  },
);

function sums(der: Uint8Array): { md5: string; "sha-1": string } {
  return {
    md5: createHash("md5").update(der).digest("hex").toUpperCase(),
    "sha-1": createHash("sha1").update(der).digest("hex").toUpperCase(),
  };
}

async function body(req: Request, what: string): Promise<Record<string, unknown>> {
  const text = await req.text();
  try {
    const v = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return v;
  } catch {
    // fall through
  }
  throw new CfsslError(400, 400, `Unable to parse ${what} request`);
}

/** Registers the CA routes. */
export function addCaRoutes(router: Router, state: State, ca: CertAndKey): void {
  const mayUseCa = (uid: string) => state.allowed(uid, "dcos:adminrouter:ops:ca:rw", "full");
  const wrap =
    (fn: (req: Request) => Promise<unknown>, guarded: boolean) =>
    async ({ req, principal }: { req: Request; principal: string }) => {
      if (guarded && !mayUseCa(principal)) return FORBIDDEN.clone();
      try {
        return envelope(await fn(req));
      } catch (e) {
        if (e instanceof CfsslError) return failure(e);
        throw e;
      }
    };

  router.add(
    "POST",
    "/ca/api/v2/info",
    wrap(async (req) => {
      const b = await body(req, "info");
      const profile = PROFILES[typeof b.profile === "string" ? b.profile : ""] ?? PROFILES.default;
      return { certificate: ca.certPem, usages: profile.usages, expiry: profile.expiry };
    }, false),
    "user",
  );

  router.add(
    "POST",
    "/ca/api/v2/sign",
    wrap(async (req) => {
      const b = await body(req, "sign");
      if (typeof b.certificate_request !== "string" || !b.certificate_request) {
        throw new CfsslError(400, 400, "missing parameter 'certificate_request'");
      }
      const hosts = Array.isArray(b.hosts) ? b.hosts.map(String) : undefined;
      const certificate = await signCsr(ca, b.certificate_request, {
        profile: b.profile as string | undefined,
        hosts,
      });
      return { certificate };
    }, true),
    "user",
  );

  router.add(
    "POST",
    "/ca/api/v2/newkey",
    wrap(async (req) => {
      const generated = await generateFromRequest(await body(req, "newkey"));
      return {
        private_key: generated.privateKey,
        certificate_request: generated.csr,
        sums: { certificate_request: sums(pemToDer(generated.csr)!) },
      };
    }, true),
    "user",
  );

  router.add(
    "POST",
    "/ca/api/v2/newcert",
    wrap(async (req) => {
      const b = await body(req, "newcert");
      if (!b.request || typeof b.request !== "object") {
        throw new CfsslError(400, 400, "missing parameter 'request'");
      }
      const generated = await generateFromRequest(b.request as Record<string, unknown>);
      const certificate = await signCsr(ca, generated.csr, {
        profile: b.profile as string | undefined,
      });
      return {
        private_key: generated.privateKey,
        certificate_request: generated.csr,
        certificate,
        sums: {
          certificate_request: sums(pemToDer(generated.csr)!),
          certificate: sums(pemToDer(certificate)!),
        },
      };
    }, true),
    "user",
  );

  router.add(
    "POST",
    "/ca/api/v2/bundle",
    wrap(async (req) => {
      const b = await body(req, "bundle");
      if (typeof b.certificate !== "string") {
        throw new CfsslError(400, 400, "missing parameter 'certificate'");
      }
      const x509 = await loadX509();
      let cert;
      try {
        cert = new x509.X509Certificate(b.certificate);
      } catch {
        throw new CfsslError(400, 1003, "Failed to parse certificate");
      }
      const root = new x509.X509Certificate(ca.certPem);
      const chained = await cert.verify({ publicKey: root.publicKey, signatureOnly: true }).catch(
        () => false,
      );
      if (!chained) {
        throw new CfsslError(
          400,
          1220,
          "Unable to find a valid certificate chain: the certificate was not issued by this CA",
        );
      }
      const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
      return {
        bundle: cert.toString("pem") + "\n",
        crt: cert.toString("pem") + "\n",
        root: ca.certPem,
        expires: cert.notAfter.toISOString(),
        hostnames: san ? san.names.items.map((n) => n.value) : [],
        issuer: cert.issuer,
        subject: cert.subject,
        status: {
          code: 0,
          messages: [],
          rebundled: false,
          expiring_SKIs: [],
          untrusted_root_stores: [],
          messages_stats: {},
        },
      };
    }, true),
    "user",
  );
}

/** Generates a key and CSR from a CFSSL CSR request object, validating it as CFSSL does. */
async function generateFromRequest(
  r: Record<string, unknown>,
): Promise<{ privateKey: string; csr: string }> {
  if ("ca" in r) throw new CfsslError(400, 400, "ca section only permitted in initca");
  const hosts = Array.isArray(r.hosts) ? r.hosts.map(String).filter(Boolean) : [];
  if (!hosts.length) throw new CfsslError(400, 400, 'Missing parameter "hosts"');
  const key = (r.key ?? {}) as { algo?: string; size?: number };
  const algo = (key.algo ?? "ecdsa") as KeyAlgo;
  if (algo !== "rsa" && algo !== "ecdsa") throw new CfsslError(400, 2400, "invalid algorithm");
  const size = key.size ?? (algo === "rsa" ? 2048 : 256);
  if (!KEY_SIZES[algo].includes(size)) {
    const msg = algo === "ecdsa"
      ? "invalid curve"
      : size < 2048
      ? "RSA key is too weak"
      : size > 8192
      ? "RSA key size too large"
      : "invalid RSA key size";
    throw new CfsslError(400, 2400, msg);
  }
  const spec = { algo, size };
  const names = (Array.isArray(r.names) ? r.names[0] ?? {} : {}) as SubjectNames;
  const keys = await generateKey(spec);
  const csr = await createCsr(keys, spec, {
    cn: typeof r.CN === "string" ? r.CN : "",
    names,
    hosts,
  });
  return { privateKey: await exportPrivateKeyPem(keys.privateKey), csr };
}

const KU: Record<string, number> = {
  "signing": 1,
  "digital signature": 1,
  "content committment": 2,
  "key encipherment": 4,
  "data encipherment": 8,
  "key agreement": 16,
  "cert sign": 32,
  "crl sign": 64,
  "encipher only": 128,
  "decipher only": 256,
};

const EKU: Record<string, string> = {
  "server auth": "1.3.6.1.5.5.7.3.1",
  "client auth": "1.3.6.1.5.5.7.3.2",
  "code signing": "1.3.6.1.5.5.7.3.3",
  "email protection": "1.3.6.1.5.5.7.3.4",
  "s/mime": "1.3.6.1.5.5.7.3.4",
  "timestamping": "1.3.6.1.5.5.7.3.8",
  "ocsp signing": "1.3.6.1.5.5.7.3.9",
  "any": "2.5.29.37.0",
};

function parseCsr(x509: X509Module, pem: string) {
  const label = pem.match(/-----BEGIN ([A-Z0-9 ]+)-----/)?.[1];
  if (!label) {
    throw new CfsslError(400, 9002, "failed to decode certificate request: no PEM block found");
  }
  if (label !== "CERTIFICATE REQUEST" && label !== "NEW CERTIFICATE REQUEST") {
    throw new CfsslError(
      400,
      9002,
      `failed to decode certificate request: got a ${label} PEM block`,
    );
  }
  const der = pemToDer(pem, label);
  try {
    return new x509.Pkcs10CertificateRequest(der!);
  } catch (e) {
    throw new CfsslError(
      400,
      9003,
      `failed to parse certificate request: ${e instanceof Error ? e.message : e}`,
    );
  }
}

/** Signs a PEM CSR with the sandbox CA under a profile; SANs come from `hosts` or the CSR. */
export async function signCsr(
  ca: CertAndKey,
  csrPem: string,
  options: { profile?: string; hosts?: string[] } = {},
): Promise<string> {
  const x509 = await loadX509();
  const csr = parseCsr(x509, csrPem);
  if (!(await verifyCsr(csr))) {
    throw new CfsslError(400, 9004, "certificate request signature is invalid");
  }
  const alg = csr.publicKey.algorithm as {
    name: string;
    modulusLength?: number;
    namedCurve?: string;
  };
  if (alg.name.startsWith("RSA")) {
    const bits = alg.modulusLength ?? 0;
    if (bits < 2048) throw new CfsslError(400, 2400, "RSA key is too weak");
    if (bits > 8192) throw new CfsslError(400, 2400, "RSA key size too large");
  } else if (alg.name === "ECDSA") {
    if (!["P-256", "P-384", "P-521"].includes(alg.namedCurve ?? "")) {
      throw new CfsslError(400, 2400, "invalid curve");
    }
  } else throw new CfsslError(400, 2400, `unsupported key algorithm ${alg.name}`);
  const profile = PROFILES[options.profile ?? ""] ?? PROFILES.default;
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importCaKey(ca.keyPem);
  const sanExt = csr.getExtension("2.5.29.17");
  let sans = sanExt ? new x509.SubjectAlternativeNameExtension(sanExt.rawData) : undefined;
  if (options.hosts?.length) {
    sans = new x509.SubjectAlternativeNameExtension(classifyHosts(options.hosts));
  }
  const kuFlags = profile.usages.reduce((f, u) => f | (KU[u] ?? 0), 0);
  const ekus = profile.usages.map((u) => EKU[u]).filter(Boolean);
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] &= 0x7f;
  const hours = Number(profile.expiry.replace(/h$/, ""));
  const notBefore = new Date(Date.now() - 5 * 60_000);
  const publicKey = await csr.publicKey.export();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toHex(),
    subject: csr.subjectName,
    issuer: caCert.subjectName,
    notBefore,
    notAfter: new Date(notBefore.getTime() + hours * 3600_000),
    signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...(kuFlags ? [new x509.KeyUsagesExtension(kuFlags, true)] : []),
      ...(ekus.length ? [new x509.ExtendedKeyUsageExtension(ekus)] : []),
      ...(sans ? [sans] : []),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return cert.toString("pem") + "\n";
}
