/**
 * Method calls: virtual and interface dispatch (through dispatch.ts and the
 * class's implemented_interface_info, JCVM 3.0.5 §6.9), natives called with
 * their arguments as values, and the firewall (JCRE §6.2.8) checked on the
 * receiver. Bytecode runs through `exec` (the interpreter), passed in so
 * that this file does not import it.
 */
import type { ExecPackage } from "./exec-package.ts";
import { JArray, JObject, type JClass, type Ref, type Value } from "./model.ts";
import type { Args } from "./natives/native.ts";
import { findNative, findVirtual, nativeTarget, type Target } from "./dispatch.ts";
import type { VirtualRef } from "./resolve.ts";
import type { Vm } from "./vm.ts";

/** Runs a method of a loaded package (the interpreter's execute). */
export type Exec = (vm: Vm, pkg: ExecPackage, offset: number, args: Value[]) => Value | undefined;

/** Call a resolved target with its argument cells. */
export function callTarget(vm: Vm, exec: Exec, target: Target, cells: Value[], receiverClass?: JClass): Value | undefined {
  if (target.kind === "cap") return exec(vm, target.pkg, target.offset, cells);
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

export function invokeVirtual(vm: Vm, exec: Exec, from: ExecPackage, m: VirtualRef, cells: Value[]): Value | undefined {
  const receiver = (cells[0] ?? null) as Ref;
  if (receiver === null) return vm.throwJava("java.lang.NullPointerException");
  vm.checkInvoke(receiver);
  const cls = receiver instanceof JObject ? receiver.cls : m.cls;
  const target = findVirtual(cls, m.token, from);
  if (!target) return vm.abort(`no method for virtual token ${m.token} in ${cls.name}`);
  return callTarget(vm, exec, target, cells, receiver instanceof JObject ? receiver.cls : undefined);
}

export function invokeSpecialOrStatic(vm: Vm, exec: Exec, target: Target, cells: Value[]): Value | undefined {
  if (target.kind === "native" && target.instance && (cells[0] ?? null) === null) return vm.throwJava("java.lang.NullPointerException");
  return callTarget(vm, exec, target, cells);
}

export function invokeInterface(vm: Vm, exec: Exec, iface: JClass, token: number, cells: Value[]): Value | undefined {
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
        const target = findVirtual(receiver.cls, vtoken, pkg);
        if (!target) return vm.abort(`no method for virtual token ${vtoken} in ${receiver.cls.name}`);
        return callTarget(vm, exec, target, cells, receiver.cls);
      }
      continue;
    }
    const key = iface.interfaceKeys?.get(token);
    if (!key) return vm.abort(`interface ${iface.name} has no method ${token}`);
    return callTarget(vm, exec, nativeTarget(iface, key, true), cells, receiver.cls);
  }
  return vm.abort(`${receiver.cls.name} does not implement ${iface.name}`);
}

function show(v: Value): string {
  if (typeof v === "number") return String(v);
  if (v === null) return "null";
  return v instanceof JArray ? `${v.kind}[${v.length}]` : v.cls.name.replace(/^.*\./, "");
}
