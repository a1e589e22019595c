/**
 * The StaticField component (JCVM 3.0.5 §6.11): how to build the package's
 * static field image at load time.
 *
 *   u2 image_size | u2 reference_count | u2 array_init_count |
 *   array_init_info { u1 type | u2 count | u1 values[count] }[array_init_count] |
 *   u2 default_value_count | u2 non_default_value_count | u1 non_default_values[]
 *
 * Image layout: reference_count 2-byte references (the first array_init_count
 * of them initialised with new arrays, the rest null), then
 * default_value_count zero bytes, then the non-default values as given.
 */
import { ByteReader } from "../byte-reader.ts";
import { FormatError } from "../../errors.ts";

/** array_init_info types, §6.11 Table 6-11. */
export const ARRAY_INIT_TYPE = { boolean: 2, byte: 3, short: 4, int: 5 } as const;

export interface ArrayInit {
  readonly type: number;
  /** Big-endian element bytes. */
  readonly values: Uint8Array;
}

export interface StaticFieldImage {
  readonly imageSize: number;
  readonly referenceCount: number;
  readonly arrayInits: readonly ArrayInit[];
  /** The primitive part of the image (after the references), zeros then non-default values. */
  readonly primitives: Uint8Array;
}

/** Parse a StaticField component (tag and size included). */
export function parseStaticField(component: Uint8Array): StaticFieldImage {
  const r = new ByteReader(component, "the StaticField component", 3);
  const imageSize = r.u2();
  const referenceCount = r.u2();
  const arrayInits: ArrayInit[] = [];
  for (let n = r.u2(); n > 0; n--) {
    const type = r.u1();
    arrayInits.push({ type, values: r.take(r.u2()).slice() });
  }
  const defaults = r.u2();
  const nonDefaults = r.take(r.u2());
  const primitives = new Uint8Array(defaults + nonDefaults.length);
  primitives.set(nonDefaults, defaults);
  if (referenceCount * 2 + primitives.length !== imageSize) {
    throw new FormatError(`the StaticField image is ${imageSize} bytes but its parts add up to ${referenceCount * 2 + primitives.length}`, component);
  }
  if (arrayInits.length > referenceCount) throw new FormatError("the StaticField component initialises more arrays than it has references", component);
  return { imageSize, referenceCount, arrayInits, primitives };
}
