/**
 * The operand stack shuffles with an mn operand (JCVM 3.0.5 §7.5 dup_x and
 * swap_x): m is the high nibble, n the low one, both in cells.
 */
import type { Value } from "./model.ts";

/** dup_x: duplicate the top m cells and insert them n cells down (n 0: on top); the new sp. */
export function dupX(stack: Value[], sp: number, mn: number): number {
  const m = mn >> 4;
  const n = mn & 0x0f;
  const top = stack.slice(sp - m, sp);
  if (n === 0) {
    for (let i = 0; i < m; i++) stack[sp + i] = top[i]!;
  } else {
    for (let i = sp - 1; i >= sp - n; i--) stack[i + m] = stack[i]!;
    for (let i = 0; i < m; i++) stack[sp - n + i] = top[i]!;
  }
  return sp + m;
}

/** swap_x: swap the top m cells with the n cells below them (sp unchanged). */
export function swapX(stack: Value[], sp: number, mn: number): void {
  const m = mn >> 4;
  const n = mn & 0x0f;
  const top = stack.slice(sp - m, sp);
  const below = stack.slice(sp - m - n, sp - m);
  let k = sp - m - n;
  for (const v of top) stack[k++] = v;
  for (const v of below) stack[k++] = v;
}
