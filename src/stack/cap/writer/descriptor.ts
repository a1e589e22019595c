/**
 * The Descriptor component (JCVM 2.2.2 §6.13): what a verifier or a card
 * needs to type-check the package; loaders leave it out of the LFDB.
 *
 *   u1 class_count | class_descriptor_info classes[] | type_descriptor_info types
 *   class_descriptor_info: u1 token | u1 access_flags | u2 this_class_ref |
 *     u1 interface_count | u2 field_count | u2 method_count | fields (7 bytes each) | methods (12 bytes each)
 *   type_descriptor_info: u2 constant_pool_count | u2 constant_pool_types[] | type_descriptor type_desc[]
 */
import { concat, u16 } from "../../bytes.ts";
import type { MethodCode } from "./bytecode.ts";

/** A method where the Method component put it, with its exception handlers (count, index of the first). */
export interface PlacedMethod {
  at: number;
  code: MethodCode;
  handlers?: number;
  firstHandler?: number;
}

export interface ClassLayout {
  /** Internal class_ref: offset in the Class component info. */
  offset: number;
  constructor: PlacedMethod;
  install: PlacedMethod;
  process: PlacedMethod;
  /** The class implementing the exported Shareable interface: getShareableInterfaceObject and the interface's methods. */
  getSio?: PlacedMethod;
  shared?: PlacedMethod[];
  padding?: PlacedMethod;
  /** The class owns the padding static byte[] (static image offset 0). */
  staticArray?: boolean;
}

/** Access flags of class, field and method descriptors, §6.13 Tables 6-18 to 6-20. */
export const ACC = { PUBLIC: 0x01, PRIVATE: 0x02, STATIC: 0x08, INIT: 0x80 } as const;
/** Class ACC_INTERFACE and ACC_ABSTRACT (Table 6-18), method ACC_ABSTRACT (Table 6-20). */
const CLASS_ACC = { INTERFACE: 0x40, ABSTRACT: 0x80 } as const;
const METHOD_ABSTRACT = 0x40;
/** A primitive field type: high bit set, then short (§6.13.3). */
const FIELD_SHORT = 0x8004;
/** Token of private members, which have none (§6.13.3, §6.13.4). */
export const NO_TOKEN = 0xff;

/** Type nibbles, §6.8.1 Table 6-9. */
export const NIBBLE = { void: 0x1, byte: 0x3, short: 0x4, reference: 0x6, byteArray: 0xb } as const;

/** A type_descriptor (§6.8.1): u1 nibble_count, the nibbles packed two a byte. */
export function typeDescriptor(nibbles: number[]): Uint8Array {
  const packed = new Uint8Array(Math.ceil(nibbles.length / 2));
  nibbles.forEach((n, i) => (packed[i >> 1]! |= i % 2 === 0 ? n << 4 : n));
  return concat(nibbles.length, packed);
}

/** What else the package holds: the Shareable interface (its offset, its methods' short argument counts) and instance fields. */
export interface DescriptorExtras {
  interfaceOffset?: number | undefined;
  sharedArgs?: number[];
  fields?: { references: number; shorts: number };
}

/** The Descriptor component info for the classes laid out by `layoutComponents`. */
export function descriptorComponent(classes: ClassLayout[], cpCount: number, frameworkToken: number, processRef = false, untyped = 0, extras: DescriptorExtras = {}): Uint8Array {
  const fw = 0x80 | frameworkToken;
  // Signatures: ()V, ([BSB)V, (Ljavacard/framework/APDU;)V, [B; a class_ref in a type is 4 nibbles.
  const pool = [
    typeDescriptor([NIBBLE.void]),
    typeDescriptor([NIBBLE.byteArray, NIBBLE.short, NIBBLE.byte, NIBBLE.void]),
    typeDescriptor([NIBBLE.reference, fw >> 4, fw & 15, 0x0, 0xa /* APDU class token 10 */, NIBBLE.void]),
    typeDescriptor([NIBBLE.byteArray]),
    // (Ljavacard/framework/AID;B)Ljavacard/framework/Shareable;: getShareableInterfaceObject
    typeDescriptor([NIBBLE.reference, fw >> 4, fw & 15, 0x0, 0x6, NIBBLE.byte, NIBBLE.reference, fw >> 4, fw & 15, 0x0, 0x2]),
    // (S...S)S of each shared method
    ...(extras.sharedArgs ?? []).map((n) => typeDescriptor([...new Array<number>(n).fill(NIBBLE.short), NIBBLE.short])),
  ];
  const base = 2 + 2 * cpCount; // offsets count from the start of type_descriptor_info
  const at: number[] = [];
  pool.reduce((o, t) => (at.push(o), o + t.length), base);
  const [VOID, INIT, PROCESS, BYTES, GET_SIO] = at as [number, number, number, number, number];
  const sharedTypes = at.slice(5);
  const shares = extras.interfaceOffset !== undefined;

  // constant_pool_types: a type offset for each method or field ref, FFFF for class refs.
  const cpTypes = [VOID, INIT];
  for (let i = 0; i < classes.length; i++) cpTypes.push(0xffff, INIT);
  if (processRef) cpTypes.push(PROCESS);
  for (let i = 0; i < untyped; i++) cpTypes.push(0xffff);

  const { references = 0, shorts = 0 } = extras.fields ?? {};
  const descriptors = classes.map((c, i) => {
    const methods = [
      methodDescriptor(NO_TOKEN, ACC.PRIVATE | ACC.INIT, c.constructor, INIT),
      methodDescriptor(0, ACC.PUBLIC | ACC.STATIC, c.install, INIT), // install: static method token 0
      methodDescriptor(7, ACC.PUBLIC, c.process, PROCESS), // process: virtual token 7
      ...(c.getSio ? [methodDescriptor(5, ACC.PUBLIC, c.getSio, GET_SIO)] : []), // virtual token 5
      ...(c.shared ?? []).map((m, k) => methodDescriptor(8 + k, ACC.PUBLIC, m, sharedTypes[k]!)),
      ...(c.padding ? [methodDescriptor(NO_TOKEN, ACC.PRIVATE | ACC.STATIC, c.padding, VOID)] : []),
    ];
    // Instance fields: tokens 0.. (references first, typed byte[]), then shorts.
    const instance = Array.from({ length: references + shorts }, (_, t) =>
      concat(t, ACC.PRIVATE, u16(c.offset), t, u16(t < references ? BYTES : FIELD_SHORT)),
    );
    const fields = [
      ...instance,
      ...(c.staticArray ? [concat(NO_TOKEN, ACC.PRIVATE | ACC.STATIC, 0, u16(0) /* padding, image offset 0 */, u16(BYTES))] : []),
    ];
    const implemented = c.getSio ? [u16(extras.interfaceOffset!)] : [];
    return concat(i + (shares ? 1 : 0), ACC.PUBLIC, u16(c.offset), implemented.length, u16(fields.length), u16(methods.length), ...implemented, ...fields, ...methods);
  });
  // The Shareable interface: token 0, its superinterface, abstract methods with tokens 0..
  const iface = shares
    ? [
        concat(
          0, ACC.PUBLIC | CLASS_ACC.INTERFACE | CLASS_ACC.ABSTRACT, u16(extras.interfaceOffset!), 1, u16(0), u16(sharedTypes.length),
          Uint8Array.of(fw, 2), // javacard.framework.Shareable
          ...sharedTypes.map((type, k) => concat(k, ACC.PUBLIC | METHOD_ABSTRACT, u16(0), u16(type), u16(0), u16(0), u16(0))),
        ),
      ]
    : [];

  return concat(classes.length + iface.length, ...iface, ...descriptors, u16(cpCount), ...cpTypes.map(u16), ...pool);
}

function methodDescriptor(token: number, flags: number, m: PlacedMethod, type: number): Uint8Array {
  // token | access_flags | method_offset | type_offset | bytecode_count | exception_handler_count | exception_handler_index
  return concat(token, flags, u16(m.at), u16(type), u16(m.code.bytecodeCount), u16(m.handlers ?? 0), u16(m.firstHandler ?? 0));
}
