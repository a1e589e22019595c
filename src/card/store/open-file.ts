/**
 * Opening the card memory file, the way a card powers on:
 *   - a new file is built aside and linked into place whole (never an empty
 *     or half-made file at the path, even when two processes start at once);
 *   - the file is locked for this process alone (SQLite EXCLUSIVE locking);
 *     the loser of a start-up race waits briefly, then says "in use";
 *   - what is there is checked before anything is served: an empty file, a
 *     foreign one or a newer schema is refused (`reset` replaces it, keeping
 *     the old file aside); an older schema is upgraded; a damaged memory is
 *     reported (`damage`), never repaired silently;
 *   - then the journal mode and the reserve (reserve.ts) are set up.
 */
import { Database } from "bun:sqlite";
import { accessSync, constants, copyFileSync, existsSync, linkSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { WebcardError } from "../../stack/errors.ts";
import { codeOf, fileError, inUse } from "./file-errors.ts";
import { migrateFromV1, migrateFromV2 } from "./migrate.ts";
import { setAsideReserve } from "./reserve.ts";
import { META, SCHEMA, SCHEMA_VERSION, SD_KEYS_TABLE } from "./schema.ts";
import { CRC_COLUMN, rowCrc, Rows } from "./rows.ts";
import { memoryDamage } from "./verify.ts";
import { writeSeal } from "./seal.ts";

/** SQLite page size of a new card memory: small pages, as the memory is a card's (fewer bytes rewritten per change). */
export const PAGE_SIZE = 1024;
/** How long the loser of a start-up race waits for the winner's lock before saying "in use". */
const LOCK_WAIT_MS = 400;

export interface OpenedMemory {
  db: Database;
  /** Why the memory cannot be trusted (the card then answers as a locked card), else undefined. */
  damage: string | undefined;
  /** Lines for the card's log: an upgrade, a file kept aside, a reserve that could not be made. */
  notices: string[];
}

type Found =
  | { kind: "card" }
  | { kind: "empty" | "foreign" | "newer" | "damaged"; why: string };

/** Open (creating if needed) the card memory at `path`; `init` writes the factory rows into a new one. */
export function openCardMemory(path: string, init: (rows: Rows) => void, options: { reset?: boolean } = {}): OpenedMemory {
  if (path === ":memory:") {
    const db = new Database(":memory:", { strict: true });
    configure(db, false);
    build(db, init);
    return { db, damage: undefined, notices: [] };
  }
  checkAccess(path);
  const notices: string[] = [];
  if (existsSync(path) && statSync(path).size === 0) {
    // Made by someone else (ours are linked into place whole): refuse it before SQLite writes a header into it.
    if (!options.reset) throw refusal(path, { kind: "empty", why: "it is empty" });
    rmSync(path);
  }
  if (!existsSync(path)) createWhole(path, init);
  let db = lock(path);
  try {
    let found = inspect(db, notices);
    if (options.reset && found.kind !== "card") {
      db.close();
      if (found.kind === "empty") rmSync(path, { force: true }); // a header only: nothing to keep
      else notices.push(`reset: the ${found.kind} file was kept as ${keepAside(path, found.kind)}`);
      createWhole(path, init);
      db = lock(path);
      found = inspect(db, notices);
    } else if (options.reset) {
      build(db, init, true);
    }
    if (found.kind === "damaged") return { db, damage: found.why, notices };
    if (found.kind !== "card") throw refusal(path, found);
    configure(db, true);
    const reserve = setAsideReserve(`${path}-journal`);
    if (reserve) notices.push(reserve);
    return { db, damage: undefined, notices };
  } catch (error) {
    db.close();
    throw fileError(path, error);
  }
}

function checkAccess(path: string): void {
  try {
    accessSync(dirname(path), constants.W_OK | constants.X_OK);
  } catch (error) {
    throw fileError(path, error, "folder");
  }
  if (!existsSync(path)) return;
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw fileError(path, error);
  }
}

/** Journal and sync settings for a card memory in use. */
function configure(db: Database, onDisk: boolean): void {
  // PERSIST keeps the rollback journal's space between commits: the reserve (reserve.ts).
  if (onDisk) db.run("PRAGMA journal_mode = PERSIST");
  db.run("PRAGMA synchronous = FULL");
  // Statement journals and sorts in memory: nothing else needs disk space mid-command.
  db.run("PRAGMA temp_store = MEMORY");
}

/** Write SCHEMA and the factory rows (dropping every table first when `wipe`). */
function build(db: Database, init: (rows: Rows) => void, wipe = false): void {
  db.transaction(() => {
    if (wipe) {
      for (const { name } of db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all()) {
        db.run(`DROP TABLE IF EXISTS "${name}"`);
      }
    }
    db.run(SCHEMA);
    const rows = new Rows(db);
    init(rows);
    rows.put("meta", { key: META.SCHEMA, value: uint32(SCHEMA_VERSION) });
    writeSeal(db, rows);
  })();
}

const uint32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

/** Build a new card memory beside `path` and link it into place, unless a file appeared there meanwhile. */
function createWhole(path: string, init: (rows: Rows) => void): void {
  const tmp = `${path}.new-${process.pid}-${Math.random().toString(16).slice(2, 10)}`;
  try {
    const db = new Database(tmp, { create: true, strict: true });
    try {
      db.run(`PRAGMA page_size = ${PAGE_SIZE}`);
      db.run("PRAGMA journal_mode = DELETE");
      build(db, init);
    } finally {
      db.close();
    }
    try {
      linkSync(tmp, path);
    } catch (error) {
      if (codeOf(error) === "EEXIST") return; // another process made it first: use theirs
      // A file system without hard links: an exclusive copy (a reader may see it short, and call it damaged).
      try {
        copyFileSync(tmp, path, constants.COPYFILE_EXCL);
      } catch (copyError) {
        if (codeOf(copyError) !== "EEXIST") throw copyError;
      }
    }
  } catch (error) {
    throw fileError(path, error);
  } finally {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}-journal`, { force: true });
  }
}

/** Open `path` and take its lock for good; "in use" when another process holds it. */
function lock(path: string): Database {
  let db: Database;
  try {
    db = new Database(path, { readwrite: true, create: false, strict: true });
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    db.run(`PRAGMA busy_timeout = ${LOCK_WAIT_MS}`);
    db.run("PRAGMA locking_mode = EXCLUSIVE");
    // EXCLUSIVE locking keeps the lock taken here until close: one card process per file.
    db.run("BEGIN EXCLUSIVE");
    db.run("COMMIT");
    db.run("PRAGMA busy_timeout = 0");
    return db;
  } catch (error) {
    // Close at once: a loser holding its shared lock would make the winner wait too.
    db.close();
    const code = codeOf(error);
    if (code.startsWith("SQLITE_BUSY")) throw inUse(path, error);
    if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) return unreadable(path, error as Error);
    throw fileError(path, error);
  }
}

/** Files SQLite could not even lock (not a database, or a damaged header), with why: inspect() reports them. */
const unreadableFiles = new WeakMap<Database, Error>();

/** A file SQLite cannot read: open it read-only, without touching it, so inspect() can say what it is. */
function unreadable(path: string, error: Error): Database {
  const db = new Database(path, { readonly: true, strict: true });
  unreadableFiles.set(db, error);
  return db;
}

/** What is in the file, upgrading an older schema (under the lock). */
function inspect(db: Database, notices: string[]): Found {
  const unreadable = unreadableFiles.get(db);
  if (unreadable) {
    return codeOf(unreadable) === "SQLITE_NOTADB"
      ? { kind: "foreign", why: "it is not an SQLite database" }
      : { kind: "damaged", why: `SQLite cannot read it: ${unreadable.message}` };
  }
  let tables: string[];
  try {
    tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name);
  } catch (error) {
    if (codeOf(error) === "SQLITE_NOTADB") return { kind: "foreign", why: "it is not an SQLite database" };
    return { kind: "damaged", why: `SQLite cannot read it: ${(error as Error).message}` };
  }
  if (!tables.includes("meta")) {
    return tables.length === 0 ? { kind: "empty", why: "it holds no tables" } : { kind: "foreign", why: "it is an SQLite database without webcard's tables" };
  }
  let version: number;
  try {
    version = schemaVersion(db);
  } catch (error) {
    return { kind: "damaged", why: (error as Error).message };
  }
  if (version > SCHEMA_VERSION) return { kind: "newer", why: `it was written by a newer webcard (memory format ${version}; this one knows ${SCHEMA_VERSION})` };
  if (version === 1) {
    const problem = memoryDamageV1(db);
    if (problem) return { kind: "damaged", why: problem };
    migrateFromV1(db);
    notices.push(`card memory upgraded from format 1 to ${SCHEMA_VERSION} (row checksums, load file hashes)`);
  } else if (version === 2) {
    migrateFromV2(db);
    notices.push(`card memory upgraded from format 2 to ${SCHEMA_VERSION} (tables for the Java Card VM's objects)`);
  } else if (version !== SCHEMA_VERSION) {
    return { kind: "damaged", why: `its format number ${version} is not one webcard ever wrote` };
  } else {
    // Security domain keys came after format 2: an older format-2 memory gets the (empty) table.
    db.run(SD_KEYS_TABLE);
  }
  const damage = memoryDamage(db);
  return damage ? { kind: "damaged", why: damage } : { kind: "card" };
}

/** The format number in meta (its checksum checked from format 2 on). */
function schemaVersion(db: Database): number {
  const columns = db.query<{ name: string }, []>(`PRAGMA table_info("meta")`).all().map((c) => c.name);
  const row = db.query<Record<string, Uint8Array | string>, [string]>("SELECT * FROM meta WHERE key = ?").get(META.SCHEMA);
  if (!row || !(row.value instanceof Uint8Array) || row.value.length === 0 || row.value.length > 4) throw new Error("its format record is missing or unreadable");
  const version = row.value.reduce((n, b) => n * 256 + b, 0);
  if (columns.includes(CRC_COLUMN)) {
    const crc = row[CRC_COLUMN];
    const data = columns.filter((c) => c !== CRC_COLUMN);
    const want = rowCrc("meta", data, row);
    if (!(crc instanceof Uint8Array) || Buffer.compare(Buffer.from(crc), Buffer.from(want)) !== 0) throw new Error("its format record fails its checksum");
  }
  return version;
}

/** Format 1 had no checksums: only SQLite's own check applies before the upgrade. */
function memoryDamageV1(db: Database): string | undefined {
  try {
    const problems = db.query<{ integrity_check: string }, []>("PRAGMA integrity_check(3)").all().map((r) => r.integrity_check);
    return problems.length === 1 && problems[0] === "ok" ? undefined : `SQLite integrity check: ${problems.join("; ")}`;
  } catch (error) {
    return `SQLite cannot read it: ${(error as Error).message}`;
  }
}

/** Move a file that is not a usable card (and its journal) aside; returns the new name. */
function keepAside(path: string, kind: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const target = `${path}.${kind}-${stamp}`;
  renameSync(path, target);
  for (const side of ["-journal", "-wal"]) if (existsSync(path + side)) renameSync(path + side, target + side);
  return target;
}

function refusal(path: string, found: Exclude<Found, { kind: "card" } | { kind: "damaged" }>): WebcardError {
  const what = found.kind === "newer" ? "a newer card memory" : "not a webcard card memory";
  const reset = `make a new card there with 'webcard sim --state ${path} --reset', which keeps the old file aside`;
  return new WebcardError(`The state file ${path} is ${what}: ${found.why}`, {
    hint: found.kind === "newer" ? `use the newer webcard with it, choose another state file, or ${reset}` : `choose another state file, or ${reset}`,
  });
}
