/** Array bytecodes: newarray/anewarray, the loads and stores with their checks (JCVM 3.0.5 §7.5). */
import { JArray, JObject, type ArrayKind, type JClass, type Ref, type Value } from "./model.ts";
import { OPCODE as O } from "./opcodes.ts";
import { isSubtype } from "./types.ts";
import type { Vm } from "./vm.ts";

const KIND_OF_ATYPE: Readonly<Record<number, ArrayKind>> = { 10: "Z", 11: "B", 12: "S", 13: "I", 14: "L" };

export function newArrayOf(vm: Vm, atype: number, length: number, component: JClass | undefined): JArray {
  const kind = KIND_OF_ATYPE[atype];
  if (!kind) return vm.abort(`newarray with atype ${atype}`);
  if (length < 0) vm.throwJava("java.lang.NegativeArraySizeException");
  return vm.newArray(kind, length, component);
}

export function checkArrayIndex(vm: Vm, a: JArray, index: number): void {
  if (index < 0 || index >= a.length) vm.throwJava("java.lang.ArrayIndexOutOfBoundsException");
}

export function arrayLoad(vm: Vm, ref: Ref, index: number, op: number): Value {
  const a = vm.arrayAccess(ref);
  checkArrayIndex(vm, a, index);
  if (op === O.aaload && a.kind !== "L") vm.abort("aaload on a primitive array");
  return a.data[index]!;
}

export function arrayStore(vm: Vm, ref: Ref, index: number, v: Value, op: number): void {
  const a = vm.arrayAccess(ref);
  checkArrayIndex(vm, a, index);
  if (op === O.aastore) {
    if (a.kind !== "L") vm.abort("aastore on a primitive array");
    if (v !== null && a.component && !(v instanceof JObject ? isSubtype(v.cls, a.component) : a.component.name === "java.lang.Object")) {
      vm.throwJava("java.lang.ArrayStoreException");
    }
    // JCRE §6.2.2: no reference may be stored in a global array.
    if (a.global) vm.throwJava("java.lang.SecurityException");
  }
  vm.writeArray(a, index, v);
}
