/**
 * The invoke bytecodes (JCVM 3.0.5 §7.5 invokeinterface, invokespecial,
 * invokestatic, invokevirtual): pop the
 * argument cells, call through invoke.ts, push what the callee returned by
 * the kind it set (none, one cell, or an int's two cells).
 */
import { hi, lo, readU16 } from "./cells.ts";
import type { ExecPackage } from "./exec-package.ts";
import { invokeInterface, invokeSpecialOrStatic, invokeVirtual, type Exec } from "./invoke.ts";
import type { Value } from "./model.ts";
import { OPCODE as O } from "./opcodes.ts";
import * as cp from "./resolve.ts";
import type { Vm } from "./vm.ts";

/** Run the invoke at `pc - 1` (operands from `pc`) with `exec` for bytecode methods; the new sp. */
export function invoke(vm: Vm, exec: Exec, pkg: ExecPackage, op: number, code: Uint8Array, pc: number, stack: Value[], sp: number): number {
  let r: Value | undefined;
  switch (op) {
    case O.invokevirtual: {
      const m = cp.virtualMethod(vm, pkg, readU16(code, pc));
      sp -= m.nargs;
      r = invokeVirtual(vm, exec, pkg, m, stack.slice(sp, sp + m.nargs));
      break;
    }
    case O.invokeinterface: {
      // nargs:u1 interface:u2 method_token:u1
      const nargs = code[pc]!;
      const iface = cp.classRef(vm, pkg, readU16(code, pc + 1));
      sp -= nargs;
      r = invokeInterface(vm, exec, iface, code[pc + 3]!, stack.slice(sp, sp + nargs));
      break;
    }
    default: {
      const target = cp.specialOrStatic(vm, pkg, readU16(code, pc));
      sp -= target.nargs;
      r = invokeSpecialOrStatic(vm, exec, target, stack.slice(sp, sp + target.nargs));
    }
  }
  return pushResult(vm, stack, sp, r);
}

/** The operand bytes of an invoke bytecode. */
export function invokeOperandLength(op: number): number {
  return op === O.invokeinterface ? 4 : 2;
}

function pushResult(vm: Vm, stack: Value[], sp: number, r: Value | undefined): number {
  switch (vm.retKind) {
    case "V":
      return sp;
    case "I":
      stack[sp] = hi(r as number);
      stack[sp + 1] = lo(r as number);
      return sp + 2;
    default:
      stack[sp] = r!;
      return sp + 1;
  }
}
