/**
 * The GlobalPlatform registry (GP 2.3.1 section 5 and 11.4) in the card's
 * memory: load files with their modules and imports, application instances.
 * Plain reads and writes; the ISD decides what is allowed.
 */
import type { CardStore } from "./store.ts";

export interface LoadFileRecord {
  aid: Uint8Array;
  major: number;
  minor: number;
  lifecycle: number;
  sdAid: Uint8Array;
  /** Bytes of the stored load file data block (counted against memory). */
  size: number;
  modules: Uint8Array[];
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
      .query<{ aid: Uint8Array; major: number; minor: number; lifecycle: number; sd_aid: Uint8Array; size: number }, []>(
        "SELECT aid, major, minor, lifecycle, sd_aid, length(lfdb) AS size FROM load_files ORDER BY rowid",
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
    }));
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

  lfdb(aid: Uint8Array): Uint8Array | undefined {
    const r = this.db.query<{ lfdb: Uint8Array }, [Uint8Array]>("SELECT lfdb FROM load_files WHERE aid = ?").get(aid);
    return r ? u8(r.lfdb) : undefined;
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
    this.db
      .query("INSERT INTO load_files (aid, major, minor, lifecycle, sd_aid, lfdb) VALUES (?, ?, ?, ?, ?, ?)")
      .run(f.aid, f.major, f.minor, f.lifecycle, f.sdAid, f.lfdb);
    const mod = this.db.query("INSERT INTO modules (aid, load_file, install_offset) VALUES (?, ?, ?)");
    for (const m of modules) mod.run(m.aid, f.aid, m.installOffset);
    const imp = this.db.query("INSERT INTO imports (load_file, aid, major, minor) VALUES (?, ?, ?, ?)");
    for (const i of imports) imp.run(f.aid, i.aid, i.major, i.minor);
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
    this.db
      .query(
        "INSERT INTO applications (aid, load_file, module, privileges, lifecycle, params, sd_aid, builtin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(a.aid, a.loadFile ?? null, a.module ?? null, a.privileges, a.lifecycle, a.params, a.sdAid, a.builtin ? 1 : 0);
  }

  setApplication(aid: Uint8Array, changes: { lifecycle?: number; privileges?: Uint8Array }): void {
    if (changes.lifecycle !== undefined) {
      this.db.query("UPDATE applications SET lifecycle = ? WHERE aid = ?").run(changes.lifecycle, aid);
    }
    if (changes.privileges !== undefined) {
      this.db.query("UPDATE applications SET privileges = ? WHERE aid = ?").run(changes.privileges, aid);
    }
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
