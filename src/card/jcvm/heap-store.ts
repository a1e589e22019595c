/**
 * The JCVM heap in the card's SQLite memory (JCRE 3.0.5 §6.1: persistent
 * objects live until unreachable), in the heap tables of the card memory
 * (store/schema.ts HEAP_SCHEMA), every row written with its checksum
 * (store/rows.ts): objects by id, applet instances (AID → package and
 * object), each package's static field image. Objects are read on first use; after
 * each command the objects it created or changed and that are reachable
 * from an applet or a static field are written, and unreachable ones are
 * deleted (garbage collection, and deletion of an applet's objects). The
 * writes happen inside the command's SQLite transaction, so a command is
 * atomic and a tear leaves the state before it.
 */
import type { Database } from "bun:sqlite";
import { toHex } from "../../stack/bytes.ts";
import { encode, fill, shell, type ClassFinder, type Stored } from "./heap-codec.ts";
import { idsAbove, JArray, JObject, type Ref } from "./model.ts";
import { sizeOf } from "./vm.ts";
import type { StaticImage } from "./model.ts";
import { Rows } from "../store/rows.ts";


export class HeapStore {
  private readonly objects = new Map<number, JObject | JArray>();
  private readonly sizes = new Map<number, number>();
  private rows: Map<number, { stored: Stored; bytes: Uint8Array | null }> | undefined;
  private storedBytes = 0;
  private pendingBytes = 0;
  readonly dirty = new Set<JObject | JArray | StaticImage>();
  private generation = 0;
  /** A row of the applet or statics tables changed since the last write. */
  private touched = false;

  private readonly rowsOut: Rows;

  constructor(
    private readonly db: Database,
    private readonly find: ClassFinder,
  ) {
    this.rowsOut = new Rows(db);
    const max = db.query<{ m: number | null }, []>("SELECT max(id) AS m FROM jcvm_objects").get()?.m ?? 0;
    idsAbove(max);
    this.storedBytes = db.query<{ n: number | null }, []>("SELECT sum(size) AS n FROM jcvm_objects").get()?.n ?? 0;
    this.generation = this.readGeneration();
  }

  private readGeneration(): number {
    return this.db.query<{ generation: number }, []>("SELECT generation FROM jcvm_state WHERE id = 1").get()?.generation ?? 0;
  }

  /** Did the card's memory change under us (a command's transaction rolled back after we wrote)? */
  stale(): boolean {
    return this.readGeneration() !== this.generation;
  }

  /** Persistent bytes of the heap: stored objects plus those created since the last write. */
  usedBytes(): number {
    return this.storedBytes + this.pendingBytes;
  }

  reserve(bytes: number): void {
    this.pendingBytes += bytes;
  }

  /** The object with this id, read from the memory on first use. */
  get(id: number): JObject | JArray | undefined {
    const known = this.objects.get(id);
    if (known) return known;
    this.rows ??= this.readRows();
    const row = this.rows.get(id);
    if (!row) return undefined;
    const target = shell(id, row.stored, this.find);
    this.objects.set(id, target);
    this.sizes.set(id, sizeOf(target));
    fill(target, row.stored, row.bytes, (r) => this.get(r));
    return target;
  }

  private readRows(): Map<number, { stored: Stored; bytes: Uint8Array | null }> {
    const out = new Map<number, { stored: Stored; bytes: Uint8Array | null }>();
    for (const r of this.db.query<{ id: number; data: string; bytes: Uint8Array | null }, []>("SELECT id, data, bytes FROM jcvm_objects").all()) {
      out.set(r.id, { stored: JSON.parse(r.data) as Stored, bytes: r.bytes ? new Uint8Array(r.bytes) : null });
    }
    return out;
  }

  loaded(): Iterable<JObject | JArray> {
    return this.objects.values();
  }

  /** A new object (kept once reachable at the next write). */
  created(target: JObject | JArray): void {
    this.objects.set(target.id, target);
    this.dirty.add(target);
  }

  applet(aid: Uint8Array): { pkg: Uint8Array; object: number } | undefined {
    const r = this.db.query<{ package: Uint8Array; object: number }, [Uint8Array]>("SELECT package, object FROM jcvm_applets WHERE aid = ?").get(aid);
    return r ? { pkg: new Uint8Array(r.package), object: r.object } : undefined;
  }

  appletAids(): Uint8Array[] {
    return this.db.query<{ aid: Uint8Array }, []>("SELECT aid FROM jcvm_applets").all().map((r) => new Uint8Array(r.aid));
  }

  saveApplet(aid: Uint8Array, pkg: Uint8Array, object: JObject): void {
    this.rowsOut.put("jcvm_applets", { aid, package: pkg, object: object.id });
    this.touched = true;
  }

  deleteApplet(aid: Uint8Array): void {
    if (this.db.query("DELETE FROM jcvm_applets WHERE aid = ?").run(aid).changes > 0) this.touched = true;
  }

  /** A package's static image as stored: references resolved, primitive bytes. */
  statics(pkgAid: string): { refs: Ref[]; prim: Uint8Array } | undefined {
    const r = this.db.query<{ refs: string; prim: Uint8Array }, [Uint8Array]>("SELECT refs, prim FROM jcvm_statics WHERE package = ?").get(hexBytes(pkgAid));
    if (!r) return undefined;
    const ids = JSON.parse(r.refs) as (number | null)[];
    return { refs: ids.map((id) => (id === null ? null : (this.get(id) ?? null))), prim: new Uint8Array(r.prim) };
  }

  staticPackages(): string[] {
    return this.db.query<{ package: Uint8Array }, []>("SELECT package FROM jcvm_statics").all().map((r) => toHex(new Uint8Array(r.package)));
  }

  deleteStatics(pkgAid: Uint8Array): void {
    if (this.db.query("DELETE FROM jcvm_statics WHERE package = ?").run(pkgAid).changes > 0) this.touched = true;
  }

  /**
   * Write what changed and is reachable from `roots` (applet objects, static
   * images); delete stored objects no root reaches. `roots` must cover every
   * applet and package on the card (the caller loads them first).
   */
  flush(applets: JObject[], packages: StaticImage[]): void {
    const reachable = new Set<number>();
    const stack: (JObject | JArray)[] = [];
    const visit = (r: Ref) => {
      if (r && !reachable.has(r.id)) {
        reachable.add(r.id);
        stack.push(r);
      }
    };
    applets.forEach(visit);
    for (const p of packages) p.statics.refs.forEach(visit);
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (t instanceof JObject) for (const f of t.fields) if (typeof f === "object") visit(f);
      if (t instanceof JArray && t.kind === "L") (t.data as Ref[]).forEach(visit);
    }
    this.rows ??= this.readRows();
    const garbage = [...new Set([...this.rows.keys(), ...this.sizes.keys()])].filter((id) => !reachable.has(id));
    const writes = [...this.dirty].filter((d) => !(d instanceof JObject || d instanceof JArray) || reachable.has(d.id));
    // Nothing to write: leave the memory (and its generation) as it is, so a refused command changes nothing.
    if (writes.length === 0 && garbage.length === 0 && !this.touched) {
      this.dirty.clear();
      this.pendingBytes = 0;
      return;
    }
    for (const d of writes) {
      if (d instanceof JObject || d instanceof JArray) {
        if (!reachable.has(d.id)) continue;
        const size = sizeOf(d);
        const { stored, bytes } = encode(d);
        this.rowsOut.put("jcvm_objects", { id: d.id, size, data: JSON.stringify(stored), bytes });
        this.storedBytes += size - (this.sizes.get(d.id) ?? 0);
        this.sizes.set(d.id, size);
      } else {
        const refs = JSON.stringify(d.statics.refs.map((r) => r?.id ?? null));
        this.rowsOut.put("jcvm_statics", { package: hexBytes(d.aidHex), refs, prim: d.statics.prim });
      }
    }
    this.dirty.clear();
    this.pendingBytes = 0;
    // Garbage: stored (or known) objects no root reaches any more.
    const del = this.db.query("DELETE FROM jcvm_objects WHERE id = ?");
    for (const id of garbage) {
      del.run(id);
      this.sizes.delete(id);
      this.rows.delete(id);
      this.objects.delete(id);
    }
    this.storedBytes = this.db.query<{ n: number | null }, []>("SELECT sum(size) AS n FROM jcvm_objects").get()?.n ?? 0;
    this.touched = false;
    this.generation++;
    this.rowsOut.put("jcvm_state", { id: 1, generation: this.generation });
  }
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}
