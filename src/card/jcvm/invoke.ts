/**
 * Method calls: virtual dispatch through the Class component's public and
 * package method tables (JCVM 3.0.5 §6.9, base + index, 0xFFFF or out of
 * range = inherited), interface dispatch through implemented_interface_info,
 * and the API's natives by "name(descriptor)" along the class chain. The
 * firewall (JCRE §6.2.8) is checked on the receiver.
 */
import { execute } from "./interpreter.ts";
import type { ExecPackage } from "./exec-package.ts";
import { JArray, JObject, type JClass, type Ref, type Value } from "./model.ts";
import { argCells, argKinds, returnKind, type Args, type NativeMethod } from "./natives/native.ts";
import type { VirtualRef } from "./resolve.ts";
import { capTarget } from "./resolve.ts";
import type { Vm } from "./vm.ts";

export type Target =
  | { readonly kind: "cap"; readonly pkg: ExecPackage; readonly offset: number; readonly nargs: number }
  | {
      readonly kind: "native";
      readonly key: string;
      readonly owner: string;
      readonly fn: NativeMethod | undefined;
      readonly nargs: number;
      readonly args: string;
      readonly ret: "V" | "I" | "R" | "S";
      readonly instance: boolean;
    };

const NO_METHOD = 0xffff;

/** The native implementing `key` for class `cls` (looked up along its superclasses). */
export function findNative(cls: JClass, key: string): NativeMethod | undefined {
  for (let c: JClass | undefined = cls; c; c = c.superclass) {
    const fn = c.natives?.[key];
    if (fn) return fn;
  }
  return undefined;
}

export function nativeTarget(cls: JClass, key: string, instance: boolean): Target {
  const descriptor = key.slice(key.indexOf("("));
  return {
    kind: "native",
    key,
    owner: cls.name,
    fn: findNative(cls, key),
    nargs: argCells(descriptor) + (instance ? 1 : 0),
    args: (instance ? "R" : "") + argKinds(descriptor),
    ret: returnKind(descriptor),
    instance,
  };
}

const cache = new WeakMap<JClass, Map<number, Target | null>>();

/** The method a virtual token names for an object of class `cls`; package tokens (bit 8) only within `from`. */
export function findVirtual(_vm: Vm, cls: JClass, token: number, from: ExecPackage | undefined): Target | undefined {
  // Package tokens depend on the caller's package: not cached.
  if (token & 0x80) return lookupVirtual(cls, token, from);
  let perClass = cache.get(cls);
  const key = token;
  const hit = perClass?.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const found = lookupVirtual(cls, token, from);
  if (!perClass) cache.set(cls, (perClass = new Map()));
  perClass.set(key, found ?? null);
  return found;
}

function lookupVirtual(cls: JClass, token: number, from: ExecPackage | undefined): Target | undefined {
  const isPackage = (token & 0x80) !== 0;
  const t = token & 0x7f;
  for (let c: JClass | undefined = cls; c; c = c.superclass) {
    const cap = c.cap;
    if (cap) {
      const info = cap.info;
      if (isPackage) {
        if (cap.pkg !== from) continue;
        if (t >= info.packageBase && t < info.packageBase + info.packageTable.length) {
          const offset = info.packageTable[t - info.packageBase]!;
          if (offset !== NO_METHOD) return capTarget(cap.pkg as ExecPackage, offset);
        }
      } else if (t >= info.publicBase && t < info.publicBase + info.publicTable.length) {
        const offset = info.publicTable[t - info.publicBase]!;
        if (offset !== NO_METHOD) return capTarget(cap.pkg as ExecPackage, offset);
      }
      continue;
    }
    if (isPackage) return undefined;
    const key = c.virtualKeys?.get(t);
    if (key) return nativeTarget(c, key, true);
  }
  return undefined;
}

/** Call a resolved target with its argument cells. */
export function callTarget(vm: Vm, target: Target, cells: Value[], receiverClass?: JClass): Value | undefined {
  if (target.kind === "cap") return execute(vm, target.pkg, target.offset, cells);
  const fn = receiverClass ? (findNative(receiverClass, target.key) ?? target.fn) : target.fn;
  if (!fn) return vm.unimplemented(`${target.owner}.${target.key}`);
  const args: Value[] = [];
  let i = 0;
  for (const k of target.args) {
    if (k === "I") {
      args.push(((cells[i] as number) << 16) | ((cells[i + 1] as number) & 0xffff));
      i += 2;
    } else args.push(cells[i++]!);
  }
  vm.trace?.(`-> native ${target.owner}.${target.key} ${args.map(show).join(" ")}`);
  const r = fn(vm, args as Args);
  vm.retKind = target.ret;
  return r ?? undefined;
}

export function invokeVirtual(vm: Vm, from: ExecPackage, m: VirtualRef, cells: Value[]): Value | undefined {
  const receiver = (cells[0] ?? null) as Ref;
  if (receiver === null) return vm.throwJava("java.lang.NullPointerException");
  vm.checkInvoke(receiver);
  const cls = receiver instanceof JObject ? receiver.cls : m.cls;
  const target = findVirtual(vm, cls, m.token, from);
  if (!target) return vm.abort(`no method for virtual token ${m.token} in ${cls.name}`);
  return callTarget(vm, target, cells, receiver instanceof JObject ? receiver.cls : undefined);
}

export function invokeSpecialOrStatic(vm: Vm, target: Target, cells: Value[]): Value | undefined {
  if (target.kind === "native" && target.instance && (cells[0] ?? null) === null) return vm.throwJava("java.lang.NullPointerException");
  if (target.kind === "cap" || !target.instance) return callTarget(vm, target, cells);
  return callTarget(vm, target, cells);
}

export function invokeInterface(vm: Vm, iface: JClass, token: number, cells: Value[]): Value | undefined {
  const receiver = (cells[0] ?? null) as Ref;
  if (receiver === null) return vm.throwJava("java.lang.NullPointerException");
  if (receiver instanceof JArray) return vm.abort("invokeinterface on an array");
  vm.checkInterfaceInvoke(receiver, iface);
  for (let c: JClass | undefined = receiver.cls; c; c = c.superclass) {
    if (c.cap) {
      const pkg = c.cap.pkg as ExecPackage;
      for (const ii of c.cap.info.interfaces) {
        if (pkg.classOf(ii.iface) !== iface) continue;
        const vtoken = ii.index[token];
        if (vtoken === undefined) return vm.abort(`interface token ${token} not mapped by ${c.name}`);
        const target = findVirtual(vm, receiver.cls, vtoken, pkg);
        if (!target) return vm.abort(`no method for virtual token ${vtoken} in ${receiver.cls.name}`);
        return callTarget(vm, target, cells, receiver.cls);
      }
      continue;
    }
    const key = iface.interfaceKeys?.get(token);
    if (!key) return vm.abort(`interface ${iface.name} has no method ${token}`);
    return callTarget(vm, nativeTarget(iface, key, true), cells, receiver.cls);
  }
  return vm.abort(`${receiver.cls.name} does not implement ${iface.name}`);
}

function show(v: Value): string {
  if (typeof v === "number") return String(v);
  if (v === null) return "null";
  return v instanceof JArray ? `${v.kind}[${v.length}]` : v.cls.name.replace(/^.*\./, "");
}
