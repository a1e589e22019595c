/**
 * The Class component (JCVM 3.0.5 §6.9): the package's interfaces and
 * classes, each found by its offset in the component's info item (the
 * internal class_ref of the constant pool).
 *
 *   [u2 signature_pool_length | type_descriptor signature_pool[]]   (CAP 2.2 and later)
 *   interface_info { u1 flags<<4|interface_count | class_ref superinterfaces[] |
 *                    [u1 name_length | name]  (ACC_REMOTE) }
 *   class_info     { u1 flags<<4|interface_count | class_ref super_class_ref |
 *                    u1 declared_instance_size | u1 first_reference_token | u1 reference_count |
 *                    u1 public_method_table_base | u1 public_method_table_count |
 *                    u1 package_method_table_base | u1 package_method_table_count |
 *                    u2 public_virtual_method_table[] | u2 package_virtual_method_table[] |
 *                    implemented_interface_info { class_ref interface | u1 count | u1 index[count] }[] |
 *                    [remote_interface_info]  (ACC_REMOTE) }
 */
import { FormatError } from "../../errors.ts";
import { ByteReader } from "../byte-reader.ts";
import { classRef, type ClassRef } from "./constant-pool.ts";
import type { MethodAt } from "./method-component.ts";

/** Class flags, JCVM 3.0.5 §6.9 Table 6-7 (the high nibble of the first byte). */
export const CLASS_FLAG = { ACC_INTERFACE: 0x8, ACC_SHAREABLE: 0x4, ACC_REMOTE: 0x2 } as const;

/** A virtual method table entry for an inherited method: look in the superclass. */
const NO_METHOD = 0xffff;

/** The class_ref of java.lang.Object as a superclass: none (§6.9.2). */
export const NO_SUPERCLASS = 0xffff;

export interface InterfaceInfo {
  readonly kind: "interface";
  readonly offset: number;
  readonly flags: number;
  readonly superinterfaces: readonly ClassRef[];
}

export interface ImplementedInterface {
  readonly iface: ClassRef;
  /** Interface method token → public virtual method token of the class. */
  readonly index: readonly number[];
}

export interface ClassInfo {
  readonly kind: "class";
  readonly offset: number;
  readonly flags: number;
  /** Undefined for a class whose superclass is java.lang.Object's root (0xFFFF). */
  readonly superclass: ClassRef | undefined;
  /** Instance field cells (16-bit) this class declares. */
  readonly declaredInstanceSize: number;
  readonly firstReferenceToken: number;
  readonly referenceCount: number;
  readonly publicBase: number;
  /** Method component offsets by public virtual token − publicBase (0xFFFF: inherited, look in the superclass). */
  readonly publicTable: readonly number[];
  readonly packageBase: number;
  readonly packageTable: readonly number[];
  readonly interfaces: readonly ImplementedInterface[];
}

export type ClassEntry = InterfaceInfo | ClassInfo;

/**
 * Parse a Class component (tag and size included); CAP 2.2 and later start with a signature pool.
 * With `methodAt` (an extended file, JCVM 3.1 §6.9) each virtual method table entry is
 * u1 block index | u2 offset, turned into an offset of the joined Method code.
 */
export function parseClassComponent(component: Uint8Array, capMinor: number, methodAt?: MethodAt): Map<number, ClassEntry> {
  const info = component.subarray(3);
  const r = new ByteReader(info, "the Class component");
  if (capMinor >= 2) r.take(r.u2()); // signature pool: remote method types only
  const out = new Map<number, ClassEntry>();
  while (r.remaining > 0) {
    const offset = r.offset;
    const first = r.u1();
    const flags = first >> 4;
    const count = first & 0x0f;
    if (flags & CLASS_FLAG.ACC_INTERFACE) {
      const superinterfaces = Array.from({ length: count }, () => classRef(r.u2()));
      if (flags & CLASS_FLAG.ACC_REMOTE) r.take(r.u1());
      out.set(offset, { kind: "interface", offset, flags, superinterfaces });
      continue;
    }
    const sup = r.u2();
    const declaredInstanceSize = r.u1();
    const firstReferenceToken = r.u1();
    const referenceCount = r.u1();
    const publicBase = r.u1();
    const publicCount = r.u1();
    const packageBase = r.u1();
    const packageCount = r.u1();
    const entry = () => {
      if (!methodAt) return r.u2();
      const block = r.u1();
      const offset = r.u2();
      return offset === NO_METHOD ? NO_METHOD : methodAt(block, offset);
    };
    const publicTable = Array.from({ length: publicCount }, entry);
    const packageTable = Array.from({ length: packageCount }, entry);
    const interfaces = Array.from({ length: count }, () => {
      const iface = classRef(r.u2());
      const n = r.u1();
      return { iface, index: Array.from(r.take(n)) };
    });
    if (flags & CLASS_FLAG.ACC_REMOTE) skipRemote(r);
    // CAP 2.3 (JCVM 3.1 §6.9.2.3): u1 public_virtual_method_token_mapping[base + count], then
    // u1 CAP22_inheritable_public_method_token_count. Tokens of every release up to 3.1 coincide, so
    // dispatch does not need the mapping (3.2's MessageDigest exception aside, see javacard-api/README).
    if (capMinor >= 3) {
      r.take(publicBase + publicCount);
      r.u1();
    }
    out.set(offset, {
      kind: "class",
      offset,
      flags,
      superclass: sup === NO_SUPERCLASS ? undefined : classRef(sup),
      declaredInstanceSize,
      firstReferenceToken,
      referenceCount,
      publicBase,
      publicTable,
      packageBase: packageBase & 0x7f,
      packageTable,
      interfaces,
    });
  }
  if (out.size === 0) throw new FormatError("the Class component declares no class", component);
  return out;
}

/** remote_interface_info (§6.9.2.1): methods, hash modifier, class name, remote interfaces. */
function skipRemote(r: ByteReader): void {
  r.take(r.u1() * 5);
  r.take(r.u1());
  r.take(r.u1());
  r.take(r.u1() * 2);
}
