/**
 * Walk concatenated components (an LFDB or a raw IJC file):
 *   { u1 tag | u2 size | u1 info[size] } ...   (JCVM 2.2.2 §6.1, "component_compact" in 3.1)
 * except StaticResources (CAP 2.3, JCVM 3.1 §6.15), whose size is a u4 in
 * both formats, and, in an extended file (JCVM 3.1 §6.4 ACC_EXTENDED), Method,
 * RefLocation, Descriptor and Debug, which are `component_extended` (u4 size).
 */
import { FormatError } from "../errors.ts";
import { COMPONENT, componentName, EXTENDED_SIZE, type ComponentName } from "./components.ts";

export interface RawComponent {
  tag: number;
  name: ComponentName;
  /** The component with its tag and size bytes. */
  bytes: Uint8Array;
}

/** Split `data` into components; checks tags and that each declared size fits. */
export function walkComponents(data: Uint8Array, extended = false): RawComponent[] {
  const out: RawComponent[] = [];
  let offset = 0;
  while (offset < data.length) {
    const tag = data[offset]!;
    const name = componentName(tag);
    if (name === undefined) {
      throw new FormatError(`unknown component tag ${tag} at byte ${offset}`, data.subarray(offset));
    }
    const width = sizeWidth(tag, extended);
    if (offset + 1 + width > data.length) {
      throw new FormatError(`the ${name} component is truncated: its size is missing`, data.subarray(offset));
    }
    const size = readSize(data, offset + 1, width);
    const end = offset + 1 + width + size;
    if (end > data.length) {
      throw new FormatError(
        `the ${name} component declares ${size} bytes but only ${data.length - offset - 1 - width} follow (the file is truncated)`,
        data.subarray(offset),
      );
    }
    out.push({ tag, name, bytes: data.subarray(offset, end) });
    offset = end;
  }
  return out;
}

/** Bytes of the size field after a component's tag: 4 for StaticResources (JCVM 3.1 §6.15) and, in an extended file, for EXTENDED_SIZE; else 2. */
export function sizeWidth(tag: number, extended = false): 2 | 4 {
  if (tag === COMPONENT.StaticResources) return 4;
  return extended && EXTENDED_SIZE.includes(componentName(tag)!) ? 4 : 2;
}

/** Big-endian size of `width` bytes at `offset`. */
export function readSize(data: Uint8Array, offset: number, width: 2 | 4): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + data[offset + i]!;
  return v;
}
