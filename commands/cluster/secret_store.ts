/**
 * `cluster secret-store`: stores, status, seal status, seal and unseal.
 * @module
 */
import { object, or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional } from "@optique/core/modifiers";
import type { InferValue } from "@optique/core/parser";
import { argument, command, constant, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import { readSecret } from "../../lib/input.ts";
import { emit, keyedBy, omit } from "../../lib/output.ts";
import { SecretsClient } from "../../lib/secrets.ts";
import { type Deps, examples, fileValue, idArg, jsonFlag } from "../common.ts";

const storeArg = () => idArg("STORE_ID", "store", "Store ID (e.g. default).");

const show = command(
  "show",
  object({
    cmd: constant("cluster.secret-store.show"),
    json: jsonFlag(),
    ids: multiple(idArg("STORE_ID", "store")),
  }),
  {
    description:
      message`Overview of the configured secrets stores, or details of one. If multiple stores are specified, only the first ID is evaluated.`,
    footer: examples(
      "dcos-security cluster secret-store show",
      "dcos-security cluster secret-store show default --json",
    ),
  },
);

const status = command(
  "status",
  object({ cmd: constant("cluster.secret-store.status"), json: jsonFlag(), id: storeArg() }),
  {
    description:
      message`Print status information about a given backend: driver, initialization and seal state.`,
    footer: examples("dcos-security cluster secret-store status default"),
  },
);

const sealStatus = command(
  "seal-status",
  object({ cmd: constant("cluster.secret-store.seal-status"), json: jsonFlag(), id: storeArg() }),
  {
    description:
      message`Return the seal status of the store: sealed, threshold, shares and unseal progress.`,
    footer: examples("dcos-security cluster secret-store seal-status default"),
  },
);

const unseal = command(
  "unseal",
  object({
    cmd: constant("cluster.secret-store.unseal"),
    json: jsonFlag(),
    keyFile: optional(
      option("--key-file", fileValue("FILE"), {
        description: message`Read the unseal key from FILE (${"-"} for stdin).`,
      }),
    ),
    keyEnv: optional(
      option("--key-env", string({ metavar: "VAR" }), {
        description: message`Read the unseal key from environment variable VAR.`,
      }),
    ),
    id: storeArg(),
    key: optional(
      argument(string({ metavar: "KEY" }), {
        description: message`One unseal key (or use --key-file, --key-env, or the prompt).`,
      }),
    ),
  }),
  {
    description:
      message`Unseal a given store with one unseal key; repeat with further keys until the threshold is reached. Prints the seal status.`,
    footer: examples(
      "dcos-security cluster secret-store unseal default --key-file key1.txt",
      "dcos-security cluster secret-store unseal default      # asks for the key without echo",
    ),
  },
);

const seal = command(
  "seal",
  object({ cmd: constant("cluster.secret-store.seal"), id: storeArg() }),
  {
    description: message`Seal a store: it refuses reads and writes until unsealed again.`,
    footer: examples("dcos-security cluster secret-store seal default"),
  },
);

/** The `secret-store` command group. */
export const secretStoreCommand = command(
  "secret-store",
  or(seal, sealStatus, show, status, unseal),
  {
    description: message`Manage secret store settings.`,
    footer: examples("dcos-security cluster secret-store show"),
  },
);

/** Parsed options of any `cluster secret-store` command. */
export type SecretStoreOptions = InferValue<typeof secretStoreCommand>;

/** Runs a `cluster secret-store` command. */
export async function run(opts: SecretStoreOptions, deps: Deps): Promise<void> {
  const client = new SecretsClient((await deps.session()).http);
  switch (opts.cmd) {
    case "cluster.secret-store.show": {
      if (opts.ids.length) {
        return await emit(deps.io, omit(await client.store(opts.ids[0]), ["name"]), opts);
      }
      return await emit(deps.io, keyedBy(await client.stores(), "name"), opts);
    }
    case "cluster.secret-store.status": {
      const [backend, seal] = await Promise.all([
        client.store(opts.id),
        client.sealStatus(opts.id),
      ]);
      return await emit(deps.io, { ...omit(backend, ["name"]), ...seal }, opts);
    }
    case "cluster.secret-store.seal-status":
      return await emit(deps.io, await client.sealStatus(opts.id), opts);
    case "cluster.secret-store.seal":
      return await client.seal(opts.id);
    case "cluster.secret-store.unseal": {
      const key = await readSecret(deps.io, {
        value: opts.key,
        file: opts.keyFile,
        env: opts.keyEnv,
      }, {
        what: "unseal key",
        hint: "KEY, --key-file FILE|- or --key-env VAR",
      });
      const result = await client.unseal(opts.id, key!.trim());
      if (result.sealed && !opts.json) {
        deps.io.err(`Still sealed: ${result.progress} of ${result.threshold} keys given`);
      }
      return await emit(deps.io, result, opts);
    }
  }
}
