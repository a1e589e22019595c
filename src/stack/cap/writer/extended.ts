/**
 * Write an extended CAP file (CAP 2.3, Header flag ACC_EXTENDED, JCVM 3.1
 * chapter 6): several applet packages in one file under a CAP AID, their
 * methods in Method component blocks of at most 64 KB each, so a file may
 * pass 64 KB. The classes are the minimal applet of bytecode.ts; every
 * package shares the file's components, as the format has it (one Class,
 * one Method, one ConstantPool...; the Descriptor describes each package).
 *
 * Constant pool (4 bytes an entry, JCVM 3.1 §6.8):
 *   0  StaticMethodref external javacard.framework.Applet.<init>
 *   1  VirtualMethodref external Applet.register(byte[],short,byte)
 *   2+2g  Classref internal: class g (over all packages)
 *   3+2g  StaticMethodref internal: u1 method block | u2 offset of class g's constructor
 * Method blocks: block p holds package p's methods (constructor, install, process
 * of each class); a package's `padding` goes into further blocks of never-called methods.
 */
import { zipSync } from "fflate";
import { concat, toHex, u16, uintBytes } from "../../bytes.ts";
import { COMPONENT } from "../components.ts";
import { directoryLayout } from "../directory.ts";
import { MAX_METHOD_BLOCK, MAX_METHOD_BLOCKS } from "../method-blocks.ts";
import { constructorCode, installCode, paddingCode, processCode, type MethodCode } from "./bytecode.ts";
import { ACC, NIBBLE, NO_TOKEN, typeDescriptor } from "./descriptor.ts";
import { manifestAid, wrap } from "./write-cap.ts";
import { normalize, type ProcessBody } from "./spec.ts";
import { isAidLength } from "../../aid.ts";

export interface ExtendedPackageSpec {
  packageAid: Uint8Array;
  packageName: string;
  packageVersion?: { major: number; minor: number };
  /** Applet classes; may be empty for a library package. */
  applets: { aid: Uint8Array; className: string }[];
  /** Bytes of never-called methods, in extra Method blocks (for files over 64 KB); needs an applet. */
  padding?: number;
  /**
   * A public library class (class token 0, extends java.lang.Object) whose public
   * static short get() (method token 0) returns `value`, in the Export component.
   */
  library?: { value: number };
}

export interface ExtendedCapSpec {
  capAid: Uint8Array;
  capVersion?: { major: number; minor: number };
  packages: ExtendedPackageSpec[];
  /** Imported packages in token order; must include javacard.framework. Default: framework 1.2, java.lang 1.0. */
  imports?: { aid: Uint8Array; major: number; minor: number }[];
  /**
   * Every applet's process(APDU), as in CapSpec: constant pool entry 2 + 2 × (classes in the file)
   * is VirtualMethodref to class 0's process, then `constants` follow.
   */
  process?: ProcessBody;
  /** Extra constant pool entries (4 bytes each) after the builder's own and the process reference. */
  constants?: Uint8Array[];
}

/** javacard.framework tokens (as in components.ts). */
const FW = { APPLET_CLASS: 3, APPLET_INIT: 0, REGISTER_BSB: 2, PROCESS: 7 } as const;
const CP = { Classref: 1, VirtualMethodref: 3, StaticMethodref: 6 } as const;
const FLAGS = { ACC_EXPORT: 0x02, ACC_APPLET: 0x04, ACC_EXTENDED: 0x08 } as const;
const JAVA_LANG = "A0000000620001";
/** sspush, sreturn (JCVM 3.1 §7.5). */
const OP = { sspush: 0x11, sreturn: 0x78 } as const;
const MTIME = new Date("2020-01-01T00:00:00Z");

interface Placed { block: number; at: number; code: MethodCode }
interface ClassPlan { pkg: number; offset: number; ctor: Placed; install: Placed; process: Placed; padding: Placed[] }
interface LibraryPlan { pkg: number; offset: number; get: Placed }

/** Build an extended CAP file (ZIP bytes) for `spec`. A bad spec is a caller bug (RangeError). */
export function writeExtendedCap(spec: ExtendedCapSpec): Uint8Array {
  const components = layoutExtended(spec);
  const first = spec.packages[0]!;
  const dir = `${first.packageName.replaceAll(".", "/")}/javacard/`;
  const files: Record<string, [Uint8Array, { mtime: Date }]> = {};
  files["META-INF/MANIFEST.MF"] = [new TextEncoder().encode(manifest(spec)), { mtime: MTIME }];
  for (const [name, bytes] of components) {
    // Components with a u4 size are .capx files (JCVM 3.1 §6.1).
    const ext = ["Method", "RefLocation", "Descriptor"].includes(name) ? "capx" : "cap";
    files[`${dir}${name}.${ext}`] = [bytes, { mtime: MTIME }];
  }
  return zipSync(files, { level: 6, mtime: MTIME });
}

/** The components of the extended file, by name (Descriptor included; Export with library classes; no Debug or StaticResources). */
export function layoutExtended(spec: ExtendedCapSpec): Map<string, Uint8Array> {
  if (spec.packages.length === 0 || spec.packages.length > 255) throw new RangeError(`An extended CAP holds 1 to 255 packages, not ${spec.packages.length}`);
  // Each package checked as a compact one would be (a library package with a stand-in applet); the imports are the file's.
  const pkgs = spec.packages.map((p) => {
    if (p.applets.length === 0 && !p.library) throw new RangeError(`Package ${p.packageName} has neither applets nor a library class`);
    const applets = p.applets.length > 0 ? p.applets : [{ aid: p.packageAid, className: "Library" }];
    return { ...normalize({ ...p, applets, imports: spec.imports, format: "2.3" }), applets: p.applets };
  });
  if (!isAidLength(spec.capAid.length)) throw new RangeError(`The CAP AID has ${spec.capAid.length} bytes: an AID has 5 to 16`);
  const imports = pkgs[0]!.imports;
  const fw = 0x80 | pkgs[0]!.frameworkToken;
  const capVersion = spec.capVersion ?? { major: 1, minor: 0 };

  // Class component: u2 signature_pool_length 0, then class_info_extended (JCVM 3.1 §6.9): the
  // public_virtual_method_table entries are u1 block index + u2 offset; then the 2.3 token mapping.
  const publicTokens = FW.PROCESS + 1;
  const CLASS_INFO = 10 + 3 + publicTokens + 1;
  const classes: ClassPlan[] = [];
  const libraries: Omit<LibraryPlan, "offset">[] = [];
  const blocks: { methods: Placed[] }[] = [];
  pkgs.forEach((p, pi) => {
    const block = blocks.length;
    const methods: Placed[] = [];
    let at = 1; // after the block's u1 handler_count
    const place = (code: MethodCode): Placed => {
      const m = { block, at, code };
      methods.push(m);
      at += code.bytes.length;
      return m;
    };
    blocks.push({ methods });
    p.applets.forEach(() => {
      const g = classes.length;
      const ctor = place(constructorCode(0, 1));
      const install = place(installCode(2 + 2 * g, 3 + 2 * g));
      const process = place(processCode(spec.process));
      classes.push({ pkg: pi, offset: 2 + g * CLASS_INFO, ctor, install, process, padding: [] });
    });
    const library = spec.packages[pi]!.library;
    if (library) libraries.push({ pkg: pi, get: place(getCode(library.value)) });
    if (at > MAX_METHOD_BLOCK) throw new RangeError(`Package ${pi}'s methods take ${at} bytes, over a block's ${MAX_METHOD_BLOCK}`);
    // Padding: blocks of one never-called method each, as large as a block allows.
    const owner = classes.find((c) => c.pkg === pi);
    if (p.padding > 0 && !owner) throw new RangeError(`Padding needs an applet class in package ${p.packageName}`);
    for (let left = p.padding; owner && left > 0; ) {
      const size = Math.max(3, Math.min(left, MAX_METHOD_BLOCK - 1));
      const m = { block: blocks.length, at: 1, code: paddingCode(size) };
      blocks.push({ methods: [m] });
      owner.padding.push(m);
      left -= size;
    }
  });
  if (blocks.length > MAX_METHOD_BLOCKS) throw new RangeError(`The file would have ${blocks.length} method blocks, over ${MAX_METHOD_BLOCKS}`);

  // Library classes follow the applet classes in the Class component.
  const LIBRARY_INFO = 12;
  const libs: LibraryPlan[] = libraries.map((l, k) => ({ ...l, offset: 2 + classes.length * CLASS_INFO + k * LIBRARY_INFO }));
  const lang = imports.findIndex((i) => toHex(i.aid) === JAVA_LANG);
  if (libs.length > 0 && lang < 0) throw new RangeError("A library class extends java.lang.Object: the imports must include java.lang (A0000000620001)");
  const ref = (m: Placed) => concat(m.block, u16(m.at));
  const cpEntries: Uint8Array[] = [
    Uint8Array.of(CP.StaticMethodref, fw, FW.APPLET_CLASS, FW.APPLET_INIT),
    Uint8Array.of(CP.VirtualMethodref, fw, FW.APPLET_CLASS, FW.REGISTER_BSB),
    ...classes.flatMap((c) => [concat(CP.Classref, u16(c.offset), 0), concat(CP.StaticMethodref, ref(c.ctor))]),
    ...(spec.process ? [concat(CP.VirtualMethodref, u16(classes[0]!.offset), FW.PROCESS)] : []),
  ];
  for (const c of spec.constants ?? []) {
    if (c.length !== 4) throw new RangeError(`A constant pool entry has 4 bytes, not ${c.length}`);
    cpEntries.push(c);
  }
  const classInfo = concat(
    u16(0),
    ...classes.map((c) => concat(
      0x00, fw, FW.APPLET_CLASS, // flags, no interfaces; super_class_ref javacard.framework.Applet
      0, 0xff, 0, // declared_instance_size, first_reference_token, reference_count
      FW.PROCESS, 1, 0, 0, // public table base 7 and count 1 (process); no package table
      ref(c.process),
      Uint8Array.from({ length: publicTokens }, (_, t) => t), publicTokens,
    )),
    // java.lang.Object's subclass adding no virtual method: public base 1 (equals), count 0; token 0 maps to itself.
    ...libs.map(() => concat(0x00, 0x80 | lang, 0, 0, 0xff, 0, 1, 0, 0, 0, 0, 1)),
  );
  const blockBytes = blocks.map((b) => concat(0, ...b.methods.map((m) => m.code.bytes)));
  const first = 1 + 4 * blockBytes.length;
  const offsets: number[] = [];
  blockBytes.reduce((o, b) => (offsets.push(o), o + b.length), first);
  const methodInfo = concat(blockBytes.length, ...offsets.map((o) => uintBytes(o, 4)), ...blockBytes);

  const applets = pkgs.flatMap((p, pi) => p.applets.map((a, i) => ({ a, c: classes.filter((c) => c.pkg === pi)[i]! })));
  const flags = (applets.length > 0 ? FLAGS.ACC_APPLET : 0) | (libs.length > 0 ? FLAGS.ACC_EXPORT : 0);
  const out = new Map<string, Uint8Array>();
  out.set("Header", compact(COMPONENT.Header, headerInfo(spec, pkgs, capVersion, flags)));
  out.set("Import", compact(COMPONENT.Import, concat(imports.length, ...imports.map((i) => concat(i.minor, i.major, i.aid.length, i.aid)))));
  if (applets.length > 0) out.set("Applet", compact(COMPONENT.Applet, concat(applets.length, ...applets.map(({ a, c }) => concat(a.aid.length, a.aid, ref(c.install))))));
  // Export (JCVM 3.1 §6.13): per public package its exported classes; static methods as block index + offset.
  if (libs.length > 0) {
    out.set("Export", compact(COMPONENT.Export, concat(pkgs.length, ...pkgs.map((_, pi) => {
      const own = libs.filter((l) => l.pkg === pi);
      return concat(own.length, ...own.map((l) => concat(u16(l.offset), 0, 1, ref(l.get))));
    }))));
  }
  out.set("Class", compact(COMPONENT.Class, classInfo));
  out.set("Method", wide(COMPONENT.Method, methodInfo));
  out.set("StaticField", compact(COMPONENT.StaticField, new Uint8Array(10))); // empty image, no arrays, no values
  out.set("ConstantPool", compact(COMPONENT.ConstantPool, concat(u16(cpEntries.length), ...cpEntries)));
  out.set("RefLocation", wide(COMPONENT.RefLocation, refLocationInfo(blocks)));
  out.set("Descriptor", wide(COMPONENT.Descriptor, descriptorInfo(pkgs.length, classes, libs, cpEntries.length, fw, spec.process !== undefined)));
  out.set("Directory", compact(COMPONENT.Directory, directoryInfo(out, imports.length, applets.length, blocks.length)));
  return out;
}

/** public static short get() { return value; } */
function getCode(value: number): MethodCode {
  if (!Number.isInteger(value) || value < -32768 || value > 0xffff) throw new RangeError(`A library value is a short, not ${value}`);
  return { bytes: concat(0x01, 0x00, OP.sspush, u16(value & 0xffff), OP.sreturn), cpRefs: [], bytecodeCount: 4 };
}

function compact(tag: number, info: Uint8Array): Uint8Array {
  if (info.length > 0xffff) throw new RangeError(`Component ${tag} would have ${info.length} bytes, over a u2 size`);
  return concat(tag, u16(info.length), info);
}

function wide(tag: number, info: Uint8Array): Uint8Array {
  return concat(tag, uintBytes(info.length, 4), info);
}

/** header_component_extended (JCVM 3.1 §6.4). */
function headerInfo(spec: ExtendedCapSpec, pkgs: ReturnType<typeof normalize>[], v: { major: number; minor: number }, flags: number): Uint8Array {
  const names = pkgs.map((p) => new TextEncoder().encode(p.packageName.replaceAll(".", "/")));
  return concat(
    Uint8Array.of(0xde, 0xca, 0xff, 0xed), 3, 2, flags | FLAGS.ACC_EXTENDED,
    v.minor, v.major, spec.capAid.length, spec.capAid,
    pkgs.length,
    ...pkgs.map((p) => concat(p.packageVersion.minor, p.packageVersion.major, p.packageAid.length, p.packageAid)),
    ...names.map((n) => concat(n.length, n)),
  );
}

/**
 * reference_location_component_extended: u1 block count, then per Method block
 * u2 byte_index_count | u1 offsets[] | u2 byte2_index_count | u1 offsets[],
 * offsets as deltas inside the block (0xFF: 255 further, no reference; JCVM 3.1 §6.12).
 */
function refLocationInfo(blocks: { methods: Placed[] }[]): Uint8Array {
  return concat(blocks.length, ...blocks.map((b) => {
    const deltas: number[] = [];
    let last = 0;
    for (const at of b.methods.flatMap((m) => m.code.cpRefs.map((r) => m.at + r))) {
      let d = at - last;
      for (; d > 255; d -= 255) deltas.push(0xff);
      deltas.push(d);
      last = at;
    }
    return concat(u16(0), u16(deltas.length), Uint8Array.from(deltas));
  }));
}

/**
 * descriptor_component_extended (JCVM 3.1 §6.14): u1 package_count, per package u1 class_count and
 * its class descriptors (method descriptors carry u1 method_component_block_index before
 * u2 method_offset), then the file's one type_descriptor_info.
 */
function descriptorInfo(packages: number, classes: ClassPlan[], libs: LibraryPlan[], cpCount: number, fw: number, processRef: boolean): Uint8Array {
  const pool = [
    typeDescriptor([NIBBLE.short]),
    typeDescriptor([NIBBLE.void]),
    typeDescriptor([NIBBLE.byteArray, NIBBLE.short, NIBBLE.byte, NIBBLE.void]),
    typeDescriptor([NIBBLE.reference, fw >> 4, fw & 15, 0x0, 0xa /* APDU class token 10 */, NIBBLE.void]),
  ];
  const at: number[] = [];
  pool.reduce((o, t) => (at.push(o), o + t.length), 2 + 2 * cpCount);
  const [SHORT, VOID, INIT, PROCESS] = at as [number, number, number, number];
  // Types of the constant pool entries: FFFF for class refs and for the extra constants (cards do not load the Descriptor).
  const cpTypes = [VOID, INIT, ...classes.flatMap(() => [0xffff, INIT]), ...(processRef ? [PROCESS] : [])];
  while (cpTypes.length < cpCount) cpTypes.push(0xffff);
  const method = (token: number, flags: number, m: Placed, type: number) =>
    concat(token, flags, m.block, u16(m.at), u16(type), u16(m.code.bytecodeCount), u16(0), u16(0));
  const perPackage = Array.from({ length: packages }, (_, p) => {
    const own = classes.filter((c) => c.pkg === p);
    const lib = libs.filter((l) => l.pkg === p);
    // The library class is the package's public class token 0; applet classes are not exported (any token does).
    const libDescriptors = lib.map((l) => concat(0, ACC.PUBLIC, u16(l.offset), 0, u16(0), u16(1), method(0, ACC.PUBLIC | ACC.STATIC, l.get, SHORT)));
    return concat(own.length + lib.length, ...libDescriptors, ...own.map((c, i) => {
      const token = lib.length + i;
      const methods = [
        method(NO_TOKEN, ACC.PRIVATE | ACC.INIT, c.ctor, INIT),
        method(0, ACC.PUBLIC | ACC.STATIC, c.install, INIT),
        method(FW.PROCESS, ACC.PUBLIC, c.process, PROCESS),
        ...c.padding.map((m) => method(NO_TOKEN, ACC.PRIVATE | ACC.STATIC, m, VOID)),
      ];
      return concat(token, ACC.PUBLIC, u16(c.offset), 0, u16(0), u16(methods.length), ...methods);
    }));
  });
  return concat(packages, ...perPackage, u16(cpCount), ...cpTypes.map(u16), ...pool);
}

/** directory_component_extended (JCVM 3.1 §6.5): sizes (directory.ts), static field sizes, counts. */
function directoryInfo(components: Map<string, Uint8Array>, imports: number, applets: number, blocks: number): Uint8Array {
  const { fields, end } = directoryLayout("2.3", true);
  const own = end - 3 + 6 + 4; // sizes, static_field_size_info, 4 counts
  const sizes = fields.map(({ tag, width }) => {
    const name = Object.entries(COMPONENT).find(([, t]) => t === tag)![0];
    const c = components.get(name);
    const size = tag === COMPONENT.Directory ? own : c ? c.length - 1 - width : 0;
    return uintBytes(size, width);
  });
  return concat(...sizes, new Uint8Array(6), imports, applets, blocks, 0);
}

function manifest(spec: ExtendedCapSpec): string {
  const lines = ["Manifest-Version: 1.0", "Created-By: webcard CAP builder", "Java-Card-CAP-File-Version: 2.3", `Java-Card-CAP-AID: ${manifestAid(spec.capAid)}`, ""];
  let n = 0;
  for (const p of spec.packages) {
    lines.push(`Name: ${p.packageName.replaceAll(".", "/")}`, `Java-Card-Package-Name: ${p.packageName}`, `Java-Card-Package-AID: ${manifestAid(p.packageAid)}`);
    for (const a of p.applets) {
      n++;
      lines.push(`Java-Card-Applet-${n}-Name: ${a.className}`, `Java-Card-Applet-${n}-AID: ${manifestAid(a.aid)}`);
    }
    lines.push("");
  }
  return lines.flatMap(wrap).join("\r\n") + "\r\n";
}
