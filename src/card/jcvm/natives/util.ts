/**
 * javacard.framework.Util (JC API 3.0.5): array copy, compare, fill and
 * short packing. arrayCopy is atomic (inside a transaction, logged like any
 * write); the NonAtomic forms write past the transaction log.
 */
import type { JArray, Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import type { Args, NativeTable } from "./native.ts";
import { s16 } from "../cells.ts";

function bytes(vm: Vm, ref: Value, off: number, len: number): Int8Array {
  const a = vm.arrayAccess(ref as JArray);
  if (a.kind !== "B" && a.kind !== "Z") vm.abort("Util on a non-byte array");
  if (off < 0 || len < 0 || off + len > a.length) vm.throwJava("java.lang.ArrayIndexOutOfBoundsException");
  return a.data as Int8Array;
}

function copy(vm: Vm, atomic: boolean, [src, srcOff, dst, dstOff, len]: Args): number {
  const so = srcOff as number;
  const d = dstOff as number;
  const n = len as number;
  if (src === null || dst === null) vm.throwJava("java.lang.NullPointerException");
  const from = bytes(vm, src, so, n);
  const to = bytes(vm, dst, d, n);
  const target = vm.arrayAccess(dst as JArray);
  const chunk = from.slice(so, so + n);
  if (atomic) for (let i = 0; i < n; i++) vm.writeArray(target, d + i, chunk[i]!);
  else {
    to.set(chunk, d);
    vm.writeArrayNonAtomic(target);
  }
  return s16(d + n);
}

export const UTIL: Record<string, NativeTable> = {
  "javacard.framework.Util": {
    "arrayCopy([BS[BSS)S": (vm, args) => copy(vm, true, args),
    "arrayCopyNonAtomic([BS[BSS)S": (vm, args) => copy(vm, false, args),
    "arrayFillNonAtomic([BSSB)S": (vm, [arr, off, len, value]) => {
      const o = off as number;
      const n = len as number;
      const data = bytes(vm, arr, o, n);
      data.fill(value as number, o, o + n);
      vm.writeArrayNonAtomic(vm.arrayAccess(arr as JArray));
      return s16(o + n);
    },
    "arrayFill([BSSB)S": (vm, [arr, off, len, value]) => {
      const o = off as number;
      const n = len as number;
      bytes(vm, arr, o, n);
      const a = vm.arrayAccess(arr as JArray);
      for (let i = 0; i < n; i++) vm.writeArray(a, o + i, value as number);
      return s16(o + n);
    },
    "arrayCompare([BS[BSS)B": (vm, [src, srcOff, dst, dstOff, len]) => {
      if (src === null || dst === null) vm.throwJava("java.lang.NullPointerException");
      const n = len as number;
      const a = bytes(vm, src, srcOff as number, n);
      const b = bytes(vm, dst, dstOff as number, n);
      for (let i = 0; i < n; i++) {
        const x = a[(srcOff as number) + i]! & 0xff;
        const y = b[(dstOff as number) + i]! & 0xff;
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    },
    "makeShort(BB)S": (_vm, [b1, b2]) => s16(((b1 as number) << 8) | ((b2 as number) & 0xff)),
    "getShort([BS)S": (vm, [arr, off]) => {
      const d = bytes(vm, arr, off as number, 2);
      return s16((d[off as number]! << 8) | (d[(off as number) + 1]! & 0xff));
    },
    "setShort([BSS)S": (vm, [arr, off, value]) => {
      bytes(vm, arr, off as number, 2);
      const a = vm.arrayAccess(arr as JArray);
      vm.writeArray(a, off as number, ((value as number) << 16) >> 24);
      vm.writeArray(a, (off as number) + 1, ((value as number) << 24) >> 24);
      return s16((off as number) + 2);
    },
  },
};
