/**
 * The Method component (JCVM 3.0.5 §6.10):
 *
 *   u1 handler_count | exception_handler_info[handler_count] | method_info methods[]
 *   exception_handler_info: u2 start_offset | u2 stop_bit<<15|active_length |
 *                           u2 handler_offset | u2 catch_type_index (0: any, a finally)
 *   method_header_info:     u1 flags<<4|max_stack | u1 nargs<<4|max_locals
 *   extended_method_header: u1 flags<<4 | u1 max_stack | u1 nargs | u1 max_locals  (ACC_EXTENDED)
 *
 * Offsets (handlers, methods) count from the start of the info item, which
 * is what `code` holds: the interpreter reads bytecodes from it in place.
 */
import { ByteReader } from "../byte-reader.ts";
import { FormatError } from "../../errors.ts";
import { concat } from "../../bytes.ts";
import { parseMethodBlocks } from "../method-blocks.ts";

/** Method header flags, §6.10 Table 6-9 (high nibble). */
export const METHOD_FLAG = { ACC_EXTENDED: 0x8, ACC_ABSTRACT: 0x4 } as const;

export interface ExceptionHandler {
  readonly start: number;
  /** First offset after the protected range. */
  readonly end: number;
  readonly handler: number;
  /** Constant pool index of the caught class (a Classref), 0 for any exception. */
  readonly catchType: number;
}

export interface MethodHeader {
  readonly abstract: boolean;
  readonly maxStack: number;
  /** Argument cells, `this` included for instance methods. */
  readonly nargs: number;
  readonly maxLocals: number;
  /** Offset of the first bytecode. */
  readonly codeStart: number;
}

export interface MethodComponent {
  /** The info item: handlers then methods; every offset points into it. */
  readonly code: Uint8Array;
  /** In the order of the component: the first match wins (§7.5.x athrow). */
  readonly handlers: readonly ExceptionHandler[];
}

/** Parse a Method component (tag and size included). */
export function parseMethodComponent(component: Uint8Array): MethodComponent {
  const code = component.subarray(3);
  const r = new ByteReader(code, "the Method component");
  const count = r.u1();
  const handlers: ExceptionHandler[] = [];
  for (let i = 0; i < count; i++) {
    const start = r.u2();
    const length = r.u2() & 0x7fff;
    handlers.push({ start, end: start + length, handler: r.u2(), catchType: r.u2() });
  }
  return { code, handlers };
}

/** (block index, offset in the block) of an extended file → offset in the joined `code`. */
export type MethodAt = (block: number, offset: number) => number;

/**
 * Parse an extended Method component (JCVM 3.1 §6.10: u4 size, blocks). The
 * blocks are joined one after the other into `code`, so that an offset inside
 * block b is `methodAt(b, offset)` there and the interpreter runs it unchanged;
 * each block's handlers are moved the same way.
 */
export function parseMethodComponentExtended(component: Uint8Array): MethodComponent & { methodAt: MethodAt } {
  const blocks = parseMethodBlocks(component);
  const bases: number[] = [];
  blocks.reduce((at, b) => (bases.push(at), at + b.length), 0);
  const handlers = blocks.flatMap((block, i) =>
    parseMethodComponent(concat(7, 0, 0, block)).handlers.map((h) => ({ ...h, start: h.start + bases[i]!, end: h.end + bases[i]!, handler: h.handler + bases[i]! })),
  );
  const methodAt: MethodAt = (block, offset) => {
    const b = blocks[block];
    if (b === undefined || offset >= b.length) throw new FormatError(`a method reference (block ${block}, offset ${offset}) lies outside the Method component`);
    return bases[block]! + offset;
  };
  return { code: concat(...blocks), handlers, methodAt };
}

/** The method_header_info at `offset` (§6.10.1). */
export function methodHeader(code: Uint8Array, offset: number): MethodHeader {
  if (offset + 2 > code.length) throw new FormatError(`a method offset ${offset} lies outside the Method component`);
  const b0 = code[offset]!;
  const flags = b0 >> 4;
  if (flags & METHOD_FLAG.ACC_EXTENDED) {
    if (offset + 4 > code.length) throw new FormatError(`the extended method header at ${offset} is truncated`);
    return {
      abstract: (flags & METHOD_FLAG.ACC_ABSTRACT) !== 0,
      maxStack: code[offset + 1]!,
      nargs: code[offset + 2]!,
      maxLocals: code[offset + 3]!,
      codeStart: offset + 4,
    };
  }
  const b1 = code[offset + 1]!;
  return {
    abstract: (flags & METHOD_FLAG.ACC_ABSTRACT) !== 0,
    maxStack: b0 & 0x0f,
    nargs: b1 >> 4,
    maxLocals: b1 & 0x0f,
    codeStart: offset + 2,
  };
}
