/**
 * Lay out the components of a minimal applet package (JCVM 2.2.2 chapter 6).
 * Every offset one component takes from another is computed here, once.
 *
 * Constant pool (§6.7), 4 bytes an entry:
 *   0  StaticMethodref  external javacard.framework.Applet.<init>   (class token 3, method token 0)
 *   1  VirtualMethodref external Applet.register(byte[],short,byte) (virtual token 2)
 *   2+2i  Classref internal: class i
 *   3+2i  StaticMethodref internal: constructor of class i
 * Class i overrides Applet.process, public virtual token 7 (§6.8.1 public_method_table_base).
 */
import { concat, u16 } from "../../bytes.ts";
import { COMPONENT } from "../components.ts";
import { constructorCode, installCode, paddingCode, processCode, type MethodCode } from "./bytecode.ts";
import { descriptorComponent, type ClassLayout } from "./descriptor.ts";
import type { NormalSpec } from "./spec.ts";

/** javacard.framework tokens used by the minimal applet (from its export file; stable across minor versions). */
const FRAMEWORK = { APPLET_CLASS: 3, APPLET_INIT: 0, REGISTER_BSB: 2, PROCESS: 7, APDU_CLASS: 10 } as const;

/** Constant pool entry tags, JCVM 2.2.2 §6.7 Table 6-6. */
const CP = { Classref: 1, VirtualMethodref: 3, StaticMethodref: 6 } as const;

/** Array element type T_BYTE of array_init_info, JCVM 2.2.2 §6.10 Table 6-11. */
const T_BYTE = 11;
/** Java Card arrays are indexed by short: at most 32,767 elements. */
const MAX_ARRAY = 32767;
/** A compact component's u2 size caps its info at 65,535 bytes. */
const MAX_COMPONENT = 0xffff;

export type Components = Map<string, Uint8Array>;

export function component(tag: number, info: Uint8Array): Uint8Array {
  if (info.length > MAX_COMPONENT) {
    const name = Object.entries(COMPONENT).find(([, t]) => t === tag)?.[0];
    throw new RangeError(`The ${name} component would have ${info.length} bytes, over the ${MAX_COMPONENT} of a compact CAP: use less padding`);
  }
  return concat(tag, u16(info.length), info);
}

/** All components of the package, by name (Descriptor included, Debug and Export absent). */
export function layoutComponents(spec: NormalSpec): Components {
  // CAP 2.2 and 2.3 share the signature pool and the package name; 2.3 adds the token mapping (JCVM 3.1 §6.9).
  const is22 = spec.format !== "2.1";
  const is23 = spec.format === "2.3";
  const fw = 0x80 | spec.frameworkToken;
  const arrayPad = Math.min(spec.padding, MAX_ARRAY);
  const methodPad = spec.padding - arrayPad;

  // Class component (§6.8): in CAP 2.2 the info starts with u2 signature_pool_length (0 here),
  // and internal class_refs are offsets into the info item, so class 0 sits at 2.
  const classBase = is22 ? 2 : 0;
  // CAP 2.3 (JCVM 3.1 §6.9.2.3) appends u1 public_virtual_method_token_mapping[base + count] and
  // u1 CAP22_inheritable_public_method_token_count to each class_info.
  const publicTokens = FRAMEWORK.PROCESS + 1;
  const CLASS_INFO_SIZE = 12 + (is23 ? publicTokens + 1 : 0);
  const classOffset = (i: number) => classBase + i * CLASS_INFO_SIZE;

  // Method component (§6.9): u1 handler_count (0), then per class: constructor, install, process.
  const methods: { code: MethodCode; offset: number }[] = [];
  const classes: ClassLayout[] = [];
  let offset = 1;
  spec.applets.forEach((_applet, i) => {
    const ctor = constructorCode(0, 1); // cp 0 Applet.<init>, cp 1 Applet.register
    const install = installCode(2 + 2 * i, 3 + 2 * i);
    const process = processCode(spec.process);
    const at = [offset, offset + ctor.bytes.length, offset + ctor.bytes.length + install.bytes.length];
    methods.push({ code: ctor, offset: at[0]! }, { code: install, offset: at[1]! }, { code: process, offset: at[2]! });
    classes.push({ offset: classOffset(i), constructor: { at: at[0]!, code: ctor }, install: { at: at[1]!, code: install }, process: { at: at[2]!, code: process } });
    offset = at[2]! + process.bytes.length;
  });
  let pad: { at: number; code: MethodCode } | undefined;
  if (methodPad > 0) {
    pad = { at: offset, code: paddingCode(Math.max(3, methodPad)) };
    methods.push({ code: pad.code, offset });
    classes[0]!.padding = pad;
  }
  const methodInfo = concat(0, ...methods.map((m) => m.code.bytes));

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

  const classInfo = concat(
    ...(is22 ? [u16(0)] : []),
    ...classes.map((c) =>
      concat(
        0x00, // flags 0, interface_count 0
        fw, FRAMEWORK.APPLET_CLASS, // super_class_ref: external javacard.framework.Applet
        0, // declared_instance_size
        0xff, // first_reference_token: no reference fields
        0, // reference_count
        FRAMEWORK.PROCESS, 1, // public_method_table_base 7, count 1: process
        0, 0, // no package-visible virtual methods
        u16(c.process.at),
        // The applet adds no public method and none moved: each token maps to itself, all are inheritable by 2.2 code.
        ...(is23 ? [Uint8Array.from({ length: publicTokens }, (_, t) => t), publicTokens] : []),
      ),
    ),
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
  out.set("Method", component(COMPONENT.Method, methodInfo));
  out.set("StaticField", component(COMPONENT.StaticField, staticInfo));
  out.set("ConstantPool", component(COMPONENT.ConstantPool, concat(u16(cpEntries.length), ...cpEntries)));
  out.set("RefLocation", component(COMPONENT.RefLocation, refLocationInfo(methods)));
  out.set("Descriptor", component(COMPONENT.Descriptor, descriptorComponent(classes, cpEntries.length, spec.frameworkToken, spec.process !== undefined, spec.constants.length)));
  out.set("Directory", component(COMPONENT.Directory, directoryInfo(out, spec, arrayPad, refBytes + spec.staticBytes)));
  return out;
}

/** Header (§6.3; JCVM 3.1 §6.4 header_component_compact): magic, format, flags ACC_APPLET, package_info, package_name_info from CAP 2.2. */
function headerInfo(spec: NormalSpec): Uint8Array {
  const [minor, major] = [Number(spec.format.slice(2)), 2];
  const name = new TextEncoder().encode(spec.packageName.replaceAll(".", "/")); // internal form
  return concat(
    Uint8Array.of(0xde, 0xca, 0xff, 0xed), minor, major,
    0x04, // ACC_APPLET
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
