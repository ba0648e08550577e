/**
 * Value parsers that complete from the current cluster (user, group and service-account IDs,
 * secret paths segment by segment, provider IDs, store IDs, CA profile names) and from the file
 * system. Suggestions run only while completing, with a short timeout, and silently give nothing
 * on any failure; parsing never touches the network.
 * @module
 */
import type { Suggestion } from "@optique/core/parser";
import type { NonEmptyString, ValueParser } from "@optique/core/valueparser";

/** What a dynamic value completes. */
export type DynamicKind =
  | "user"
  | "group"
  | "service-account"
  | "principal"
  | "secret"
  | "oidc"
  | "saml"
  | "store"
  | "profile";

/** Timeout of one completion request, milliseconds (`DCOS_COMPLETION_TIMEOUT` overrides). */
export const COMPLETION_TIMEOUT_MS = 2000;

async function fetchValues(kind: DynamicKind, prefix: string): Promise<string[]> {
  const { resolveCluster } = await import("./config.ts");
  const { clientFor } = await import("./session.ts");
  const { denoIo } = await import("./io.ts");
  const cluster = await resolveCluster((n) => Deno.env.get(n));
  const timeout = Number(Deno.env.get("DCOS_COMPLETION_TIMEOUT") ?? COMPLETION_TIMEOUT_MS);
  cluster.timeoutSec = timeout / 1000;
  const quietIo = { ...denoIo, err: () => {} };
  const http = await clientFor(quietIo, cluster);
  try {
    const { IamClient } = await import("./iam.ts");
    const iam = new IamClient(http);
    switch (kind) {
      case "user":
        return (await iam.listUsers()).map((u) => u.uid);
      case "service-account":
        return (await iam.listUsers({ service: true })).map((u) => u.uid);
      case "principal": {
        const [u, s] = await Promise.all([iam.listUsers(), iam.listUsers({ service: true })]);
        return [...u, ...s].map((x) => x.uid);
      }
      case "group":
        return (await iam.listGroups()).map((g) => g.gid);
      case "oidc":
      case "saml": {
        const { IdentityClient } = await import("./identity.ts");
        return Object.keys(await new IdentityClient(http).listProviders(kind));
      }
      case "store": {
        const { SecretsClient } = await import("./secrets.ts");
        return (await new SecretsClient(http).stores()).map((s) => s.name);
      }
      case "secret":
        return secretSegments(await listSecrets(http), prefix);
      case "profile":
        return await profileNames(http);
    }
  } finally {
    http.close();
  }
}

async function listSecrets(http: import("./http.ts").HttpClient): Promise<string[]> {
  const { SecretsClient } = await import("./secrets.ts");
  return await new SecretsClient(http).list("default", "/");
}

/** Completes secret paths one segment at a time: `app/` before `app/db/password`. */
export function secretSegments(paths: readonly string[], prefix: string): string[] {
  const lead = prefix.startsWith("/") ? "/" : "";
  const p = prefix.slice(lead.length);
  const out = new Set<string>();
  for (const path of paths) {
    if (!path.startsWith(p)) continue;
    const slash = path.indexOf("/", p.length);
    out.add(lead + (slash === -1 ? path : path.slice(0, slash + 1)));
  }
  return [...out].sort();
}

/** Profile names the CA knows: the CA has no list, so common names are probed against the default. */
async function profileNames(http: import("./http.ts").HttpClient): Promise<string[]> {
  const { CaClient } = await import("./ca.ts");
  const ca = new CaClient(http);
  const key = (i: { usages: unknown; expiry: string }) => JSON.stringify([i.usages, i.expiry]);
  const def = key(await ca.info());
  const candidates = ["server", "client", "peer", "intermediate", "short", "ocsp"];
  const found = await Promise.all(
    candidates.map(async (c) => (key(await ca.info(c)) !== def ? c : undefined)),
  );
  return ["default", ...found.filter((x): x is string => Boolean(x))];
}

/** A string value whose completions come from the cluster. */
export function dynamicValue(
  metavar: NonEmptyString,
  kind: DynamicKind,
): ValueParser<"async", string> {
  return {
    mode: "async",
    metavar,
    placeholder: "",
    parse: (input: string) => Promise.resolve({ success: true as const, value: input }),
    format: (v: string) => v,
    async *suggest(prefix: string): AsyncIterable<Suggestion> {
      let values: string[] = [];
      try {
        values = await fetchValues(kind, prefix);
      } catch {
        return;
      }
      for (const v of values) if (v.startsWith(prefix)) yield { kind: "literal", text: v };
    },
  };
}

/** A file name value (`-` for stdin) that completes files. */
export function fileName(metavar: NonEmptyString = "FILENAME"): ValueParser<"sync", string> {
  return {
    mode: "sync",
    metavar,
    placeholder: "",
    parse: (input: string) => ({ success: true as const, value: input }),
    format: (v: string) => v,
    *suggest(prefix: string): Iterable<Suggestion> {
      yield { kind: "file", type: "file", pattern: prefix };
    },
  };
}
