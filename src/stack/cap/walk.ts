/**
 * Walk concatenated components (an LFDB or a raw IJC file):
 *   { u1 tag | u2 size | u1 info[size] } ...   (JCVM 2.2.2 §6.1, "component_compact" in 3.1)
 * Every CAP we accept is compact: the extended format (u4 sizes) is refused
 * when its Header is read, before the walk.
 */
import { FormatError } from "../errors.ts";
import { componentName, type ComponentName } from "./components.ts";

export interface RawComponent {
  tag: number;
  name: ComponentName;
  /** The component with its tag and size bytes. */
  bytes: Uint8Array;
}

/** Split `data` into components; checks tags and that each declared size fits. */
export function walkComponents(data: Uint8Array): RawComponent[] {
  const out: RawComponent[] = [];
  let offset = 0;
  while (offset < data.length) {
    const tag = data[offset]!;
    const name = componentName(tag);
    if (name === undefined) {
      throw new FormatError(`unknown component tag ${tag} at byte ${offset}`, data.subarray(offset));
    }
    if (offset + 3 > data.length) {
      throw new FormatError(`the ${name} component is truncated: its size is missing`, data.subarray(offset));
    }
    const size = (data[offset + 1]! << 8) | data[offset + 2]!;
    const end = offset + 3 + size;
    if (end > data.length) {
      throw new FormatError(
        `the ${name} component declares ${size} bytes but only ${data.length - offset - 3} follow (the file is truncated)`,
        data.subarray(offset),
      );
    }
    out.push({ tag, name, bytes: data.subarray(offset, end) });
    offset = end;
  }
  return out;
}
