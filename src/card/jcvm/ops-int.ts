/**
 * The int bytecodes (JCVM 3.0.5 §7.5), present only in packages whose
 * header says they use ints (§6.4 ACC_INT). An int is two cells, high then
 * low (§3.5), on the operand stack and in the locals.
 */
import { hi, int, lo, readI32, readS16, s8 } from "./cells.ts";
import { arrayLoad, arrayStore } from "./arrays.ts";
import type { Ref, Value } from "./model.ts";
import { OPCODE as O } from "./opcodes.ts";
import type { Vm } from "./vm.ts";

/** The operand bytes of an int bytecode. */
export function intOperandLength(op: number): number {
  switch (op) {
    case O.bipush: case O.iload: case O.istore: return 1;
    case O.sipush: case O.iinc: return 2;
    case O.iinc_w: return 3;
    case O.iipush: return 4;
    default: return 0;
  }
}

/** Run the int bytecode `op` whose operands start at `pc`; the new sp. */
export function intInstruction(vm: Vm, op: number, code: Uint8Array, pc: number, stack: Value[], sp: number, locals: Value[]): number {
  switch (op) {
    case O.iconst_m1: case O.iconst_0: case O.iconst_1: case O.iconst_2: case O.iconst_3: case O.iconst_4: case O.iconst_5:
      return push(stack, sp, op - O.iconst_0);
    case O.bipush: return push(stack, sp, s8(code[pc]!));
    case O.sipush: return push(stack, sp, readS16(code, pc));
    case O.iipush: return push(stack, sp, readI32(code, pc));
    case O.iload: return load(stack, sp, locals, code[pc]!);
    case O.iload_0: case O.iload_1: case O.iload_2: case O.iload_3:
      return load(stack, sp, locals, op - O.iload_0);
    case O.istore: return store(stack, sp, locals, code[pc]!);
    case O.istore_0: case O.istore_1: case O.istore_2: case O.istore_3:
      return store(stack, sp, locals, op - O.istore_0);
    case O.iaload: {
      const index = stack[--sp] as number;
      const a = stack[--sp] as Ref;
      return push(stack, sp, arrayLoad(vm, a, index, op) as number);
    }
    case O.iastore: {
      const l = stack[--sp] as number;
      const v = int(stack[--sp] as number, l);
      const index = stack[--sp] as number;
      const a = stack[--sp] as Ref;
      arrayStore(vm, a, index, v, op);
      return sp;
    }
    case O.ineg: {
      const l = stack[--sp] as number;
      return push(stack, sp - 1, -int(stack[sp - 1] as number, l) | 0);
    }
    case O.iinc: case O.iinc_w: {
      const i = code[pc]!;
      const c = op === O.iinc ? s8(code[pc + 1]!) : readS16(code, pc + 1);
      const v = (int(locals[i] as number, locals[i + 1] as number) + c) | 0;
      locals[i] = hi(v);
      locals[i + 1] = lo(v);
      return sp;
    }
    case O.s2i: return push(stack, sp - 1, stack[sp - 1] as number);
    case O.i2b: { const l = stack[--sp] as number; stack[sp - 1] = s8(l); return sp; }
    case O.i2s: { const l = stack[--sp] as number; stack[sp - 1] = l; return sp; }
    default: return intBinary(vm, op, stack, sp);
  }
}

function push(stack: Value[], sp: number, v: number): number {
  stack[sp] = hi(v);
  stack[sp + 1] = lo(v);
  return sp + 2;
}

function load(stack: Value[], sp: number, locals: Value[], i: number): number {
  stack[sp] = locals[i]!;
  stack[sp + 1] = locals[i + 1]!;
  return sp + 2;
}

function store(stack: Value[], sp: number, locals: Value[], i: number): number {
  locals[i + 1] = stack[sp - 1]!;
  locals[i] = stack[sp - 2]!;
  return sp - 2;
}

/** Pop two ints, push the result of `op` (an int, or icmp's short); the new sp. */
function intBinary(vm: Vm, op: number, stack: Value[], sp: number): number {
  const bl = stack[--sp] as number;
  const b = int(stack[--sp] as number, bl);
  const al = stack[--sp] as number;
  const a = int(stack[--sp] as number, al);
  if (op === O.icmp) {
    stack[sp++] = a > b ? 1 : a < b ? -1 : 0;
    return sp;
  }
  return push(stack, sp, intOp(vm, op, a, b));
}

function intOp(vm: Vm, op: number, a: number, b: number): number {
  switch (op) {
    case O.iadd: return (a + b) | 0;
    case O.isub: return (a - b) | 0;
    case O.imul: return Math.imul(a, b);
    case O.idiv:
      if (b === 0) vm.throwJava("java.lang.ArithmeticException");
      return (a / b) | 0;
    case O.irem:
      if (b === 0) vm.throwJava("java.lang.ArithmeticException");
      return a % b | 0;
    case O.ishl: return a << (b & 0x1f);
    case O.ishr: return a >> (b & 0x1f);
    case O.iushr: return (a >>> (b & 0x1f)) | 0;
    case O.iand: return a & b;
    case O.ior: return a | b;
    default: return a ^ b;
  }
}
