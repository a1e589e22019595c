/**
 * The card's EEPROM: one SQLite file (bun:sqlite). Every APDU runs inside one
 * transaction (begin / commit / rollback by the card core), and the rollback
 * journal is synced on each commit (synchronous = FULL), so a power cut or a
 * killed process between or during APDUs leaves the last committed state.
 * Opening (open-file.ts) locks the file for this process, checks it and sets
 * up the reserve that keeps authentication and DELETE working on a full disk.
 * Every row is written through `put`, which adds its checksum (rows.ts).
 */
import type { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { COUNTER_KEYS, META } from "./schema.ts";
import { readUint, uintBytes } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { isDiskFull, refuse } from "../refusal.ts";
import { openCardMemory } from "./open-file.ts";
import { Rows, type Row } from "./rows.ts";
import { changesSoFar, writeSeal } from "./seal.ts";

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
  /** The card profile's name (docs/profiles.md). */
  profile?: string;
}

export class CardStore {
  readonly db: Database;
  readonly path: string;
  /** Why the memory failed its power-on check (the card must not serve it), else undefined. */
  readonly damage: string | undefined;
  /** What opening did that the card's log should say (an upgrade, a file kept aside, no reserve). */
  readonly notices: readonly string[];
  private readonly rows: Rows;
  private depth = 0;
  private changesAtBegin = 0;

  /** Open (and create if needed) the card memory at `path` (":memory:" for none). */
  constructor(path: string, factory: FactorySettings, options: { reset?: boolean } = {}) {
    this.path = path;
    const opened = openCardMemory(path, (rows) => writeFactory(rows, factory), options);
    this.db = opened.db;
    this.damage = opened.damage;
    this.notices = opened.notices;
    this.rows = new Rows(this.db);
  }

  /** Insert or update one row of `table`, with its checksum (the only way rows are written). */
  put(table: string, row: Row): void {
    this.rows.put(table, row);
  }

  /** Start the transaction of one APDU (nesting is flattened). */
  begin(): void {
    if (this.depth++ > 0) return;
    this.db.run("BEGIN IMMEDIATE");
    this.changesAtBegin = changesSoFar(this.db);
  }

  /**
   * Commit the APDU's writes. A full disk (SQLITE_FULL) rolls them back and
   * becomes a refusal with 6A84 (not enough memory), as on a card.
   */
  commit(): void {
    if (this.depth === 0) return; // rolled back meanwhile (power lost): nothing to commit
    if (--this.depth > 0) return;
    try {
      if (changesSoFar(this.db) !== this.changesAtBegin) writeSeal(this.db, this.rows);
      this.db.run("COMMIT");
    } catch (error) {
      this.endTransaction();
      if (isDiskFull(error)) refuse("memory", SW.NOT_ENOUGH_MEMORY, "the file system holding the card memory is full; nothing was written");
      throw error;
    }
  }

  /** Undo the APDU's writes. */
  rollback(): void {
    if (this.depth === 0) return;
    this.depth = 0;
    this.endTransaction();
  }

  /** Roll back what is still open (SQLite may have rolled back already, after SQLITE_FULL). */
  private endTransaction(): void {
    this.depth = 0;
    if (!this.db.inTransaction) return;
    try {
      this.db.run("ROLLBACK");
    } catch {
      // The journal is still there: SQLite rolls it back at the next access.
    }
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
    this.put("meta", { key, value });
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
    this.put("key_sets", { version: k.version, scp: k.scp, enc: k.enc, mac: k.mac, dek: k.dek });
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
        // Security counters, the ISD's and each SSD's (KEY.<AID>, core/sd-counters.ts), are not content.
        if (name === "meta" && COUNTER_KEYS.some((k) => row.key === k || String(row.key).startsWith(`${k}.`))) continue;
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

/** The factory rows of a new (or reset) card memory. */
function writeFactory(rows: Rows, f: FactorySettings): void {
  const int = (n: number) => uintBytes(n, 4);
  rows.put("meta", { key: META.ISD_AID, value: f.isdAid });
  rows.put("meta", { key: META.ISD_PRIVILEGES, value: f.isdPrivileges });
  rows.put("meta", { key: META.CARD_LIFECYCLE, value: int(f.cardLifecycle) });
  rows.put("meta", { key: META.SEQUENCE_COUNTER, value: int(0) });
  rows.put("meta", { key: META.AUTH_FAILURES, value: int(0) });
  rows.put("meta", { key: META.SERIAL, value: f.serial });
  if (f.profile !== undefined) rows.put("meta", { key: META.PROFILE, value: new TextEncoder().encode(f.profile) });
  const k = f.keySet;
  rows.put("key_sets", { version: k.version, scp: k.scp, enc: k.enc, mac: k.mac, dek: k.dek });
}
