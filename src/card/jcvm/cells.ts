/**
 * Values as the JCVM counts them (JCVM 3.0.5 §3.5): a short, byte or
 * boolean is one cell; an int is two cells, high then low, each held as a
 * signed 16-bit number. Operands in the bytecode are big-endian (§7.3).
 */

/** A byte's value, sign-extended. */
export const s8 = (v: number) => (v << 24) >> 24;
/** A short's value, sign-extended. */
export const s16 = (v: number) => (v << 16) >> 16;
/** The high cell of an int. */
export const hi = (v: number) => v >> 16;
/** The low cell of an int. */
export const lo = (v: number) => s16(v);
/** The int of two cells. */
export const int = (h: number, l: number) => (h << 16) | (l & 0xffff);

/** A signed 16-bit operand at `at`. */
export function readS16(code: Uint8Array, at: number): number {
  return s16((code[at]! << 8) | code[at + 1]!);
}

/** An unsigned 16-bit operand (a constant pool index) at `at`. */
export function readU16(code: Uint8Array, at: number): number {
  return (code[at]! << 8) | code[at + 1]!;
}

/** A signed 32-bit operand at `at`. */
export function readI32(code: Uint8Array, at: number): number {
  return (code[at]! << 24) | (code[at + 1]! << 16) | (code[at + 2]! << 8) | code[at + 3]!;
}
