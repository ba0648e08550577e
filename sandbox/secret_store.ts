/**
 * The sandbox's sealable secret store: values encrypted at rest with AES-256-GCM under a master key
 * that exists only in memory while unsealed. The master key is split into Shamir shares (the unseal
 * keys) on first start; unsealing combines enough shares and checks them against a stored
 * authentication tag, so a wrong combination is detected.
 * @module
 */
import { combine, split } from "shamir-secret-sharing";
import type { State } from "./state.ts";

const CHECK_TEXT = new TextEncoder().encode("dcos-security sandbox master key check");

/** Seal state as the API reports it. */
export interface SealStatus {
  sealed: boolean;
  threshold: number;
  shares: number;
  progress: number;
}

/** An encrypted secret row. */
interface SecretRow {
  path: string;
  kind: "text" | "binary";
  iv: Uint8Array;
  data: Uint8Array;
  author: string;
  created: string;
  description: string;
}

/** A decrypted secret. */
export interface SecretValue {
  /** `text` (UTF-8) or `binary`. */
  kind: "text" | "binary";
  /** The value bytes. */
  value: Uint8Array<ArrayBuffer>;
  /** Who created it. */
  author: string;
  /** When it was created (RFC 3339). */
  created: string;
  /** Description (not set by the CLI). */
  description: string;
}

/** Thrown when the store is sealed. */
export class SealedError extends Error {}

/** One store (`default`) backed by the sandbox's SQLite state. */
export class SecretStore {
  readonly name: string;
  #state: State;
  #key?: CryptoKey;
  #pending: string[] = [];
  #shares: number;
  #threshold: number;

  private constructor(state: State, name: string) {
    this.#state = state;
    this.name = name;
    this.#shares = Number(state.get(`secrets.${name}.shares`) ?? 0);
    this.#threshold = Number(state.get(`secrets.${name}.threshold`) ?? 0);
  }

  /**
   * Opens the store; on first start creates the master key and returns the unseal keys (hex).
   * The store starts unsealed only if `unsealKeys` (or the new keys) open it.
   */
  static async open(
    state: State,
    options: { name?: string; shares?: number; threshold?: number; unsealKeys?: string[] } = {},
  ): Promise<{ store: SecretStore; newKeys?: string[] }> {
    const name = options.name ?? "default";
    state.db.exec(`CREATE TABLE IF NOT EXISTS secrets (
      store TEXT NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL, iv BLOB NOT NULL, data BLOB NOT NULL,
      author TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
      PRIMARY KEY (store, path))`);
    let newKeys: string[] | undefined;
    if (!state.get(`secrets.${name}.check`)) {
      const shares = options.shares ?? 3;
      const threshold = options.threshold ?? 2;
      const master = crypto.getRandomValues(new Uint8Array(32));
      const key = await importKey(master);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const check = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, CHECK_TEXT),
      );
      newKeys = (await split(master, shares, threshold)).map((s) => s.toHex());
      master.fill(0);
      state.set(`secrets.${name}.check`, new Uint8Array([...iv, ...check]).toBase64());
      state.set(`secrets.${name}.shares`, String(shares));
      state.set(`secrets.${name}.threshold`, String(threshold));
    }
    const store = new SecretStore(state, name);
    for (const k of newKeys ?? options.unsealKeys ?? []) {
      if (!store.sealed) break;
      await store.unseal(k).catch(() => {});
    }
    return { store, newKeys };
  }

  /** Whether the store is sealed. */
  get sealed(): boolean {
    return this.#key === undefined;
  }

  /** The seal status. */
  status(): SealStatus {
    return {
      sealed: this.sealed,
      threshold: this.#threshold,
      shares: this.#shares,
      progress: this.#pending.length,
    };
  }

  /** Seals the store: the master key is dropped from memory. */
  seal(): void {
    this.#key = undefined;
    this.#pending = [];
  }

  /**
   * Adds one unseal key. At the threshold the shares are combined and checked; a wrong
   * combination resets the progress and throws.
   */
  async unseal(keyHex: string): Promise<SealStatus> {
    if (!this.sealed) return this.status();
    const k = keyHex.trim().toLowerCase();
    if (!/^[0-9a-f]+$/.test(k) || k.length !== 66) {
      throw new Error("unseal key is not a valid key share (66 hex digits expected)");
    }
    if (!this.#pending.includes(k)) this.#pending.push(k);
    if (this.#pending.length < this.#threshold) return this.status();
    const shares = this.#pending.map((h) => Uint8Array.fromHex(h));
    this.#pending = [];
    let master: Uint8Array;
    try {
      master = await combine(shares);
    } catch {
      throw new Error("unseal failed: the key shares do not combine; start again");
    }
    const key = await importKey(master);
    master.fill(0);
    const blob = Uint8Array.fromBase64(this.#state.get(`secrets.${this.name}.check`)!);
    try {
      await crypto.subtle.decrypt({ name: "AES-GCM", iv: blob.slice(0, 12) }, key, blob.slice(12));
    } catch {
      throw new Error("unseal failed: the key shares do not open this store; start again");
    }
    this.#key = key;
    return this.status();
  }

  #mustKey(): CryptoKey {
    if (!this.#key) throw new SealedError(`store ${this.name} is sealed`);
    return this.#key;
  }

  #aad(path: string): Uint8Array<ArrayBuffer> {
    return new TextEncoder().encode(`${this.name}\u0000${path}`);
  }

  /** Whether a secret exists (works while sealed: paths are not secret). */
  exists(path: string): boolean {
    return this.#state.one(
      "SELECT 1 FROM secrets WHERE store = ? AND path = ?",
      this.name,
      path,
    ) !== undefined;
  }

  /** Stores a new or replaced value. */
  async put(
    path: string,
    kind: "text" | "binary",
    value: Uint8Array<ArrayBuffer>,
    author: string,
    create: boolean,
  ): Promise<boolean> {
    const key = this.#mustKey();
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: this.#aad(path) },
        key,
        value,
      ),
    );
    if (create) {
      try {
        this.#state.db.prepare(
          "INSERT INTO secrets (store, path, kind, iv, data, author, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ).run(this.name, path, kind, iv, data, author, new Date().toISOString());
        return true;
      } catch {
        return false;
      }
    }
    const changed = this.#state.db.prepare(
      "UPDATE secrets SET kind = ?, iv = ?, data = ? WHERE store = ? AND path = ?",
    )
      .run(kind, iv, data, this.name, path).changes;
    return Number(changed) > 0;
  }

  /** Reads and decrypts a secret, or undefined when absent. */
  async get(path: string): Promise<SecretValue | undefined> {
    const key = this.#mustKey();
    const row = this.#state.one<SecretRow>(
      "SELECT * FROM secrets WHERE store = ? AND path = ?",
      this.name,
      path,
    );
    if (!row) return undefined;
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: new Uint8Array(row.iv), additionalData: this.#aad(path) },
      key,
      new Uint8Array(row.data),
    );
    return {
      kind: row.kind,
      value: new Uint8Array(plain),
      author: row.author,
      created: row.created,
      description: row.description,
    };
  }

  /** Deletes a secret; false when absent. */
  delete(path: string): boolean {
    this.#mustKey();
    return this.#state.run("DELETE FROM secrets WHERE store = ? AND path = ?", this.name, path) > 0;
  }

  /** Secret paths under `prefix` (all for ""), relative to it; undefined when there are none. */
  list(prefix: string): string[] | undefined {
    this.#mustKey();
    const rows = this.#state.all<{ path: string }>(
      "SELECT path FROM secrets WHERE store = ? AND (? = '' OR substr(path, 1, length(?) + 1) = ? || '/') ORDER BY path",
      this.name,
      prefix,
      prefix,
      prefix,
    );
    if (!rows.length && prefix !== "") return undefined;
    return rows.map((r) => (prefix ? r.path.slice(prefix.length + 1) : r.path));
  }
}

async function importKey(raw: Uint8Array): Promise<CryptoKey> {
  return await crypto.subtle.importKey("raw", new Uint8Array(raw), "AES-GCM", false, [
    "encrypt",
    "decrypt",
  ]);
}
