/**
 * Checksummed rows. Every row of the card memory carries `crc`: the first
 * 8 bytes of SHA-256 over its table name and each other column (name, type,
 * value) in the table's column order. Power-on recomputes them (verify.ts),
 * so a changed byte in any stored value, key or AID is noticed instead of
 * being served. Rows are written with an upsert that keeps the rowid, so an
 * update does not move a row in GET STATUS order.
 */
import type { Database } from "bun:sqlite";
import { createHash } from "node:crypto";

export type SqlValue = Uint8Array | string | number | null;
export type Row = Record<string, SqlValue>;

export const CRC_COLUMN = "crc";
const CRC_BYTES = 8;

interface TableShape {
  /** Columns in declared order, without crc. */
  columns: string[];
  /** Primary key columns (empty: rowid only). */
  key: string[];
}

function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** The checksum of `row` in `table` (columns in the table's order). */
export function rowCrc(table: string, columns: readonly string[], row: Row): Uint8Array {
  const h = createHash("sha256");
  h.update(`${table}\u0000`);
  for (const name of columns) {
    h.update(`${name}\u0000`);
    const v = row[name] ?? null;
    if (v === null) h.update(Uint8Array.of(0));
    else if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) throw new TypeError(`Column ${table}.${name} holds ${v}: only whole numbers are stored`);
      const b = Buffer.alloc(9);
      b[0] = 1;
      b.writeBigInt64BE(BigInt(v), 1);
      h.update(b);
    } else if (typeof v === "string") {
      const t = Buffer.from(v, "utf8");
      h.update(Uint8Array.of(2));
      h.update(u32(t.length));
      h.update(t);
    } else if (v instanceof Uint8Array) {
      h.update(Uint8Array.of(3));
      h.update(u32(v.length));
      h.update(v);
    } else {
      // A value of a type the card never writes (a REAL, a bigint): it cannot match a checksum.
      h.update(Uint8Array.of(0xff));
      h.update(String(v));
    }
  }
  return new Uint8Array(h.digest().subarray(0, CRC_BYTES));
}

/** Reads and writes checksummed rows of one database. */
export class Rows {
  private readonly shapes = new Map<string, TableShape>();

  constructor(private readonly db: Database) {}

  shape(table: string): TableShape {
    let s = this.shapes.get(table);
    if (!s) {
      const info = this.db.query<{ name: string; pk: number }, []>(`PRAGMA table_info("${table}")`).all();
      if (info.length === 0) throw new RangeError(`No table ${table} in the card memory`);
      s = {
        columns: info.filter((c) => c.name !== CRC_COLUMN).map((c) => c.name),
        key: info
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((c) => c.name),
      };
      this.shapes.set(table, s);
    }
    return s;
  }

  /** Insert `row`, or update the row with the same primary key in place; the checksum is computed here. */
  put(table: string, row: Row): void {
    const { columns, key } = this.shape(table);
    for (const k of Object.keys(row)) if (!columns.includes(k)) throw new RangeError(`No column ${table}.${k}`);
    const all = [...columns, CRC_COLUMN];
    const values = [...columns.map((c) => row[c] ?? null), rowCrc(table, columns, row)];
    const names = all.map((c) => `"${c}"`).join(", ");
    const marks = all.map(() => "?").join(", ");
    const upsert =
      key.length === 0
        ? ""
        : ` ON CONFLICT(${key.map((c) => `"${c}"`).join(", ")}) DO UPDATE SET ${all
            .filter((c) => !key.includes(c))
            .map((c) => `"${c}" = excluded."${c}"`)
            .join(", ")}`;
    this.db.query(`INSERT INTO "${table}" (${names}) VALUES (${marks})${upsert}`).run(...(values as never[]));
  }
}
