/**
 * Field bytecodes (JCVM 3.0.5 §7.5): getstatic_<t>/putstatic_<t> through a
 * StaticFieldref, getfield_<t>[_w|_this]/putfield_<t>[_w|_this] through an
 * InstanceFieldref (§6.8.3), with the firewall on the object (JCRE §6.2.8)
 * and single field writes atomic (JCRE §7.3) through the VM. The kind
 * order a, b, s, i is the opcode order of each family.
 */
import { hi, int, lo, s8 } from "./cells.ts";
import type { ExecPackage } from "./exec-package.ts";
import type { JArray, JObject, Ref, Value } from "./model.ts";
import { OPCODE as O } from "./opcodes.ts";
import * as cp from "./resolve.ts";
import type { Vm } from "./vm.ts";

const INT = 3;

/** getstatic_<t> of constant pool `index`; the new sp. */
export function getStatic(vm: Vm, pkg: ExecPackage, op: number, index: number, stack: Value[], sp: number): number {
  const f = cp.staticField(vm, pkg, index);
  const v = f.pkg.getStatic(f.offset, op - O.getstatic_a);
  if (op === O.getstatic_i) {
    stack[sp++] = hi(v as number);
    stack[sp++] = lo(v as number);
  } else stack[sp++] = v;
  return sp;
}

/** putstatic_<t> of constant pool `index`; the new sp. */
export function putStatic(vm: Vm, pkg: ExecPackage, op: number, index: number, stack: Value[], sp: number): number {
  const f = cp.staticField(vm, pkg, index);
  let v: Value;
  if (op === O.putstatic_i) {
    const l = stack[--sp] as number;
    v = int(stack[--sp] as number, l);
  } else v = stack[--sp]!;
  if (op === O.putstatic_a && v !== null) vm.checkStaticStore(v as JObject | JArray);
  vm.writeStatic(f.pkg, f.offset, op - O.putstatic_a, v);
  return sp;
}

/** Whether a getfield/putfield opcode has a two-byte index (the _w forms). */
export function isWideField(op: number): boolean {
  return (op >= O.getfield_a_w && op <= O.getfield_i_w) || (op >= O.putfield_a_w && op <= O.putfield_i_w);
}

/** getfield_<t>[_w|_this] of constant pool `index` (`self` is local 0, for _this); the new sp. */
export function getField(vm: Vm, pkg: ExecPackage, op: number, index: number, stack: Value[], sp: number, self: Value): number {
  const kind = op <= O.getfield_i ? op - O.getfield_a : op <= O.getfield_i_w ? op - O.getfield_a_w : op - O.getfield_a_this;
  const obj = (op >= O.getfield_a_this ? self : stack[--sp]) as Ref;
  const cell = cp.instanceField(vm, pkg, index);
  const v = vm.fieldAccess(obj).fields[cell]!;
  if (kind === INT) {
    stack[sp++] = hi(v as number);
    stack[sp++] = lo(v as number);
  } else stack[sp++] = v;
  return sp;
}

/** putfield_<t>[_w|_this] of constant pool `index` (`self` is local 0, for _this); the new sp. */
export function putField(vm: Vm, pkg: ExecPackage, op: number, index: number, stack: Value[], sp: number, self: Value): number {
  const kind = op <= O.putfield_i ? op - O.putfield_a : op <= O.putfield_i_w ? op - O.putfield_a_w : op - O.putfield_a_this;
  let v: Value;
  if (kind === INT) {
    const l = stack[--sp] as number;
    v = int(stack[--sp] as number, l);
  } else v = stack[--sp]!;
  if (kind === 1) v = s8(v as number);
  const obj = (op >= O.putfield_a_this ? self : stack[--sp]) as Ref;
  const cell = cp.instanceField(vm, pkg, index);
  vm.writeField(vm.fieldAccess(obj), cell, v);
  return sp;
}
