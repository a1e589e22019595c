/** javacard.framework.JCSystem natives (JC API 3.0.5): AIDs, transactions, transient arrays, memory, shareable objects. */
import { JArray, JObject, TRANSIENT, type ArrayKind, type Value } from "../model.ts";
import type { Vm } from "../vm.ts";
import { readBytes, SYSTEM_REASON } from "./applet-aid.ts";
import type { NativeTable } from "./native.ts";

const SYS = "javacard.framework.SystemException";
/** JCSystem.getVersion: 3.0.5 as BCD-like major.minor (0x0305). */
const API_VERSION = 0x0305;

function transient(vm: Vm, kind: ArrayKind, length: Value, event: Value, component?: string): JArray {
  const e = event as number;
  if (e !== TRANSIENT.CLEAR_ON_RESET && e !== TRANSIENT.CLEAR_ON_DESELECT) vm.throwJava(SYS, SYSTEM_REASON.ILLEGAL_VALUE);
  // CLEAR_ON_DESELECT arrays belong to the selected applet's context only (JC API JCSystem).
  if (e === TRANSIENT.CLEAR_ON_DESELECT && vm.context !== vm.jcre.selectedContext()) vm.throwJava(SYS, SYSTEM_REASON.ILLEGAL_TRANSIENT);
  if ((length as number) < 0) vm.throwJava("java.lang.NegativeArraySizeException");
  if (!vm.jcre.reserveTransient(length as number)) vm.throwJava(SYS, SYSTEM_REASON.NO_TRANSIENT_SPACE);
  return vm.newArray(kind, length as number, component ? vm.api(component) : undefined, e);
}

const clamp = (n: number) => Math.max(0, Math.min(32767, n));

export const JCSYSTEM: Record<string, NativeTable> = {
  "javacard.framework.JCSystem": {
    "getAID()Ljavacard/framework/AID;": (vm) => vm.jcre.contextAid(vm.context),
    "lookupAID([BSB)Ljavacard/framework/AID;": (vm, [arr, off, len]) => vm.jcre.lookupAid(readBytes(vm, arr, off as number, len as number)),
    "beginTransaction()V": (vm) => vm.beginTransaction(),
    "abortTransaction()V": (vm) => vm.abortTransaction(),
    "commitTransaction()V": (vm) => vm.commitTransaction(),
    "getTransactionDepth()B": (vm) => (vm.tx ? 1 : 0),
    "getUnusedCommitCapacity()S": (vm) => clamp(vm.limits.commitCapacity - (vm.tx?.used ?? 0)),
    "getMaxCommitCapacity()S": (vm) => clamp(vm.limits.commitCapacity),
    "makeTransientBooleanArray(SB)[Z": (vm, [n, e]) => transient(vm, "Z", n, e),
    "makeTransientByteArray(SB)[B": (vm, [n, e]) => transient(vm, "B", n, e),
    "makeTransientShortArray(SB)[S": (vm, [n, e]) => transient(vm, "S", n, e),
    "makeTransientObjectArray(SB)[Ljava/lang/Object;": (vm, [n, e]) => transient(vm, "L", n, e, "java.lang.Object"),
    "isTransient(Ljava/lang/Object;)B": (_vm, [ref]) => (ref instanceof JArray ? ref.transient : TRANSIENT.NONE),
    "getVersion()S": () => API_VERSION,
    "getAvailableMemory(B)S": (vm, [type]) => clamp(vm.jcre.availableMemory(type as number)),
    // (short[] buffer, short offset, byte memoryType): the int amount as two shorts, high first (JC 3.0.4+).
    "getAvailableMemory([SSB)V": (vm, [arr, off, type]) => {
      if (arr === null) vm.throwJava("java.lang.NullPointerException");
      const a = vm.arrayAccess(arr as JArray);
      const o = off as number;
      if (o < 0 || o + 2 > a.length) vm.throwJava("java.lang.ArrayIndexOutOfBoundsException");
      const n = Math.min(vm.jcre.availableMemory(type as number), 0x7fffffff);
      vm.writeArray(a, o, n >> 16);
      vm.writeArray(a, o + 1, ((n & 0xffff) << 16) >> 16);
    },
    // Unreachable objects are deleted at the end of every command (HeapStore): a request has nothing more to do.
    "isObjectDeletionSupported()Z": () => 1,
    "requestObjectDeletion()V": () => {},
    "getPreviousContextAID()Ljavacard/framework/AID;": (vm) => vm.jcre.previousContextAid(),
    "getAppletShareableInterfaceObject(Ljavacard/framework/AID;B)Ljavacard/framework/Shareable;": (vm, [aid, param]) =>
      aid instanceof JObject ? vm.jcre.shareable(aid, param as number) : null,
    "getAssignedChannel()B": () => 0,
    "isAppletActive(Ljavacard/framework/AID;)Z": (vm, [aid]) => (aid instanceof JObject && vm.jcre.isActive(aid) ? 1 : 0),
  },
};
