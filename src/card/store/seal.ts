/**
 * The memory's seal: SHA-256 over the checksums of every row of every table
 * (sorted per table), kept in meta and rewritten by each commit that changed
 * anything. Row checksums catch a changed row; the seal also catches a row
 * that vanished or appeared (a module or import record lost would otherwise
 * change the registry without any row failing its checksum).
 */
import type { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import type { Rows } from "./rows.ts";
import { META, TABLES } from "./schema.ts";

/** The seal the rows in `db` call for now. */
export function computeSeal(db: Database): Uint8Array {
  const h = createHash("sha256");
  for (const table of TABLES) {
    const where = table === "meta" ? ` WHERE key != '${META.SEAL}'` : "";
    const crcs = db
      .query<{ crc: Uint8Array }, []>(`SELECT crc FROM "${table}"${where}`)
      .all()
      .map((r) => Buffer.from(r.crc).toString("hex"))
      .sort();
    // sd_keys came after the seal: while empty it leaves the seal as memories sealed before it have it.
    if (table === "sd_keys" && crcs.length === 0) continue;
    h.update(`${table}:${crcs.length}:${crcs.join(",")}\n`);
  }
  return new Uint8Array(h.digest());
}

/** Write the seal for the rows as they are now (inside the writing transaction). */
export function writeSeal(db: Database, rows: Rows): void {
  rows.put("meta", { key: META.SEAL, value: computeSeal(db) });
}

/** Rows modified so far on this connection: a commit reseals only when this moved. */
export function changesSoFar(db: Database): number {
  return db.query<{ n: number }, []>("SELECT total_changes() AS n").get()!.n;
}
