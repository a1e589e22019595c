/**
 * Upgrading a card memory of format 1 (webcard before row checksums: WAL
 * journal, no `crc`, no load file hash, a persistent pending load) to the
 * current format, in one transaction under the file's lock: every row is
 * read, the tables are made anew from SCHEMA and the rows written back with
 * their checksums. An unfinished load is dropped, as at any power-on.
 */
import type { Database } from "bun:sqlite";
import { HEAP_SCHEMA, META, SCHEMA, SCHEMA_VERSION, TABLES, TABLES_SINCE_3 } from "./schema.ts";
import { CRC_COLUMN, type Row, Rows } from "./rows.ts";
import { sha256 } from "./verify.ts";
import { writeSeal } from "./seal.ts";

export function migrateFromV1(db: Database): void {
  // Leave WAL (format 1) for the rollback journal: this checkpoints the log into the file.
  db.run("PRAGMA journal_mode = PERSIST");
  db.transaction(() => {
    const saved = new Map<string, Row[]>();
    const had = new Set(db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
    // Tables that came later (format 3's, sd_keys) start empty.
    for (const table of TABLES) {
      if (!TABLES_SINCE_3.includes(table) && had.has(table)) saved.set(table, db.query<Row, []>(`SELECT * FROM "${table}" ORDER BY rowid`).all());
    }
    for (const { name } of db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all()) {
      db.run(`DROP TABLE IF EXISTS "${name}"`);
    }
    db.run(SCHEMA);
    const rows = new Rows(db);
    for (const [table, list] of saved) {
      for (const row of list) {
        const { [CRC_COLUMN]: _crc, ...data } = row;
        if (table === "load_files") data.hash = sha256(data.lfdb as Uint8Array);
        if (table === "meta" && data.key === META.SCHEMA) data.value = Uint8Array.of(0, 0, 0, SCHEMA_VERSION);
        rows.put(table, data);
      }
    }
    writeSeal(db, rows);
  })();
}

/** Format 2 to 3: the JCVM's heap tables, empty (no applet had run bytecode before). */
export function migrateFromV2(db: Database): void {
  db.transaction(() => {
    db.run(HEAP_SCHEMA);
    new Rows(db).put("meta", { key: META.SCHEMA, value: Uint8Array.of(0, 0, 0, SCHEMA_VERSION) });
  })();
}
