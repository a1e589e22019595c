/**
 * The card's EEPROM: one SQLite file (bun:sqlite). Every APDU runs inside one
 * transaction (begin / commit / rollback by the card core), and the journal
 * is synced on each commit (WAL, synchronous=FULL), so a power cut or a
 * killed process between or during APDUs leaves the last committed state.
 * The file is opened in exclusive locking mode: one card process per file.
 */
import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { COUNTER_KEYS, META, SCHEMA, SCHEMA_VERSION } from "./schema.ts";
import { readUint, uintBytes } from "../../stack/bytes.ts";
import { WebcardError } from "../../stack/errors.ts";

/** A key set as stored (GP 11.8: one key version number, three keys). */
export interface StoredKeySet {
  version: number;
  scp: 2 | 3;
  enc: Uint8Array;
  mac: Uint8Array;
  dek: Uint8Array;
}

/** What the factory state is made of. */
export interface FactorySettings {
  isdAid: Uint8Array;
  isdPrivileges: Uint8Array;
  cardLifecycle: number;
  keySet: StoredKeySet;
  serial: Uint8Array;
}

export class CardStore {
  readonly db: Database;
  readonly path: string;
  private depth = 0;

  /** Open (and create if needed) the card memory at `path` (":memory:" for none). */
  constructor(path: string, factory: FactorySettings, options: { reset?: boolean } = {}) {
    this.path = path;
    try {
      this.db = new Database(path, { create: true, strict: true });
      if (path !== ":memory:") {
        this.db.run("PRAGMA locking_mode = EXCLUSIVE");
        this.db.run("PRAGMA journal_mode = WAL");
      }
      this.db.run("PRAGMA synchronous = FULL");
      // Take the exclusive lock now, so a second card process on the same file fails here.
      this.db.run("BEGIN IMMEDIATE");
      this.db.run("COMMIT");
    } catch (error) {
      throw new WebcardError(`Cannot open the card memory ${path}: ${(error as Error).message}`, {
        cause: error,
        hint: "is another 'webcard sim' using this state file? Use --state to choose another",
      });
    }
    this.db.transaction(() => {
      if (options.reset) this.wipe();
      this.db.run(SCHEMA);
      if (this.meta(META.SCHEMA) === undefined) this.writeFactory(factory);
    })();
  }

  private wipe(): void {
    const tables = this.db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    for (const { name } of tables) this.db.run(`DROP TABLE IF EXISTS "${name}"`);
  }

  private writeFactory(f: FactorySettings): void {
    this.db.run(SCHEMA);
    this.setMeta(META.ISD_AID, f.isdAid);
    this.setMeta(META.ISD_PRIVILEGES, f.isdPrivileges);
    this.setMetaInt(META.CARD_LIFECYCLE, f.cardLifecycle);
    this.setMetaInt(META.SEQUENCE_COUNTER, 0);
    this.setMetaInt(META.AUTH_FAILURES, 0);
    this.setMeta(META.SERIAL, f.serial);
    this.putKeySet(f.keySet);
    this.setMetaInt(META.SCHEMA, SCHEMA_VERSION);
  }

  /** Start the transaction of one APDU (nesting is flattened). */
  begin(): void {
    if (this.depth++ === 0) this.db.run("BEGIN IMMEDIATE");
  }

  /** Commit the APDU's writes. */
  commit(): void {
    if (this.depth === 0) return; // rolled back meanwhile (power lost): nothing to commit
    if (--this.depth === 0) this.db.run("COMMIT");
  }

  /** Undo the APDU's writes. */
  rollback(): void {
    if (this.depth === 0) return;
    this.depth = 0;
    this.db.run("ROLLBACK");
  }

  /** Run `fn` in one transaction (for work outside an APDU: power-on, installing a built-in). */
  atomically<T>(fn: () => T): T {
    this.begin();
    try {
      const out = fn();
      this.commit();
      return out;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  meta(key: string): Uint8Array | undefined {
    const row = this.db.query<{ value: Uint8Array }, [string]>("SELECT value FROM meta WHERE key = ?").get(key);
    return row ? new Uint8Array(row.value) : undefined;
  }

  metaInt(key: string, fallback = 0): number {
    const v = this.meta(key);
    return v === undefined || v.length === 0 ? fallback : readUint(v, 0, Math.min(v.length, 6));
  }

  setMeta(key: string, value: Uint8Array): void {
    this.db.query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
      key,
      value,
    );
  }

  setMetaInt(key: string, value: number): void {
    this.setMeta(key, uintBytes(value, 4));
  }

  keySets(): StoredKeySet[] {
    return this.db
      .query<{ version: number; scp: number; enc: Uint8Array; mac: Uint8Array; dek: Uint8Array }, []>(
        "SELECT version, scp, enc, mac, dek FROM key_sets ORDER BY version",
      )
      .all()
      .map((r) => ({
        version: r.version,
        scp: r.scp === 2 ? 2 : 3,
        enc: new Uint8Array(r.enc),
        mac: new Uint8Array(r.mac),
        dek: new Uint8Array(r.dek),
      }));
  }

  putKeySet(k: StoredKeySet): void {
    this.db
      .query(
        "INSERT INTO key_sets (version, scp, enc, mac, dek) VALUES (?, ?, ?, ?, ?) ON CONFLICT(version) DO UPDATE SET scp = excluded.scp, enc = excluded.enc, mac = excluded.mac, dek = excluded.dek",
      )
      .run(k.version, k.scp, k.enc, k.mac, k.dek);
  }

  deleteKeySet(version: number): void {
    this.db.query("DELETE FROM key_sets WHERE version = ?").run(version);
  }

  /**
   * SHA-256 over every table in a fixed order, leaving out the security
   * counters (sequence counter, failed authentications), which change on
   * unauthenticated INITIALIZE UPDATE and EXTERNAL AUTHENTICATE by design.
   */
  digest(): string {
    const h = createHash("sha256");
    const tables = this.db
      .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all();
    for (const { name } of tables) {
      h.update(`\u0000table ${name}\u0000`);
      for (const row of this.db.query<Record<string, unknown>, []>(`SELECT * FROM "${name}" ORDER BY rowid`).all()) {
        if (name === "meta" && COUNTER_KEYS.includes(String(row.key))) continue;
        for (const [k, v] of Object.entries(row)) {
          h.update(k + "=");
          h.update(v instanceof Uint8Array ? Buffer.from(v).toString("hex") : String(v));
          h.update(";");
        }
        h.update("\n");
      }
    }
    return h.digest("hex");
  }

  /** Release the file (and its lock). */
  close(): void {
    this.rollback();
    this.db.close();
  }
}
