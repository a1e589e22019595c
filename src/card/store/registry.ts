/**
 * The GlobalPlatform registry (GP 2.3.1 section 5 and 11.4) in the card's
 * memory: load files with their modules and imports, application instances.
 * Plain reads and writes; the ISD decides what is allowed.
 */
import { toHex } from "../../stack/bytes.ts";
import { HEADER_FLAG } from "../../stack/cap/components.ts";
import { parseHeader } from "../../stack/cap/header.ts";
import type { CardStore } from "./store.ts";
import { MemoryDamaged } from "./damage.ts";
import { sha256 } from "./verify.ts";

export interface LoadFileRecord {
  aid: Uint8Array;
  major: number;
  minor: number;
  lifecycle: number;
  sdAid: Uint8Array;
  /** Bytes of the stored load file data block (counted against memory). */
  size: number;
  modules: Uint8Array[];
  /**
   * The packages of an extended CAP file (JCVM 3.1 §6.4), read from the Header
   * at the head of its stored LFDB; empty for a compact file (one package, the load file itself).
   */
  packages: ImportRecord[];
}

export interface ApplicationRecord {
  aid: Uint8Array;
  loadFile: Uint8Array | undefined;
  module: Uint8Array | undefined;
  privileges: Uint8Array;
  lifecycle: number;
  params: Uint8Array;
  sdAid: Uint8Array;
  builtin: boolean;
}

export interface ImportRecord {
  aid: Uint8Array;
  major: number;
  minor: number;
}

type AppRow = {
  aid: Uint8Array;
  load_file: Uint8Array | null;
  module: Uint8Array | null;
  privileges: Uint8Array;
  lifecycle: number;
  params: Uint8Array;
  sd_aid: Uint8Array;
  builtin: number;
};

const u8 = (b: Uint8Array): Uint8Array => new Uint8Array(b);

function appOf(r: AppRow): ApplicationRecord {
  return {
    aid: u8(r.aid),
    loadFile: r.load_file ? u8(r.load_file) : undefined,
    module: r.module ? u8(r.module) : undefined,
    privileges: u8(r.privileges),
    lifecycle: r.lifecycle,
    params: u8(r.params),
    sdAid: u8(r.sd_aid),
    builtin: r.builtin !== 0,
  };
}

/** Registry reads and writes over one card store. */
export class Registry {
  constructor(private readonly store: CardStore) {}

  private get db() {
    return this.store.db;
  }

  loadFiles(): LoadFileRecord[] {
    const rows = this.db
      .query<{ aid: Uint8Array; major: number; minor: number; lifecycle: number; sd_aid: Uint8Array; size: number; head: Uint8Array | null }, []>(
        // The Header's flags byte (LFDB offset 9) says whether the file is extended.
        "SELECT aid, major, minor, lifecycle, sd_aid, length(lfdb) AS size, substr(lfdb, 1, 10) AS head FROM load_files ORDER BY rowid",
      )
      .all();
    return rows.map((r) => ({
      aid: u8(r.aid),
      major: r.major,
      minor: r.minor,
      lifecycle: r.lifecycle,
      sdAid: u8(r.sd_aid),
      size: r.size,
      modules: this.modulesOf(r.aid),
      packages: r.head && r.head.length === 10 && (r.head[9]! & HEADER_FLAG.ACC_EXTENDED) !== 0 ? this.packagesOf(r.aid, r.head) : [],
    }));
  }

  /** The packages an extended load file's Header lists (its Header component only is read). */
  private packagesOf(aid: Uint8Array, head: Uint8Array): ImportRecord[] {
    const size = (head[1]! << 8) | head[2]!;
    const r = this.db.query<{ header: Uint8Array }, [number, Uint8Array]>("SELECT substr(lfdb, 1, ?) AS header FROM load_files WHERE aid = ?").get(3 + size, aid);
    if (!r) return [];
    // The card checked the Header when it took the file; a stored one that no longer parses is damage.
    try {
      return parseHeader(u8(r.header)).packages.map((p) => ({ aid: p.aid, major: p.version.major, minor: p.version.minor }));
    } catch (error) {
      throw new MemoryDamaged(`load file ${toHex(aid)} has a damaged Header`, { cause: error });
    }
  }

  loadFile(aid: Uint8Array): LoadFileRecord | undefined {
    return this.loadFiles().find((f) => sameAid(f.aid, aid));
  }

  modulesOf(loadFile: Uint8Array): Uint8Array[] {
    return this.db
      .query<{ aid: Uint8Array }, [Uint8Array]>("SELECT aid FROM modules WHERE load_file = ? ORDER BY rowid")
      .all(loadFile)
      .map((r) => u8(r.aid));
  }

  /** The load file a module belongs to. */
  moduleOwner(module: Uint8Array): Uint8Array | undefined {
    const r = this.db.query<{ load_file: Uint8Array }, [Uint8Array]>("SELECT load_file FROM modules WHERE aid = ?").get(module);
    return r ? u8(r.load_file) : undefined;
  }

  /** The stored load file data block, checked against its SHA-256 (a damaged one throws MemoryDamaged). */
  lfdb(aid: Uint8Array): Uint8Array | undefined {
    const r = this.db.query<{ lfdb: Uint8Array; hash: Uint8Array }, [Uint8Array]>("SELECT lfdb, hash FROM load_files WHERE aid = ?").get(aid);
    if (!r) return undefined;
    if (!sameAid(sha256(r.lfdb), r.hash)) throw new MemoryDamaged(`load file ${toHex(aid)} fails its SHA-256`);
    return u8(r.lfdb);
  }

  importsOf(loadFile: Uint8Array): ImportRecord[] {
    return this.db
      .query<{ aid: Uint8Array; major: number; minor: number }, [Uint8Array]>(
        "SELECT aid, major, minor FROM imports WHERE load_file = ? ORDER BY rowid",
      )
      .all(loadFile)
      .map((r) => ({ aid: u8(r.aid), major: r.major, minor: r.minor }));
  }

  /** Load files that import `aid`. */
  dependentsOf(aid: Uint8Array): Uint8Array[] {
    return this.db
      .query<{ load_file: Uint8Array }, [Uint8Array]>("SELECT DISTINCT load_file FROM imports WHERE aid = ?")
      .all(aid)
      .map((r) => u8(r.load_file));
  }

  addLoadFile(
    f: { aid: Uint8Array; major: number; minor: number; lifecycle: number; sdAid: Uint8Array; lfdb: Uint8Array },
    modules: { aid: Uint8Array; installOffset: number }[],
    imports: ImportRecord[],
  ): void {
    const s = this.store;
    s.put("load_files", { aid: f.aid, major: f.major, minor: f.minor, lifecycle: f.lifecycle, sd_aid: f.sdAid, lfdb: f.lfdb, hash: sha256(f.lfdb) });
    for (const m of modules) s.put("modules", { aid: m.aid, load_file: f.aid, install_offset: m.installOffset });
    for (const i of imports) s.put("imports", { load_file: f.aid, aid: i.aid, major: i.major, minor: i.minor });
  }

  deleteLoadFile(aid: Uint8Array): void {
    this.db.query("DELETE FROM modules WHERE load_file = ?").run(aid);
    this.db.query("DELETE FROM imports WHERE load_file = ?").run(aid);
    this.db.query("DELETE FROM load_files WHERE aid = ?").run(aid);
  }

  applications(): ApplicationRecord[] {
    return this.db.query<AppRow, []>("SELECT * FROM applications ORDER BY rowid").all().map(appOf);
  }

  application(aid: Uint8Array): ApplicationRecord | undefined {
    const r = this.db.query<AppRow, [Uint8Array]>("SELECT * FROM applications WHERE aid = ?").get(aid);
    return r ? appOf(r) : undefined;
  }

  instancesOf(loadFile: Uint8Array): ApplicationRecord[] {
    return this.db
      .query<AppRow, [Uint8Array]>("SELECT * FROM applications WHERE load_file = ? ORDER BY rowid")
      .all(loadFile)
      .map(appOf);
  }

  addApplication(a: ApplicationRecord): void {
    this.store.put("applications", {
      aid: a.aid,
      load_file: a.loadFile ?? null,
      module: a.module ?? null,
      privileges: a.privileges,
      lifecycle: a.lifecycle,
      params: a.params,
      sd_aid: a.sdAid,
      builtin: a.builtin ? 1 : 0,
    });
  }

  setApplication(aid: Uint8Array, changes: { lifecycle?: number; privileges?: Uint8Array }): void {
    const a = this.application(aid);
    if (!a) return;
    this.addApplication({ ...a, ...(changes.lifecycle !== undefined ? { lifecycle: changes.lifecycle } : {}), ...(changes.privileges ? { privileges: changes.privileges } : {}) });
  }

  /** Associate an application or a load file with another security domain (INSTALL [for extradition]). */
  setSecurityDomain(aid: Uint8Array, sd: Uint8Array): void {
    const a = this.application(aid);
    if (a) return this.addApplication({ ...a, sdAid: sd });
    const row = this.db.query<Record<string, Uint8Array | number>, [Uint8Array]>("SELECT * FROM load_files WHERE aid = ?").get(aid);
    if (!row) return;
    const { crc: _crc, ...fields } = row;
    this.store.put("load_files", { ...fields, sd_aid: sd });
  }

  deleteApplication(aid: Uint8Array): void {
    this.db.query("DELETE FROM applications WHERE aid = ?").run(aid);
    this.db.query("DELETE FROM app_data WHERE app = ?").run(aid);
  }

  /** Bytes of every application's own data (AppContext.store), counted against memory. */
  appDataBytes(): number {
    const r = this.db.query<{ n: number | null }, []>("SELECT sum(length(value) + length(key)) AS n FROM app_data").get();
    return r?.n ?? 0;
  }

  /** Bytes of stored load files. */
  loadFileBytes(): number {
    const r = this.db.query<{ n: number | null }, []>("SELECT sum(length(lfdb)) AS n FROM load_files").get();
    return r?.n ?? 0;
  }
}

/** AIDs compare byte by byte. */
export function sameAid(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
