/**
 * Object bytecodes other than field access (JCVM 3.0.5 §7.5): new,
 * newarray, anewarray, arraylength, athrow, checkcast and instanceof.
 */
import { readU16 } from "./cells.ts";
import type { ExecPackage } from "./exec-package.ts";
import { JObject, type Ref, type Value } from "./model.ts";
import { ATYPE, OPCODE as O } from "./opcodes.ts";
import * as cp from "./resolve.ts";
import { newArrayOf } from "./arrays.ts";
import { isInstance } from "./types.ts";
import { JavaThrow, VmAbort } from "./signals.ts";
import type { Vm } from "./vm.ts";

/**
 * new, newarray, anewarray, arraylength, checkcast, instanceof: the cell
 * that replaces the top of the stack (`top`, null for new, which pushes).
 */
export function objectOp(vm: Vm, pkg: ExecPackage, op: number, code: Uint8Array, pc: number, top: Value): Value {
  switch (op) {
    case O.new:
      return vm.newObject(cp.classRef(vm, pkg, readU16(code, pc)));
    case O.newarray:
      return newArrayOf(vm, code[pc]!, top as number, undefined);
    case O.anewarray:
      return newArrayOf(vm, ATYPE.T_REFERENCE, top as number, cp.classRef(vm, pkg, readU16(code, pc)));
    case O.arraylength:
      return vm.arrayAccess(top as Ref).length;
    default: {
      // checkcast / instanceof: atype:u1 index:u2 (index used for classes and reference arrays).
      const atype = code[pc]!;
      const ref = top as Ref;
      const cls = atype === 0 || atype === ATYPE.T_REFERENCE ? cp.classRef(vm, pkg, readU16(code, pc + 1)) : undefined;
      if (op === O.checkcast) {
        if (ref !== null && !isInstance(ref, atype, cls)) vm.throwJava("java.lang.ClassCastException");
        return ref;
      }
      return ref !== null && isInstance(ref, atype, cls) ? 1 : 0;
    }
  }
}

/** The operand bytes of an object bytecode. */
export function objectOperandLength(op: number): number {
  switch (op) {
    case O.arraylength: return 0;
    case O.newarray: return 1;
    case O.checkcast: case O.instanceof: return 3;
    default: return 2;
  }
}

/** athrow (JCVM 3.0.5 §7.5 athrow): null throws NullPointerException. */
export function athrow(vm: Vm, t: Ref): never {
  if (t === null) vm.throwJava("java.lang.NullPointerException");
  if (!(t instanceof JObject)) throw new VmAbort("athrow of an array");
  throw new JavaThrow(vm.throwableAccess(t));
}
