/**
 * `secrets`: create, update, get, list, delete and create-sa-secret. Values never have to be on
 * argv: they also come from files, stdin, an environment variable or a no-echo prompt.
 * @module
 */
import { object, or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional, withDefault } from "@optique/core/modifiers";
import type { InferValue } from "@optique/core/parser";
import { argument, command, constant, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import { ApiError, CliError, UsageError } from "../lib/errors.ts";
import { readInputBytes, readInputText } from "../lib/input.ts";
import { privateKeyToPkcs8 } from "../lib/key_format.ts";
import { emit } from "../lib/output.ts";
import { toPem } from "../lib/pki.ts";
import { normalizePath, type SecretInput, SecretsClient } from "../lib/secrets.ts";
import { type Deps, examples, fileValue, idArg, jsonFlag } from "./common.ts";

const storeId = () =>
  withDefault(
    option("-s", "--store-id", string({ metavar: "TEXT" }), {
      description: message`Secrets backend to use.`,
    }),
    "default",
  );
const pathArg = () => idArg("PATH", "secret", "Secret path (a leading / is optional).");

const valueOptions = {
  store: storeId(),
  value: optional(option("-v", "--value", string({ metavar: "TEXT" }), {
    description:
      message`Value of the secret (visible in ps and shell history: prefer the other options).`,
  })),
  textFile: optional(option("-t", "--text-file", "--value-file", fileValue(), {
    description:
      message`Treat the contents of the file as the value, UTF-8 text; ${"-"} reads stdin (one trailing newline is dropped).`,
  })),
  file: optional(option("-f", "--file", fileValue(), {
    description:
      message`Store the file's bytes as a binary secret, byte for byte; ${"-"} reads stdin.`,
  })),
  valueEnv: optional(option("--value-env", string({ metavar: "VAR" }), {
    description: message`Read the value from environment variable VAR.`,
  })),
  legacyDescription: optional(option("-d", "--description", string({ metavar: "TEXT" }), {
    description: message`Ignored (accepted so old scripts keep running).`,
  })),
  legacyAuthor: optional(option("-a", "--author", string({ metavar: "TEXT" }), {
    description: message`Ignored (accepted so old scripts keep running).`,
  })),
  legacyLabels: multiple(option("-l", "--label", string({ metavar: "TEXT" }), {
    description: message`Ignored (accepted so old scripts keep running).`,
  })),
  path: pathArg(),
};

const create = command("create", object({ cmd: constant("secrets.create"), ...valueOptions }), {
  description:
    message`Create a secret: store a secret under the path PATH. Without a value option, the value is asked for without echo on a terminal.`,
  footer: examples(
    "dcos-security secrets create db/password --value-env DB_PASSWORD",
    "dcos-security secrets create app/config -t config.json",
    "dcos-security secrets create app/keystore -f keystore.jks",
    'printf %s "$TOKEN" | dcos-security secrets create app/token -t -',
  ),
});

const update = command("update", object({ cmd: constant("secrets.update"), ...valueOptions }), {
  description:
    message`Update a secret: replace the value of the existing secret stored under the path PATH.`,
  footer: examples("dcos-security secrets update db/password --value-env DB_PASSWORD"),
});

const get = command(
  "get",
  object({ cmd: constant("secrets.get"), store: storeId(), json: jsonFlag(), path: pathArg() }),
  {
    description:
      message`Get a secret from the store by its path. Prints the value exactly as stored (binary values as raw bytes); ${"--json"} prints the secret object with ${"value"}.`,
    footer: examples(
      "dcos-security secrets get db/password",
      "dcos-security secrets get app/keystore > keystore.jks",
      "dcos-security secrets get sa/secret --json | jq -r .value | jq",
    ),
  },
);

const list = command(
  "list",
  object({ cmd: constant("secrets.list"), store: storeId(), json: jsonFlag(), path: pathArg() }),
  {
    description:
      message`List secret keys in a given path: all secrets stored under PATH, relative to it (${"/"} lists everything).`,
    footer: examples("dcos-security secrets list /", "dcos-security secrets list app --json"),
  },
);

const del = command(
  "delete",
  object({ cmd: constant("secrets.delete"), store: storeId(), path: pathArg() }),
  {
    description: message`Delete a secret stored under the path PATH.`,
    footer: examples("dcos-security secrets delete db/password"),
  },
);

const createSa = command(
  "create-sa-secret",
  object({
    cmd: constant("secrets.create-sa-secret"),
    store: storeId(),
    strict: option("--strict", {
      description:
        message`Use strict cluster configuration: the login endpoint uses https (http without it).`,
    }),
    privateKey: argument(fileValue("SA_PRIVATE_KEY"), {
      description: message`The service account's RSA private key (PEM file, ${"-"} for stdin).`,
    }),
    uid: idArg("SA_UID", "service-account", "The service account ID."),
    path: argument(string({ metavar: "SECRET_PATH" }), {
      description: message`Where to store the secret.`,
    }),
  }),
  {
    description:
      message`Create a service account secret: a secret that services running on DC/OS use to log in as the service account. The value is ${'{"scheme": "RS256", "uid", "private_key", "login_endpoint"}'}.`,
    footer: examples(
      "dcos-security secrets create-sa-secret --strict sa-priv.pem my-sa my-sa/secret",
    ),
  },
);

/** The `secrets` command group. */
export const secretsCommand = command("secrets", or(create, createSa, del, get, list, update), {
  description: message`Manage secrets: text and binary values, and service-account login secrets.`,
  footer: examples("dcos-security secrets list /", "dcos-security secrets get db/password"),
});

/** Parsed options of any `secrets` command. */
export type SecretsOptions = InferValue<typeof secretsCommand>;
type ValueOptions = Extract<SecretsOptions, { cmd: "secrets.create" | "secrets.update" }>;

/** Login endpoint stored by create-sa-secret (https with --strict, http without, as the original). */
export function loginEndpoint(strict: boolean): string {
  return `${strict ? "https" : "http"}://master.mesos/acs/api/v1/auth/login`;
}

/** Runs a `secrets` command. */
export async function run(opts: SecretsOptions, deps: Deps): Promise<void> {
  const client = async () => new SecretsClient((await deps.session()).http);
  switch (opts.cmd) {
    case "secrets.create":
    case "secrets.update": {
      const input = await readValue(opts, deps);
      const c = await client();
      if (opts.cmd === "secrets.create") await c.create(opts.store, opts.path, input);
      else await c.update(opts.store, opts.path, input);
      return;
    }
    case "secrets.get": {
      const c = await client();
      if (opts.json) {
        try {
          return await emit(deps.io, await c.getJson(opts.store, opts.path), { json: true });
        } catch (e) {
          if (e instanceof ApiError && e.status === 400 && /binary/.test(e.message)) {
            throw new CliError(
              `secret ${
                normalizePath(opts.path)
              } is binary and has no JSON form: run without --json to get its bytes`,
            );
          }
          throw e;
        }
      }
      deps.io.out(await c.getBytes(opts.store, opts.path));
      return;
    }
    case "secrets.list": {
      const names = await (await client()).list(opts.store, opts.path);
      if (opts.json) return await emit(deps.io, names, { json: true });
      return await emit(deps.io, names);
    }
    case "secrets.delete":
      return await (await client()).delete(opts.store, opts.path);
    case "secrets.create-sa-secret": {
      const pem = await readInputText(deps.io, opts.privateKey, "private key");
      const what = `private key ${opts.privateKey === "-" ? "from stdin" : opts.privateKey}`;
      const key = await privateKeyToPkcs8(pem, what);
      if (key.algo !== "rsa") {
        throw new CliError(`${what} is an ECDSA key; service accounts use RSA keys`);
      }
      const value = JSON.stringify({
        scheme: "RS256",
        uid: opts.uid,
        private_key: toPem(key.der, "PRIVATE KEY"),
        login_endpoint: loginEndpoint(opts.strict),
      });
      await (await client()).create(opts.store, opts.path, { text: value });
      return;
    }
  }
}

async function readValue(opts: ValueOptions, deps: Deps): Promise<SecretInput> {
  const { io } = deps;
  for (
    const [flag, v] of [["-d/--description", opts.legacyDescription], [
      "-a/--author",
      opts.legacyAuthor,
    ]] as const
  ) {
    if (v !== undefined) io.err(`Warning: ${flag} is ignored (it never had an effect)`);
  }
  if (opts.legacyLabels.length) io.err("Warning: -l/--label is ignored (it never had an effect)");
  const sources = [opts.value, opts.textFile, opts.file, opts.valueEnv].filter((x) =>
    x !== undefined
  );
  if (sources.length > 1) {
    throw new UsageError("give the value only once: -v, -t/--text-file, -f/--file or --value-env");
  }
  if (opts.value !== undefined) return { text: opts.value };
  if (opts.valueEnv !== undefined) {
    const v = io.env(opts.valueEnv);
    if (v === undefined) throw new UsageError(`environment variable ${opts.valueEnv} is not set`);
    return { text: v };
  }
  if (opts.file !== undefined) return { bytes: await readInputBytes(io, opts.file, "file") };
  if (opts.textFile !== undefined) {
    const text = await readInputText(io, opts.textFile, "text file");
    return { text: opts.textFile === "-" ? text.replace(/\n$/, "") : text };
  }
  if (!io.stdinIsTty()) {
    throw new UsageError(
      "missing secret value: give -v, -t FILE|-, -f FILE|- or --value-env VAR (stdin is not a terminal)",
    );
  }
  return { text: await io.promptSecret(`Value for ${normalizePath(opts.path)}: `) };
}
