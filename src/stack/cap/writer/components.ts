/**
 * Lay out the components of a minimal applet package (JCVM 2.2.2 chapter 6).
 * Every offset one component takes from another is computed here, once.
 *
 * Constant pool (§6.7), 4 bytes an entry:
 *   0  StaticMethodref  external javacard.framework.Applet.<init>   (class token 3, method token 0)
 *   1  VirtualMethodref external Applet.register(byte[],short,byte) (virtual token 2)
 *   2+2i  Classref internal: class i
 *   3+2i  StaticMethodref internal: constructor of class i
 * Class i overrides Applet.process, public virtual token 7 (§6.8.1
 * public_method_table_base); classes.ts lays out the Class and Export
 * components (instance fields, the Shareable interface).
 */
import { concat, u16 } from "../../bytes.ts";
import { COMPONENT } from "../components.ts";
import { constructorCode, getSioCode, installCode, paddingCode, processCode, sharedCode, type MethodCode } from "./bytecode.ts";
import { descriptorComponent, type ClassLayout } from "./descriptor.ts";
import { classComponentInfo, exportInfo, FRAMEWORK, planClasses } from "./classes.ts";
import type { AssembledHandler } from "./assembler.ts";
import type { NormalSpec } from "./spec.ts";

/** Constant pool entry tags, JCVM 2.2.2 §6.7 Table 6-6. */
const CP = { Classref: 1, VirtualMethodref: 3, StaticMethodref: 6 } as const;

/** Array element type T_BYTE of array_init_info, JCVM 2.2.2 §6.10 Table 6-11. */
const T_BYTE = 11;
/** Java Card arrays are indexed by short: at most 32,767 elements. */
const MAX_ARRAY = 32767;
/** A compact component's u2 size caps its info at 65,535 bytes. */
const MAX_COMPONENT = 0xffff;
/** exception_handler_info: start, stop_bit|active_length, handler, catch type (§6.10). */
const HANDLER_SIZE = 8;

export type Components = Map<string, Uint8Array>;

export function component(tag: number, info: Uint8Array): Uint8Array {
  if (info.length > MAX_COMPONENT) {
    const name = Object.entries(COMPONENT).find(([, t]) => t === tag)?.[0];
    throw new RangeError(`The ${name} component would have ${info.length} bytes, over the ${MAX_COMPONENT} of a compact CAP: use less padding`);
  }
  return concat(tag, u16(info.length), info);
}

/** A method with its exception handlers (offsets from its first bytecode). */
interface Body {
  code: MethodCode;
  handlers: AssembledHandler[];
}

/**
 * The Method component info (§6.10): u1 handler_count, the handlers of every
 * method in method order, then the methods. Handler offsets are absolute
 * in the info; a handler's stop_bit is set when no later handler's range
 * contains its own.
 */
function methodComponentInfo(bodies: Body[]): { info: Uint8Array; offsets: number[]; firstHandler: number[] } {
  const count = bodies.reduce((n, b) => n + b.handlers.length, 0);
  if (count > 255) throw new RangeError(`A Method component holds at most 255 exception handlers, not ${count}`);
  const offsets: number[] = [];
  const firstHandler: number[] = [];
  let at = 1 + HANDLER_SIZE * count;
  let index = 0;
  const absolute: { start: number; end: number; handler: number; catchType: number }[] = [];
  for (const b of bodies) {
    offsets.push(at);
    firstHandler.push(index);
    const codeStart = at + 2; // after the 2-byte method header
    for (const h of b.handlers) absolute.push({ start: codeStart + h.start, end: codeStart + h.end, handler: codeStart + h.handler, catchType: h.catchType });
    index += b.handlers.length;
    at += b.code.bytes.length;
  }
  const table = absolute.map((h, i) => {
    const contained = absolute.slice(i + 1).some((o) => o.start <= h.start && h.end <= o.end);
    return concat(u16(h.start), u16((contained ? 0 : 0x8000) | (h.end - h.start)), u16(h.handler), u16(h.catchType));
  });
  return { info: concat(count, ...table, ...bodies.map((b) => b.code.bytes)), offsets, firstHandler };
}

/** All components of the package, by name (Descriptor included, Debug absent). */
export function layoutComponents(spec: NormalSpec): Components {
  const fw = 0x80 | spec.frameworkToken;
  const arrayPad = Math.min(spec.padding, MAX_ARRAY);
  const methodPad = spec.padding - arrayPad;
  const plan = planClasses(spec);

  // Methods, per class: constructor, install, process; the class sharing an interface adds
  // getShareableInterfaceObject and the interface's methods; padding last.
  const bodies: Body[] = [];
  const kinds: { cls: number; kind: "constructor" | "install" | "process" | "getSio" | "shared" | "padding" }[] = [];
  const add = (cls: number, kind: (typeof kinds)[number]["kind"], code: MethodCode, handlers: AssembledHandler[] = []) => {
    bodies.push({ code, handlers });
    kinds.push({ cls, kind });
  };
  spec.applets.forEach((_applet, i) => {
    add(i, "constructor", constructorCode(0, 1)); // cp 0 Applet.<init>, cp 1 Applet.register
    add(i, "install", installCode(2 + 2 * i, 3 + 2 * i));
    add(i, "process", processCode(spec.process), spec.process?.handlers);
    if (i === 0 && spec.shareable) {
      add(i, "getSio", getSioCode());
      for (const m of spec.shareable.methods) add(i, "shared", sharedCode(m), m.handlers);
    }
  });
  if (methodPad > 0) add(0, "padding", paddingCode(Math.max(3, methodPad)));
  const method = methodComponentInfo(bodies);
  const placed = bodies.map((b, k) => ({ at: method.offsets[k]!, code: b.code, handlers: b.handlers.length, firstHandler: method.firstHandler[k]! }));
  const of = (cls: number, kind: string) => placed.filter((_, k) => kinds[k]!.cls === cls && kinds[k]!.kind === kind);

  const classes: ClassLayout[] = spec.applets.map((_, i) => ({
    offset: plan.classOffsets[i]!,
    constructor: of(i, "constructor")[0]!,
    install: of(i, "install")[0]!,
    process: of(i, "process")[0]!,
    ...(i === 0 && spec.shareable ? { getSio: of(0, "getSio")[0]!, shared: of(0, "shared") } : {}),
  }));
  const pad = of(0, "padding")[0];
  if (pad) classes[0]!.padding = pad;

  const cpEntries: Uint8Array[] = [
    Uint8Array.of(CP.StaticMethodref, fw, FRAMEWORK.APPLET_CLASS, FRAMEWORK.APPLET_INIT),
    Uint8Array.of(CP.VirtualMethodref, fw, FRAMEWORK.APPLET_CLASS, FRAMEWORK.REGISTER_BSB),
  ];
  classes.forEach((c) => {
    cpEntries.push(concat(CP.Classref, u16(c.offset), 0)); // class_ref, padding
    cpEntries.push(concat(CP.StaticMethodref, 0, u16(c.constructor.at))); // padding, method offset
  });
  // A custom process body may call process again (recursion tests): VirtualMethodref to class 0, token 7.
  if (spec.process) cpEntries.push(concat(CP.VirtualMethodref, u16(classes[0]!.offset), FRAMEWORK.PROCESS));
  for (const c of spec.constants) {
    if (c.length !== 4) throw new RangeError(`A constant pool entry has 4 bytes, not ${c.length}`);
    cpEntries.push(c);
  }

  const classInfo = classComponentInfo(
    spec,
    plan,
    classes.map((c) => ({ process: c.process.at, getSio: c.getSio?.at, shared: c.shared?.map((m) => m.at) })),
  );

  // StaticField (§6.10): one private static byte[] initialised by array_init when padding asks for it.
  const arrayInit = arrayPad > 0 ? concat(T_BYTE, u16(arrayPad), new Uint8Array(arrayPad).fill(0x5a)) : new Uint8Array(0);
  const refBytes = arrayPad > 0 ? 2 : 0;
  const staticInfo = concat(
    u16(refBytes + spec.staticBytes), // image_size: the padding array's reference, then zeroed primitives
    u16(arrayPad > 0 ? 1 : 0), // reference_count
    u16(arrayPad > 0 ? 1 : 0), // array_init_count
    arrayInit,
    u16(spec.staticBytes), // default_value_count
    u16(0), // non_default_value_count
  );
  if (arrayPad > 0) classes[0]!.staticArray = true;

  const out: Components = new Map();
  out.set("Header", component(COMPONENT.Header, headerInfo(spec)));
  out.set("Import", component(COMPONENT.Import, concat(spec.imports.length, ...spec.imports.map((i) => concat(i.minor, i.major, i.aid.length, i.aid)))));
  out.set("Applet", component(COMPONENT.Applet, concat(spec.applets.length, ...spec.applets.map((a, i) => concat(a.aid.length, a.aid, u16(classes[i]!.install.at))))));
  out.set("Class", component(COMPONENT.Class, classInfo));
  out.set("Method", component(COMPONENT.Method, method.info));
  out.set("StaticField", component(COMPONENT.StaticField, staticInfo));
  const exported = exportInfo(plan);
  if (exported) out.set("Export", component(COMPONENT.Export, exported));
  out.set("ConstantPool", component(COMPONENT.ConstantPool, concat(u16(cpEntries.length), ...cpEntries)));
  out.set("RefLocation", component(COMPONENT.RefLocation, refLocationInfo(placed.map((p) => ({ code: p.code, offset: p.at })))));
  out.set(
    "Descriptor",
    component(
      COMPONENT.Descriptor,
      descriptorComponent(classes, cpEntries.length, spec.frameworkToken, spec.process !== undefined, spec.constants.length, {
        interfaceOffset: plan.interfaceOffset,
        fields: spec.fields,
        sharedArgs: spec.shareable?.methods.map((m) => m.nargs - 1) ?? [],
      }),
    ),
  );
  out.set("Directory", component(COMPONENT.Directory, directoryInfo(out, spec, arrayPad, refBytes + spec.staticBytes)));
  return out;
}

/** Header (§6.3; JCVM 3.1 §6.4 header_component_compact): magic, format, flags ACC_APPLET, package_info, package_name_info from CAP 2.2. */
function headerInfo(spec: NormalSpec): Uint8Array {
  const [minor, major] = [Number(spec.format.slice(2)), 2];
  const name = new TextEncoder().encode(spec.packageName.replaceAll(".", "/")); // internal form
  return concat(
    Uint8Array.of(0xde, 0xca, 0xff, 0xed), minor, major,
    spec.shareable ? 0x06 : 0x04, // ACC_APPLET, and ACC_EXPORT with an Export component
    spec.packageVersion.minor, spec.packageVersion.major, spec.packageAid.length, spec.packageAid,
    ...(spec.format !== "2.1" ? [name.length, name] : []),
  );
}

/**
 * RefLocation (§6.11): offsets in the Method info of constant pool indices, as
 * deltas from the previous one; a delta over 255 is written as 0xFF steps
 * (each meaning "255 further, no reference") followed by the remainder.
 */
function refLocationInfo(methods: { code: MethodCode; offset: number }[]): Uint8Array {
  const absolute = methods.flatMap((m) => m.code.cpRefs.map((r) => m.offset + r));
  const deltas: number[] = [];
  let last = 0;
  for (const at of absolute) {
    let d = at - last;
    while (d > 255) {
      deltas.push(0xff);
      d -= 255;
    }
    deltas.push(d);
    last = at;
  }
  return concat(u16(0), u16(deltas.length), Uint8Array.from(deltas)); // no 1-byte indices
}

/**
 * Directory (§6.4): component sizes (u2 for tags 1-11 in CAP 2.1, 1-12 in 2.2; 2.3 compact adds
 * a u4 for StaticResources, JCVM 3.1 §6.5 component_size_info_compact), static field sizes, counts.
 */
function directoryInfo(components: Components, spec: NormalSpec, arrayPad: number, imageSize: number): Uint8Array {
  const entries = spec.format === "2.1" ? 11 : 12;
  const resources = spec.format === "2.3" ? [Uint8Array.of(0, 0, 0, 0)] : []; // no StaticResources component
  const sizes: Uint8Array[] = [];
  for (let tag = 1; tag <= entries; tag++) {
    const name = Object.entries(COMPONENT).find(([, t]) => t === tag)![0];
    // The Directory's own size: 2 per entry + static_field_size_info (6) + 3 counts.
    const size = tag === COMPONENT.Directory ? 2 * entries + 4 * resources.length + 9 : (components.get(name)?.length ?? 3) - 3;
    sizes.push(u16(size));
  }
  return concat(
    ...sizes,
    ...resources,
    u16(imageSize), u16(arrayPad > 0 ? 1 : 0), u16(arrayPad), // image_size, array_init_count, array_init_size
    spec.imports.length, spec.applets.length, 0, // import_count, applet_count, custom_count
  );
}
