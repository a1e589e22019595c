/** javacard.framework.Applet and AID natives (JC API 3.0.5). */
import { equal } from "../../../stack/bytes.ts";
import { isAidLength } from "../../../stack/aid.ts";
import { bytesOf, JObject, type JArray, type Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import type { NativeTable } from "./native.ts";

/** SystemException reasons. */
export const SYSTEM_REASON = { ILLEGAL_VALUE: 1, NO_TRANSIENT_SPACE: 2, ILLEGAL_TRANSIENT: 3, ILLEGAL_AID: 4, NO_RESOURCE: 5, ILLEGAL_USE: 6 } as const;

/** `len` bytes of a byte array from `off`, checked (null, bounds, firewall). */
export function readBytes(vm: Vm, ref: Value, off: number, len: number): Uint8Array {
  if (ref === null) vm.throwJava("java.lang.NullPointerException");
  const a = vm.arrayAccess(ref as JArray);
  if (off < 0 || len < 0 || off + len > a.length) vm.throwJava("java.lang.ArrayIndexOutOfBoundsException");
  return bytesOf(a).slice(off, off + len);
}

/** Write bytes into a byte array (atomically, as API methods that fill arrays do). */
export function writeBytes(vm: Vm, ref: Value, off: number, data: Uint8Array): void {
  if (ref === null) vm.throwJava("java.lang.NullPointerException");
  const a = vm.arrayAccess(ref as JArray);
  if (off < 0 || off + data.length > a.length) vm.throwJava("java.lang.ArrayIndexOutOfBoundsException");
  for (let i = 0; i < data.length; i++) vm.writeArray(a, off + i, (data[i]! << 24) >> 24);
}

/** The bytes of an AID object. */
export function aidBytes(obj: JObject): Uint8Array {
  return (obj.native as { bytes: Uint8Array }).bytes;
}

export const APPLET_AID: Record<string, NativeTable> = {
  "javacard.framework.Applet": {
    "<init>()V": () => {},
    "register()V": (vm, [self]) => vm.jcre.register(self as JObject, undefined),
    "register([BSB)V": (vm, [self, arr, off, len]) => {
      const aid = readBytes(vm, arr, off as number, len as number);
      vm.jcre.register(self as JObject, aid);
    },
    "selectingApplet()Z": (vm) => (vm.jcre.selecting ? 1 : 0),
    "reSelectingApplet()Z": (vm) => (vm.jcre.reselecting ? 1 : 0),
    "select()Z": () => 1,
    "deselect()V": () => {},
    "getShareableInterfaceObject(Ljavacard/framework/AID;B)Ljavacard/framework/Shareable;": () => null,
  },
  "javacard.framework.AID": {
    "<init>([BSB)V": (vm, [self, arr, off, len]) => {
      const bytes = readBytes(vm, arr, off as number, len as number);
      if (!isAidLength(bytes.length)) vm.throwJava("javacard.framework.SystemException", SYSTEM_REASON.ILLEGAL_VALUE);
      (self as JObject).native = { bytes };
      vm.heap.changed(self as JObject);
    },
    "equals(Ljava/lang/Object;)Z": (vm, [self, other]) =>
      other instanceof JObject && vm.isInstanceOf(other, "javacard.framework.AID") && equal(aidBytes(self as JObject), aidBytes(other)) ? 1 : 0,
    "equals([BSB)Z": (vm, [self, arr, off, len]) => {
      if (arr === null) return 0;
      return equal(aidBytes(self as JObject), readBytes(vm, arr, off as number, len as number)) ? 1 : 0;
    },
    "getBytes([BS)B": (vm, [self, arr, off]) => {
      const b = aidBytes(self as JObject);
      writeBytes(vm, arr, off as number, b);
      return b.length;
    },
    "getPartialBytes(S[BSB)B": (vm, [self, aidOff, arr, off, len]) => {
      const b = aidBytes(self as JObject);
      const from = aidOff as number;
      const n = (len as number) === 0 ? b.length - from : Math.min(len as number, b.length - from);
      writeBytes(vm, arr, off as number, b.subarray(from, from + Math.max(0, n)));
      return Math.max(0, n);
    },
    "partialEquals([BSB)Z": (vm, [self, arr, off, len]) => {
      if (arr === null) return 0;
      const b = aidBytes(self as JObject);
      const p = readBytes(vm, arr, off as number, len as number);
      return p.length <= b.length && equal(b.subarray(0, p.length), p) ? 1 : 0;
    },
    "RIDEquals(Ljavacard/framework/AID;)Z": (_vm, [self, other]) =>
      other instanceof JObject && equal(aidBytes(self as JObject).subarray(0, 5), aidBytes(other).subarray(0, 5)) ? 1 : 0,
  },
};
