/**
 * Local keys and certificate requests: keys made with WebCrypto (RSA 2048/4096/8192, ECDSA
 * P-256/P-384/P-521), PKCS#10 CSRs with subject fields and SANs detected as CFSSL does, private
 * keys exported as PKCS#1/SEC1 PEM (the CA's format), and certificate/CSR inspection.
 * @module
 */
import { CliError, UsageError } from "./errors.ts";
import { pkcs8ToTraditionalPem, privateKeyToPkcs8 } from "./key_format.ts";
import { verifyRsaPkcs1 } from "./rsa_verify.ts";
import { loadX509, pemToDer, sha256Fingerprint, type X509Module } from "./pki.ts";

/** Key algorithm. */
export type KeyAlgo = "rsa" | "ecdsa";

/** A key specification. */
export interface KeySpec {
  /** Algorithm. */
  algo: KeyAlgo;
  /** RSA modulus bits or ECDSA curve size. */
  size: number;
}

/** Allowed key sizes per algorithm. */
export const KEY_SIZES: Record<KeyAlgo, readonly number[]> = {
  rsa: [2048, 4096, 8192],
  ecdsa: [256, 384, 521],
};

/**
 * Resolves `--key-algo`/`--key-size` like CFSSL: default ECDSA P-256; a size alone picks its
 * algorithm; RSA alone is 2048. A mismatched pair is a usage error.
 */
export function resolveKeySpec(algo?: string, size?: number): KeySpec {
  const a = algo?.toLowerCase();
  if (a !== undefined && a !== "rsa" && a !== "ecdsa") {
    throw new UsageError(`--key-algo must be rsa or ecdsa, not ${algo}`);
  }
  if (a === undefined && size === undefined) return { algo: "ecdsa", size: 256 };
  const resolved: KeyAlgo = a ?? (size !== undefined && size >= 2048 ? "rsa" : "ecdsa");
  const s = size ?? (resolved === "rsa" ? 2048 : 256);
  if (!KEY_SIZES[resolved].includes(s)) {
    throw new UsageError(
      `--key-size ${s} does not fit --key-algo ${resolved}: use ${KEY_SIZES[resolved].join(", ")}`,
    );
  }
  return { algo: resolved, size: s };
}

const CURVES: Record<number, string> = { 256: "P-256", 384: "P-384", 521: "P-521" };
/** ECDSA key size of a named curve. */
const CURVE_SIZE: Record<string, number> = Object.fromEntries(
  Object.entries(CURVES).map(([size, c]) => [c, Number(size)]),
);
const EC_HASH: Record<number, string> = { 256: "SHA-256", 384: "SHA-384", 521: "SHA-512" };

/** WebCrypto parameters for generating and signing with a key spec. */
export function algorithmFor(
  spec: KeySpec,
): { gen: RsaHashedKeyGenParams | EcKeyGenParams; sign: Algorithm | EcdsaParams } {
  if (spec.algo === "rsa") {
    const gen = {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: spec.size,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    };
    return { gen, sign: gen };
  }
  return {
    gen: { name: "ECDSA", namedCurve: CURVES[spec.size] },
    sign: { name: "ECDSA", hash: EC_HASH[spec.size] } as EcdsaParams,
  };
}

/** Generates a key pair for `spec` with WebCrypto. */
export async function generateKey(spec: KeySpec): Promise<CryptoKeyPair> {
  return await crypto.subtle.generateKey(algorithmFor(spec).gen, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
}

/** Imports an existing PEM private key (PKCS#1, PKCS#8 or SEC1) as a WebCrypto key pair. */
export async function importKeyPair(
  pem: string,
  what: string,
): Promise<{ keys: CryptoKeyPair; spec: KeySpec }> {
  const key = await privateKeyToPkcs8(pem, what);
  const gen = key.algo === "rsa"
    ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
    : { name: "ECDSA", namedCurve: key.curve! };
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey("pkcs8", key.der, gen, true, ["sign"]);
  } catch (e) {
    throw new CliError(`${what} cannot be imported: ${e instanceof Error ? e.message : e}`);
  }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = await crypto.subtle.exportKey(
    "jwk",
    privateKey,
  );
  const publicKey = await crypto.subtle.importKey(
    "jwk",
    { ...pub, key_ops: ["verify"] },
    gen,
    true,
    ["verify"],
  );
  const alg = privateKey.algorithm as RsaHashedKeyAlgorithm & EcKeyAlgorithm;
  const spec: KeySpec = key.algo === "rsa"
    ? { algo: "rsa", size: alg.modulusLength }
    : { algo: "ecdsa", size: CURVE_SIZE[key.curve!] };
  if (spec.algo === "rsa" && spec.size < 2048) {
    throw new CliError(`${what} is a ${spec.size}-bit RSA key; at least 2048 bits are required`);
  }
  return { keys: { privateKey, publicKey }, spec };
}

/** Exports a private key the way the CA returns them: `RSA PRIVATE KEY` or `EC PRIVATE KEY`. */
export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  return await pkcs8ToTraditionalPem(new Uint8Array(await crypto.subtle.exportKey("pkcs8", key)));
}

/** Subject fields of a request (CFSSL `names` keys). */
export interface SubjectNames {
  C?: string;
  ST?: string;
  L?: string;
  O?: string;
  OU?: string;
}

/** A SAN classified as CFSSL does. */
export interface San {
  type: "dns" | "ip" | "email" | "url";
  value: string;
}

/** Classifies hosts into IPs, emails, URIs and DNS names (CFSSL's rules). */
export function classifyHosts(hosts: readonly string[]): San[] {
  return hosts.map((h) => {
    if (isIp(h)) return { type: "ip", value: h };
    if (/^[^@\s]+@[^@\s]+$/.test(h)) return { type: "email", value: h };
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(h)) return { type: "url", value: h };
    return { type: "dns", value: h };
  });
}

function isIp(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) {
    return s.split(".").every((p) => Number(p) <= 255);
  }
  return s.includes(":") && /^[0-9a-f:.]+$/i.test(s) && (s.match(/::/g)?.length ?? 0) <= 1;
}

/** Creates a PEM CSR for `cn`, subject names and hosts, signed with `keys`. */
export async function createCsr(
  keys: CryptoKeyPair,
  spec: KeySpec,
  request: { cn: string; names?: SubjectNames; hosts: readonly string[] },
): Promise<string> {
  const x509 = await loadX509();
  const name: Record<string, string[]>[] = [];
  const n = request.names ?? {};
  for (const k of ["C", "ST", "L", "O", "OU"] as const) if (n[k]) name.push({ [k]: [n[k]!] });
  name.push({ CN: [request.cn] });
  const extensions = request.hosts.length
    ? [new x509.SubjectAlternativeNameExtension(classifyHosts(request.hosts))]
    : [];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: algorithmFor(spec).sign,
    extensions: extensions.length ? extensions : undefined,
  });
  return csr.toString("pem") + "\n";
}

/** What `inspect` shows about a certificate or CSR. */
export interface PemInfo {
  type: "certificate" | "certificate_request";
  subject: string;
  sans: string[];
  issuer?: string;
  not_before?: string;
  not_after?: string;
  serial?: string;
  key_type: string;
  key_size: number;
  signature_algorithm: string;
  sha256_fingerprint: string;
  signature_valid?: boolean;
  is_ca?: boolean;
  key_usages?: string[];
  extended_key_usages?: string[];
}

const KEY_USAGE_NAMES: [number, string][] = [
  [1, "digital signature"],
  [2, "content commitment"],
  [4, "key encipherment"],
  [8, "data encipherment"],
  [16, "key agreement"],
  [32, "cert sign"],
  [64, "crl sign"],
  [128, "encipher only"],
  [256, "decipher only"],
];

const EKU_NAMES: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "server auth",
  "1.3.6.1.5.5.7.3.2": "client auth",
  "1.3.6.1.5.5.7.3.3": "code signing",
  "1.3.6.1.5.5.7.3.4": "email protection",
  "1.3.6.1.5.5.7.3.8": "timestamping",
  "1.3.6.1.5.5.7.3.9": "ocsp signing",
};

/** Parses a certificate or CSR PEM and describes it; errors name what was wrong. */
export async function inspectPem(pem: string, what: string): Promise<PemInfo> {
  const x509 = await loadX509();
  const label = pem.match(/-----BEGIN ([A-Z0-9 ]+)-----/)?.[1];
  if (!label) throw new CliError(`${what} holds no PEM block`);
  const der = pemToDer(pem, label)!;
  if (!der) throw new CliError(`${what}: the ${label} PEM block is not valid base64`);
  try {
    if (label === "CERTIFICATE") {
      const cert = new x509.X509Certificate(der);
      const key = describeKey(cert.publicKey.algorithm);
      const bc = cert.getExtension(x509.BasicConstraintsExtension);
      const ku = cert.getExtension(x509.KeyUsagesExtension);
      const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
      return {
        type: "certificate",
        subject: cert.subject,
        sans: sansOf(x509, cert.getExtension(SAN_OID)),
        issuer: cert.issuer,
        not_before: cert.notBefore.toISOString(),
        not_after: cert.notAfter.toISOString(),
        serial: cert.serialNumber.toUpperCase(),
        ...key,
        signature_algorithm: algName(cert.signatureAlgorithm),
        sha256_fingerprint: await sha256Fingerprint(der),
        is_ca: bc?.ca ?? false,
        key_usages: ku
          ? KEY_USAGE_NAMES.filter(([f]) => (ku.usages & f) !== 0).map(([, n]) => n)
          : [],
        extended_key_usages: eku ? eku.usages.map((u) => EKU_NAMES[String(u)] ?? String(u)) : [],
      };
    }
    if (label === "CERTIFICATE REQUEST" || label === "NEW CERTIFICATE REQUEST") {
      const csr = new x509.Pkcs10CertificateRequest(der);
      const key = describeKey(csr.publicKey.algorithm);
      return {
        type: "certificate_request",
        subject: csr.subject,
        sans: sansOf(x509, csr.getExtension(SAN_OID)),
        ...key,
        signature_algorithm: algName(csr.signatureAlgorithm),
        sha256_fingerprint: await sha256Fingerprint(der),
        signature_valid: await verifyCsr(csr),
      };
    }
  } catch (e) {
    throw new CliError(`${what}: cannot parse the ${label}: ${e instanceof Error ? e.message : e}`);
  }
  throw new CliError(`${what} is a ${label}, not a certificate or certificate request`);
}

const SAN_OID = "2.5.29.17";

function sansOf(x509: X509Module, ext: { rawData: ArrayBuffer } | null): string[] {
  if (!ext) return [];
  const san = new x509.SubjectAlternativeNameExtension(ext.rawData);
  return san.names.items.map((n) =>
    `${n.type === "url" ? "URI" : n.type.toUpperCase()}:${n.value}`
  );
}

function algName(a: { name: string; hash?: { name: string } }): string {
  return a.hash ? `${a.name} with ${a.hash.name}` : a.name;
}

function describeKey(alg: Algorithm): { key_type: string; key_size: number } {
  const a = alg as Algorithm & { modulusLength?: number; namedCurve?: string };
  if (a.name.startsWith("RSA")) return { key_type: "RSA", key_size: a.modulusLength ?? 0 };
  if (a.name === "ECDSA" || a.name === "ECDH") {
    return {
      key_type: "ECDSA",
      key_size: CURVE_SIZE[a.namedCurve ?? ""] ?? 0,
    };
  }
  return { key_type: a.name, key_size: 0 };
}

/** A parsed CSR, as `@peculiar/x509` gives it. */
export type Csr = InstanceType<X509Module["Pkcs10CertificateRequest"]>;

/**
 * Verifies a CSR's self-signature. RSA keys over 4096 bits, which Deno's WebCrypto will not verify
 * with, are checked by {@link verifyRsaPkcs1}.
 */
export async function verifyCsr(csr: Csr): Promise<boolean> {
  const alg = csr.publicKey.algorithm as Algorithm & { modulusLength?: number };
  if (alg.name.startsWith("RSA") && (alg.modulusLength ?? 0) > 4096) {
    const sigAlg = csr.signatureAlgorithm as Algorithm & { hash?: { name: string } };
    if (sigAlg.name !== "RSASSA-PKCS1-v1_5" || !sigAlg.hash) return false;
    const key = await csr.publicKey.export({ name: "RSASSA-PKCS1-v1_5", hash: sigAlg.hash.name }, [
      "verify",
    ]);
    const tbs = (csr as unknown as { tbs: ArrayBuffer }).tbs;
    return await verifyRsaPkcs1(
      key,
      sigAlg.hash.name,
      new Uint8Array(csr.signature),
      new Uint8Array(tbs),
    );
  }
  return await csr.verify().catch(() => false);
}
