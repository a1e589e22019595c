/**
 * The power-on check of the card memory. A card that finds its EEPROM
 * damaged must not serve what it reads there: `memoryDamage` says what is
 * wrong, or undefined when everything checks:
 *   1. SQLite's `PRAGMA integrity_check` (page structure, free list, every
 *      index against its table: a damaged index would make a lookup miss a
 *      row that is there, a wrong answer without an error);
 *   2. the tables are exactly the ones this version creates (SCHEMA);
 *   3. every row's checksum (rows.ts) and every load file's SHA-256;
 *   4. the factory rows (meta, a key set) are all there;
 *   5. the seal (seal.ts): no row missing or added.
 * The memory is small (a card's), so the whole check takes milliseconds.
 */
import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { toHex } from "../../stack/bytes.ts";
import { CRC_COLUMN, rowCrc, type Row, Rows } from "./rows.ts";
import { META, REQUIRED_META, SCHEMA, TABLES } from "./schema.ts";
import { computeSeal } from "./seal.ts";

type SchemaRow = { type: string; name: string; sql: string | null };

const SCHEMA_QUERY = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name";

let expected: string | undefined;

/** sqlite_master of a memory made from SCHEMA, as text (what an intact file must show). */
function expectedSchema(): string {
  if (expected === undefined) {
    const db = new Database(":memory:");
    db.run(SCHEMA);
    expected = JSON.stringify(db.query<SchemaRow, []>(SCHEMA_QUERY).all());
    db.close();
  }
  return expected;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Why the card memory in `db` cannot be trusted, or undefined when it checks. */
export function memoryDamage(db: Database): string | undefined {
  try {
    const problems = db.query<{ integrity_check: string }, []>("PRAGMA integrity_check(3)").all().map((r) => r.integrity_check);
    if (problems.length !== 1 || problems[0] !== "ok") return `SQLite integrity check: ${problems.join("; ")}`;
    if (JSON.stringify(db.query<SchemaRow, []>(SCHEMA_QUERY).all()) !== expectedSchema()) {
      return "its tables are not the ones this version of webcard creates";
    }
    const rows = new Rows(db);
    for (const table of TABLES) {
      const { columns } = rows.shape(table);
      let n = 0;
      for (const row of db.query<Row, []>(`SELECT * FROM "${table}" ORDER BY rowid`).iterate()) {
        n++;
        const crc = row[CRC_COLUMN];
        if (!(crc instanceof Uint8Array) || !sameBytes(crc, rowCrc(table, columns, row))) return `row ${n} of table ${table} fails its checksum`;
        if (table === "load_files" && !sameBytes(row.hash as Uint8Array, sha256(row.lfdb as Uint8Array))) {
          return `load file ${toHex(row.aid as Uint8Array)} fails its SHA-256`;
        }
      }
    }
    const meta = new Set(db.query<{ key: string }, []>("SELECT key FROM meta").all().map((r) => r.key));
    const missing = REQUIRED_META.filter((k) => !meta.has(k));
    if (missing.length > 0) return `its ${missing.join(", ")} record(s) are missing`;
    if ((db.query<{ n: number }, []>("SELECT count(*) AS n FROM key_sets").get()?.n ?? 0) === 0) return "it holds no key set";
    const seal = db.query<{ value: Uint8Array }, [string]>("SELECT value FROM meta WHERE key = ?").get(META.SEAL)?.value;
    if (!seal || !sameBytes(seal, computeSeal(db))) return "rows are missing or were added behind the card's back (its seal does not match)";
    return undefined;
  } catch (error) {
    return `SQLite cannot read it: ${(error as Error).message}`;
  }
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}
