/**
 * The blocks of an extended Method component (JCVM 3.1 §6.10, §6.10.1):
 *
 *   u1 tag (7) | u4 size | u1 method_component_block_count |
 *   u4 method_component_block_offsets[count] | method_component_block blocks[count]
 *   method_component_block: u1 handler_count | exception_handler_info[] | method_info[]
 *
 * Every method offset of an extended file (Applet, Class, ConstantPool,
 * Export, Descriptor) is a block index and a u2 offset inside that block, so
 * a block holds at most 65,535 bytes. A block index shares its byte with the
 * external flag of a StaticMethodref (high bit), so there are at most 128.
 *
 * Where the offsets count from is not spelled out in the text we could check:
 * we take them from the start of the info item (the byte after the size),
 * and also accept offsets from the first block (the first offset then 0);
 * the two cannot be confused, as the first block starts at 1 + 4 × count.
 */
import { FormatError } from "../errors.ts";
import { ByteReader } from "./byte-reader.ts";

/** Largest block: offsets inside a block are u2 (JCVM 3.1 §6.10.1). */
export const MAX_METHOD_BLOCK = 0xffff;
/** Most blocks: an index is 7 bits where it shares a byte with the external flag (JCVM 3.1 §6.8.6). */
export const MAX_METHOD_BLOCKS = 128;

/** Split an extended Method component (tag and u4 size included) into its blocks, each checked to fit. */
export function parseMethodBlocks(component: Uint8Array): Uint8Array[] {
  const info = component.subarray(5);
  const r = new ByteReader(info, "the Method component");
  const count = r.u1();
  if (count === 0 || count > MAX_METHOD_BLOCKS) {
    throw new FormatError(`the Method component has ${count} blocks: an extended file has 1 to ${MAX_METHOD_BLOCKS}`, component);
  }
  const offsets = Array.from({ length: count }, () => r.u4());
  const first = 1 + 4 * count;
  const base = offsets[0] === first ? 0 : offsets[0] === 0 ? first : undefined;
  if (base === undefined) {
    throw new FormatError(`the Method component's first block offset is ${offsets[0]}: expected ${first} (the first byte after the offsets)`, component);
  }
  return offsets.map((offset, i) => {
    const start = base + offset;
    const end = i + 1 < count ? base + offsets[i + 1]! : info.length;
    if (end <= start || end > info.length) {
      throw new FormatError(`method block ${i} spans bytes ${start} to ${end} of a ${info.length}-byte Method component`, component);
    }
    if (end - start > MAX_METHOD_BLOCK) {
      throw new FormatError(`method block ${i} has ${end - start} bytes, over the ${MAX_METHOD_BLOCK} a block may hold`, component);
    }
    return info.subarray(start, end);
  });
}
