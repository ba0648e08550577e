/**
 * Durable sandbox state in SQLite (`node:sqlite`): IAM users, groups, memberships, ACLs and
 * permissions, plus a key/value table for keys and settings. Each handler's statements run
 * synchronously, so concurrent requests cannot interleave inside one change.
 * @module
 */
import { DatabaseSync } from "node:sqlite";

/** A user or service account row. */
export interface UserRow {
  uid: string;
  description: string;
  password_hash: string | null;
  public_key: string | null;
  is_service: number;
  provider_type: string;
  provider_id: string;
}

/** A group row. */
export interface GroupRow {
  gid: string;
  description: string;
  provider_type: string;
}

/** An ACL row. */
export interface AclRow {
  rid: string;
  description: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  uid TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '', password_hash TEXT, public_key TEXT,
  is_service INTEGER NOT NULL DEFAULT 0, provider_type TEXT NOT NULL DEFAULT 'internal',
  provider_id TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS groups (
  gid TEXT PRIMARY KEY, description TEXT NOT NULL, provider_type TEXT NOT NULL DEFAULT 'internal');
CREATE TABLE IF NOT EXISTS memberships (
  gid TEXT NOT NULL REFERENCES groups(gid) ON DELETE CASCADE,
  uid TEXT NOT NULL REFERENCES users(uid) ON DELETE CASCADE, PRIMARY KEY (gid, uid));
CREATE TABLE IF NOT EXISTS acls (rid TEXT PRIMARY KEY, description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS user_perms (
  rid TEXT NOT NULL REFERENCES acls(rid) ON DELETE CASCADE,
  uid TEXT NOT NULL REFERENCES users(uid) ON DELETE CASCADE, action TEXT NOT NULL,
  PRIMARY KEY (rid, uid, action));
CREATE TABLE IF NOT EXISTS group_perms (
  rid TEXT NOT NULL REFERENCES acls(rid) ON DELETE CASCADE,
  gid TEXT NOT NULL REFERENCES groups(gid) ON DELETE CASCADE, action TEXT NOT NULL,
  PRIMARY KEY (rid, gid, action));
`;

/** The sandbox database. */
export class State {
  /** The underlying connection (other services add their own tables). */
  readonly db: DatabaseSync;

  /** Opens (creating if needed) the database at `path`. */
  constructor(path: string) {
    this.db = new DatabaseSync(path);
    // password hashes and signing keys live here: owner-only, like the 0700 state dir (SQLite gives
    // its -wal and -shm files the database file's mode)
    Deno.chmodSync(path, 0o600);
    this.db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
    );
    this.db.exec(SCHEMA);
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  /** Runs `fn` in a transaction. */
  tx<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.db.exec("COMMIT");
      return out;
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  /** Reads a key/value setting. */
  get(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM kv WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  /** Writes a key/value setting. */
  set(key: string, value: string): void {
    this.db.prepare(
      "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )
      .run(key, value);
  }

  /** Runs a query returning rows. */
  all<T>(sql: string, ...params: (string | number | null)[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  /** Runs a query returning one row. */
  one<T>(sql: string, ...params: (string | number | null)[]): T | undefined {
    return this.db.prepare(sql).get(...params) as T | undefined;
  }

  /** Runs a statement; returns the number of changed rows. */
  run(sql: string, ...params: (string | number | null)[]): number {
    return Number(this.db.prepare(sql).run(...params).changes);
  }

  /** A user by uid. */
  user(uid: string): UserRow | undefined {
    return this.one<UserRow>("SELECT * FROM users WHERE uid = ?", uid);
  }

  /** A group by gid. */
  group(gid: string): GroupRow | undefined {
    return this.one<GroupRow>("SELECT * FROM groups WHERE gid = ?", gid);
  }

  /** An ACL by rid. */
  acl(rid: string): AclRow | undefined {
    return this.one<AclRow>("SELECT * FROM acls WHERE rid = ?", rid);
  }

  /** Whether `uid` holds `action` (or `full`) on `rid`, directly or through a group. */
  hasPermission(uid: string, rid: string, action: string): boolean {
    const row = this.one(
      `SELECT 1 FROM user_perms WHERE uid = ? AND rid = ? AND action IN (?, 'full')
       UNION SELECT 1 FROM group_perms gp JOIN memberships m ON m.gid = gp.gid
       WHERE m.uid = ? AND gp.rid = ? AND gp.action IN (?, 'full') LIMIT 1`,
      uid,
      rid,
      action,
      uid,
      rid,
      action,
    );
    return row !== undefined;
  }

  /** Whether `uid` is a superuser (any action on `dcos:superuser`, directly or via a group). */
  isSuperuser(uid: string): boolean {
    const row = this.one(
      `SELECT 1 FROM user_perms WHERE uid = ? AND rid = 'dcos:superuser'
       UNION SELECT 1 FROM group_perms gp JOIN memberships m ON m.gid = gp.gid
       WHERE m.uid = ? AND gp.rid = 'dcos:superuser' LIMIT 1`,
      uid,
      uid,
    );
    return row !== undefined;
  }

  /** Whether `uid` may do `action` on `rid`: superusers may do everything. */
  allowed(uid: string, rid: string, action: string): boolean {
    return this.isSuperuser(uid) || this.hasPermission(uid, rid, action);
  }
}
