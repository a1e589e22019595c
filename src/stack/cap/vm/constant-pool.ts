/**
 * The ConstantPool component (JCVM 3.0.5 §6.8): u1 tag | u2 size | u2 count |
 * cp_info[count], each entry 4 bytes: u1 tag then 3 bytes of info.
 *
 *   class_ref (u2): internal = offset into the Class component info (high bit 0);
 *                   external = u1 (0x80 | package token), u1 class token
 *   1 Classref          class_ref | u1 padding
 *   2 InstanceFieldref  class_ref | u1 token
 *   3 VirtualMethodref  class_ref | u1 token
 *   4 SuperMethodref    class_ref | u1 token
 *   5 StaticFieldref    internal: u1 0 | u2 offset into the static field image
 *                       external: u1 (0x80 | package token) | u1 class token | u1 token
 *   6 StaticMethodref   internal: u1 0 | u2 offset into the Method component info
 *                       external: as StaticFieldref
 */
import { FormatError } from "../../errors.ts";
import { ByteReader } from "../byte-reader.ts";
import type { MethodAt } from "./method-component.ts";

/** Constant pool tags, JCVM 3.0.5 §6.8 Table 6-5. */
export const CP_TAG = {
  Classref: 1,
  InstanceFieldref: 2,
  VirtualMethodref: 3,
  SuperMethodref: 4,
  StaticFieldref: 5,
  StaticMethodref: 6,
} as const;

export type ClassRef =
  | { readonly internal: true; readonly offset: number }
  | { readonly internal: false; readonly pkg: number; readonly token: number };

/** A static field or method: in this package (an offset) or another (tokens). */
export type StaticRef =
  | { readonly internal: true; readonly offset: number }
  | { readonly internal: false; readonly pkg: number; readonly cls: number; readonly token: number };

export type CpEntry =
  | { readonly tag: 1; readonly cls: ClassRef }
  | { readonly tag: 2 | 3 | 4; readonly cls: ClassRef; readonly token: number }
  | { readonly tag: 5 | 6; readonly ref: StaticRef };

/** Decode a u2 class_ref (§6.8.1). */
export function classRef(value: number): ClassRef {
  return (value & 0x8000) !== 0
    ? { internal: false, pkg: (value >> 8) & 0x7f, token: value & 0xff }
    : { internal: true, offset: value };
}

/**
 * Parse a ConstantPool component (tag and size included). With `methodAt` (an extended
 * file, JCVM 3.1 §6.8.6) an internal StaticMethodref's first byte is its Method block index.
 */
export function parseConstantPool(component: Uint8Array, methodAt?: MethodAt): CpEntry[] {
  const r = new ByteReader(component, "the ConstantPool component", 3);
  const count = r.u2();
  r.need(count * 4);
  const out: CpEntry[] = [];
  for (let i = 0; i < count; i++) {
    const tag = r.u1();
    const b1 = r.u1();
    const b2 = r.u1();
    const b3 = r.u1();
    switch (tag) {
      case CP_TAG.Classref:
        out.push({ tag, cls: classRef((b1 << 8) | b2) });
        break;
      case CP_TAG.InstanceFieldref:
      case CP_TAG.VirtualMethodref:
      case CP_TAG.SuperMethodref:
        out.push({ tag, cls: classRef((b1 << 8) | b2), token: b3 });
        break;
      case CP_TAG.StaticFieldref:
      case CP_TAG.StaticMethodref:
        out.push({
          tag,
          ref: (b1 & 0x80) !== 0
            ? { internal: false, pkg: b1 & 0x7f, cls: b2, token: b3 }
            : { internal: true, offset: methodAt && tag === CP_TAG.StaticMethodref ? methodAt(b1, (b2 << 8) | b3) : (b2 << 8) | b3 },
        });
        break;
      default:
        throw new FormatError(`constant pool entry ${i} has unknown tag ${tag}`, component);
    }
  }
  return out;
}
