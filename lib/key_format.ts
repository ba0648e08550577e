/**
 * Private-key format conversion with ASN.1 (no `node:crypto`, which in Deno rejects RSA keys over
 * 4096 bits): PKCS#8 ⇄ PKCS#1 (`RSA PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`, curve OID included).
 * @module
 */
import { CliError } from "./errors.ts";
import { pemToDer, toPem } from "./pki.ts";

const RSA_OID = "1.2.840.113549.1.1.1";
const EC_OID = "1.2.840.10045.2.1";
const CURVE_OIDS: Record<string, string> = {
  "1.2.840.10045.3.1.7": "P-256",
  "1.3.132.0.34": "P-384",
  "1.3.132.0.35": "P-521",
};

/** A private key as PKCS#8 DER with its algorithm. */
export interface Pkcs8Key {
  /** PKCS#8 DER. */
  der: Uint8Array<ArrayBuffer>;
  /** Algorithm. */
  algo: "rsa" | "ecdsa";
  /** Curve for ECDSA keys. */
  curve?: string;
}

async function asn1() {
  const [schema, pkcs8, ecc, x509] = await Promise.all([
    import("@peculiar/asn1-schema"),
    import("@peculiar/asn1-pkcs8"),
    import("@peculiar/asn1-ecc"),
    import("@peculiar/asn1-x509"),
  ]);
  return {
    AsnConvert: schema.AsnConvert,
    OctetString: schema.OctetString,
    ...pkcs8,
    ...ecc,
    ...x509,
  };
}

const bytes = (b: ArrayBuffer): Uint8Array<ArrayBuffer> => new Uint8Array(b);

/** Converts PKCS#8 DER to the PEM the CA returns: PKCS#1 for RSA, SEC1 (with curve) for ECDSA. */
export async function pkcs8ToTraditionalPem(der: Uint8Array<ArrayBuffer>): Promise<string> {
  const a = await asn1();
  const info = a.AsnConvert.parse(der, a.PrivateKeyInfo);
  const inner = bytes(info.privateKey.buffer);
  const oid = info.privateKeyAlgorithm.algorithm;
  if (oid === RSA_OID) return toPem(inner, "RSA PRIVATE KEY");
  if (oid === EC_OID) {
    const params = a.AsnConvert.parse(info.privateKeyAlgorithm.parameters!, a.ECParameters);
    const ec = a.AsnConvert.parse(inner, a.ECPrivateKey);
    ec.parameters = new a.ECParameters({ namedCurve: params.namedCurve });
    return toPem(bytes(a.AsnConvert.serialize(ec)), "EC PRIVATE KEY");
  }
  throw new CliError(`unsupported private key algorithm ${oid}`);
}

/** Reads a PEM private key (PKCS#8, PKCS#1 or SEC1) as PKCS#8 DER; `what` names it in errors. */
export async function privateKeyToPkcs8(pem: string, what: string): Promise<Pkcs8Key> {
  const label = pem.match(/-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----/)?.[1];
  if (!label) throw new CliError(`${what} is not a PEM private key`);
  if (label === "ENCRYPTED PRIVATE KEY") {
    throw new CliError(`${what} is encrypted: decrypt it first (openssl pkey -in KEY -out PLAIN)`);
  }
  const der = pemToDer(pem, label);
  if (!der) throw new CliError(`${what}: invalid PEM`);
  const a = await asn1();
  try {
    if (label === "PRIVATE KEY") {
      const info = a.AsnConvert.parse(der, a.PrivateKeyInfo);
      const oid = info.privateKeyAlgorithm.algorithm;
      if (oid === RSA_OID) return { der, algo: "rsa" };
      if (oid === EC_OID) {
        const curve = CURVE_OIDS[
          a.AsnConvert.parse(info.privateKeyAlgorithm.parameters!, a.ECParameters).namedCurve ??
            ""
        ];
        if (!curve) {
          throw new CliError(`${what} uses an unsupported curve; use P-256, P-384 or P-521`);
        }
        return { der, algo: "ecdsa", curve };
      }
      throw new CliError(`${what} is not an RSA or ECDSA key`);
    }
    if (label === "RSA PRIVATE KEY") {
      const info = new a.PrivateKeyInfo({
        privateKeyAlgorithm: new a.AlgorithmIdentifier({
          algorithm: RSA_OID,
          parameters: new Uint8Array([5, 0]).buffer,
        }),
        privateKey: new a.OctetString(der),
      });
      return { der: bytes(a.AsnConvert.serialize(info)), algo: "rsa" };
    }
    const ec = a.AsnConvert.parse(der, a.ECPrivateKey);
    const curveOid = ec.parameters?.namedCurve ?? "";
    const curve = CURVE_OIDS[curveOid];
    if (!curve) throw new CliError(`${what} has no supported named curve (P-256, P-384 or P-521)`);
    const info = new a.PrivateKeyInfo({
      privateKeyAlgorithm: new a.AlgorithmIdentifier({
        algorithm: EC_OID,
        parameters: a.AsnConvert.serialize(new a.ECParameters({ namedCurve: curveOid })),
      }),
      privateKey: new a.OctetString(der),
    });
    return { der: bytes(a.AsnConvert.serialize(info)), algo: "ecdsa", curve };
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${what} cannot be parsed: ${e instanceof Error ? e.message : e}`);
  }
}
