/**
 * A package loaded on the card as the JCVM runs it: its components parsed
 * once, its classes as JClass objects, its static field image, and its
 * imports linked to the card's packages by AID (the Java Card API natively,
 * other loaded packages through their Export component), JCVM 3.0.5 §4.5.
 */
import { toHex } from "../../stack/bytes.ts";
import { parseHeader } from "../../stack/cap/header.ts";
import { parseAppletComponent, parseImportComponent, type AppletEntry, type ImportEntry } from "../../stack/cap/applets-imports.ts";
import { HEADER_FLAG } from "../../stack/cap/components.ts";
import { parseClassComponent, CLASS_FLAG, type ClassEntry, type ClassInfo } from "../../stack/cap/vm/class-component.ts";
import { parseConstantPool, type ClassRef, type CpEntry } from "../../stack/cap/vm/constant-pool.ts";
import { parseMethodComponent, parseMethodComponentExtended, type MethodComponent } from "../../stack/cap/vm/method-component.ts";
import { parseStaticField, type StaticFieldImage } from "../../stack/cap/vm/static-field.ts";
import { parseExportComponent, parseExportComponentExtended, type ClassExport } from "../../stack/cap/vm/export-component.ts";
import { walkComponents } from "../../stack/cap/walk.ts";
import { FormatError } from "../../stack/errors.ts";
import type { ApiPackageClasses, Context, JClass, Ref, StaticImage, Value } from "./model.ts";

/** An imported package: the API natively, or a loaded package with the exports of the imported package (one of several in an extended file). */
export type LinkedImport = { kind: "api"; pkg: ApiPackageClasses } | { kind: "cap"; pkg: ExecPackage; exports: readonly ClassExport[] };

/** What a package's imports resolve against: the card's API and its loaded packages. */
export type ImportResolver = (entry: ImportEntry) => LinkedImport | undefined;

export class ExecPackage implements StaticImage {
  readonly aidHex: string;
  readonly context: Context;
  readonly usesInt: boolean;
  readonly cp: readonly CpEntry[];
  readonly classes: ReadonlyMap<number, ClassEntry>;
  readonly method: MethodComponent;
  readonly staticImage: StaticFieldImage;
  readonly exports: readonly ClassExport[];
  /** Exports by package AID (hex): the one package of a compact file, each public package of an extended one. */
  readonly exportsByPackage: ReadonlyMap<string, readonly ClassExport[]>;
  readonly applets: readonly AppletEntry[];
  readonly importEntries: readonly ImportEntry[];
  private imports: LinkedImport[] = [];
  private readonly jclasses = new Map<number, JClass>();
  /** Resolved constant pool entries, filled on first use by the interpreter. */
  readonly resolved: unknown[];
  /** The static field image (§6.11): references, then primitive bytes (big-endian). */
  statics: { refs: Ref[]; prim: Uint8Array } = { refs: [], prim: new Uint8Array(0) };

  constructor(lfdb: Uint8Array) {
    // An extended file (JCVM 3.1 §6.4) has u4 sizes and Method blocks: its method references become offsets of the joined blocks.
    const extended = lfdb.length > 9 && (lfdb[9]! & HEADER_FLAG.ACC_EXTENDED) !== 0;
    const parts = new Map<string, Uint8Array>(walkComponents(lfdb, extended).map((c) => [c.name, c.bytes] as const));
    const need = (name: string) => {
      const c = parts.get(name);
      if (!c) throw new FormatError(`the load file has no ${name} component`);
      return c;
    };
    const header = parseHeader(need("Header"));
    this.aidHex = toHex(header.packageAid);
    this.context = this.aidHex;
    this.usesInt = (header.flags & HEADER_FLAG.ACC_INT) !== 0;
    const joined = extended ? parseMethodComponentExtended(need("Method")) : undefined;
    const method = joined ?? parseMethodComponent(need("Method"));
    const methodAt = joined?.methodAt;
    this.cp = parseConstantPool(need("ConstantPool"), methodAt);
    this.classes = parts.has("Class") ? parseClassComponent(need("Class"), header.capVersion.minor, methodAt) : new Map();
    this.method = method;
    this.staticImage = parseStaticField(need("StaticField"));
    // An extended file exports per public package, in the Header's order (JCVM 3.1 §6.13).
    const perPackage = parts.has("Export") ? (methodAt ? parseExportComponentExtended(parts.get("Export")!, methodAt) : [parseExportComponent(parts.get("Export")!)]) : [];
    this.exports = methodAt ? [] : (perPackage[0] ?? []);
    this.exportsByPackage = new Map(header.packages.map((p, i) => [toHex(p.aid), perPackage[i] ?? []] as const));
    const applets = parts.has("Applet") ? parseAppletComponent(parts.get("Applet")!, extended) : [];
    this.applets = methodAt ? applets.map((a) => ({ ...a, installMethodOffset: methodAt(a.installMethodBlock ?? 0, a.installMethodOffset) })) : applets;
    this.importEntries = parseImportComponent(need("Import"));
    this.resolved = new Array(this.cp.length);
  }

  /** Read a static field: kind 0 reference, 1 byte (or boolean), 2 short, 3 int. */
  getStatic(offset: number, kind: number): Value {
    const { refs, prim } = this.statics;
    if (kind === 0) return refs[offset >> 1] ?? null;
    const p = offset - refs.length * 2;
    if (kind === 1) return (prim[p]! << 24) >> 24;
    if (kind === 2) return (((prim[p]! << 8) | prim[p + 1]!) << 16) >> 16;
    return (prim[p]! << 24) | (prim[p + 1]! << 16) | (prim[p + 2]! << 8) | prim[p + 3]!;
  }

  /** Write a static field (the VM logs it for transactions and persistence first). */
  setStatic(offset: number, kind: number, v: Value): void {
    const { refs, prim } = this.statics;
    if (kind === 0) {
      refs[offset >> 1] = v as Ref;
      return;
    }
    const n = v as number;
    const p = offset - refs.length * 2;
    if (kind === 1) prim[p] = n & 0xff;
    else if (kind === 2) {
      prim[p] = (n >> 8) & 0xff;
      prim[p + 1] = n & 0xff;
    } else {
      prim[p] = (n >>> 24) & 0xff;
      prim[p + 1] = (n >> 16) & 0xff;
      prim[p + 2] = (n >> 8) & 0xff;
      prim[p + 3] = n & 0xff;
    }
  }

  /** Link the imports (JCVM §4.5.2: same AID, same major, minor at least the imported one). */
  link(resolve: ImportResolver): void {
    this.imports = this.importEntries.map((entry) => {
      const found = resolve(entry);
      if (!found) throw new FormatError(`package ${this.aidHex} imports ${toHex(entry.aid)} ${entry.major}.${entry.minor}, which is not on the card`);
      return found;
    });
  }

  /** The class a class_ref names. */
  classOf(ref: ClassRef): JClass {
    if (ref.internal) return this.jclass(ref.offset);
    const imp = this.imports[ref.pkg];
    if (!imp) throw new FormatError(`package ${this.aidHex} refers to import ${ref.pkg}, it has ${this.imports.length}`);
    if (imp.kind === "api") {
      const c = imp.pkg.byToken.get(ref.token);
      if (!c) throw new FormatError(`${imp.pkg.name} has no class with token ${ref.token}`);
      return c;
    }
    const exp = imp.exports[ref.token];
    if (!exp) throw new FormatError(`package ${imp.pkg.aidHex} exports no class with token ${ref.token}`);
    return imp.pkg.jclass(exp.classOffset);
  }

  /** The import with that token. */
  importAt(token: number): LinkedImport {
    const imp = this.imports[token];
    if (!imp) throw new FormatError(`package ${this.aidHex} refers to import ${token}, it has ${this.imports.length}`);
    return imp;
  }

  /** The class or interface at `offset` of the Class component. */
  jclass(offset: number): JClass {
    const done = this.jclasses.get(offset);
    if (done) return done;
    const entry = this.classes.get(offset);
    if (!entry) throw new FormatError(`package ${this.aidHex} has no class at offset ${offset}`);
    let cls: JClass;
    if (entry.kind === "interface") {
      const supers = entry.superinterfaces.map((r) => this.classOf(r));
      cls = {
        name: `${this.aidHex}@${offset}`,
        isInterface: true,
        superclass: undefined,
        interfaces: [...new Set(supers.flatMap((s) => [s, ...s.interfaces]))],
        context: this.context,
        shareable: (entry.flags & CLASS_FLAG.ACC_SHAREABLE) !== 0,
      } as JClass;
    } else {
      const superclass = entry.superclass ? this.classOf(entry.superclass) : undefined;
      const own = entry.interfaces.map((i) => this.classOf(i.iface));
      const interfaces = [...new Set([...(superclass?.interfaces ?? []), ...own.flatMap((s) => [s, ...s.interfaces])])];
      cls = {
        name: `${this.aidHex}@${offset}`,
        isInterface: false,
        superclass,
        interfaces,
        context: this.context,
        cap: { info: entry as ClassInfo, fieldBase: instanceCells(superclass), pkg: this },
      };
    }
    this.jclasses.set(offset, cls);
    return cls;
  }
}

/** Instance cells of a class and all its superclasses (API classes keep their state natively: 0 cells). */
export function instanceCells(cls: JClass | undefined): number {
  let n = 0;
  for (let c = cls; c; c = c.superclass) if (c.cap) n += c.cap.info.declaredInstanceSize;
  return n;
}
