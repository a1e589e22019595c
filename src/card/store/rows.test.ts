import { test, expect } from "bun:test";
import { Database } from "bun:sqlite";
import { rowCrc, Rows } from "./rows.ts";

const cols = ["a", "b", "c"];
const base = { a: Uint8Array.of(1, 2), b: 7, c: "x" };

test("the checksum changes with any value, its type, the column and the table", () => {
  const crc = (row: Record<string, Uint8Array | number | string | null>, table = "t", columns = cols) => Buffer.from(rowCrc(table, columns, row)).toString("hex");
  const ref = crc(base);
  expect(ref).toHaveLength(16);
  expect(crc({ ...base })).toBe(ref);
  for (const other of [
    crc({ ...base, a: Uint8Array.of(1, 3) }),
    crc({ ...base, a: Uint8Array.of(1, 2, 0) }),
    crc({ ...base, b: 8 }),
    crc({ ...base, b: "7" }),
    crc({ ...base, c: "y" }),
    crc({ ...base, c: null }),
    crc(base, "u"),
    crc(base, "t", ["a", "c", "b"]),
  ]) {
    expect(other).not.toBe(ref);
  }
});

test("put writes the checksum and updates a row in place (same rowid), keyed by the primary key", () => {
  const db = new Database(":memory:", { strict: true });
  db.run("CREATE TABLE t (a BLOB PRIMARY KEY, b INTEGER NOT NULL, c TEXT, crc BLOB NOT NULL)");
  const rows = new Rows(db);
  rows.put("t", base);
  rows.put("t", { a: Uint8Array.of(9), b: 1, c: null });
  rows.put("t", { ...base, b: 8 });
  const all = db.query<{ rowid: number; b: number; crc: Uint8Array }, []>("SELECT rowid, b, crc FROM t ORDER BY rowid").all();
  expect(all.map((r) => [r.rowid, r.b])).toEqual([
    [1, 8],
    [2, 1],
  ]);
  expect(Buffer.from(all[0]!.crc).equals(Buffer.from(rowCrc("t", cols, { ...base, b: 8 })))).toBe(true);
  expect(() => rows.put("t", { ...base, d: 1 } as never)).toThrow("No column t.d");
});
