/**
 * Constant pool resolution (JCVM 3.0.5 §6.8, §4.5): an entry becomes a
 * class, a field cell, a static field location or a call target the first
 * time an instruction uses it, and is kept in the package's cache.
 */
import { CP_TAG } from "../../stack/cap/vm/constant-pool.ts";
import type { ExecPackage } from "./exec-package.ts";
import type { JClass } from "./model.ts";
import { capTarget, findVirtual, nativeTarget, type Target } from "./dispatch.ts";
import type { Vm } from "./vm.ts";

export interface VirtualRef {
  readonly cls: JClass;
  readonly token: number;
  /** Argument cells, the receiver included. */
  readonly nargs: number;
}

export interface StaticFieldLoc {
  readonly pkg: ExecPackage;
  readonly offset: number;
}

function entry(vm: Vm, pkg: ExecPackage, index: number, tag: number) {
  const e = pkg.cp[index];
  if (!e || e.tag !== tag) return vm.abort(`constant pool entry ${index} of ${pkg.aidHex} is not of tag ${tag}`);
  return e;
}

export function classRef(vm: Vm, pkg: ExecPackage, index: number): JClass {
  const cached = pkg.resolved[index];
  if (cached) return cached as JClass;
  const e = entry(vm, pkg, index, CP_TAG.Classref);
  const cls = pkg.classOf((e as { cls: Parameters<ExecPackage["classOf"]>[0] }).cls);
  pkg.resolved[index] = cls;
  return cls;
}

export function instanceField(vm: Vm, pkg: ExecPackage, index: number): number {
  const cached = pkg.resolved[index];
  if (cached !== undefined) return cached as number;
  const e = entry(vm, pkg, index, CP_TAG.InstanceFieldref) as Extract<ReturnType<typeof entry>, { token: number }>;
  const cls = pkg.classOf(e.cls);
  if (!cls.cap) return vm.abort(`instance field ${e.token} of API class ${cls.name}: the API exports none`);
  const cell = cls.cap.fieldBase + e.token;
  pkg.resolved[index] = cell;
  return cell;
}

export function staticField(vm: Vm, pkg: ExecPackage, index: number): StaticFieldLoc {
  const cached = pkg.resolved[index];
  if (cached) return cached as StaticFieldLoc;
  const e = entry(vm, pkg, index, CP_TAG.StaticFieldref) as Extract<ReturnType<typeof entry>, { ref: unknown }>;
  let loc: StaticFieldLoc;
  if (e.ref.internal) loc = { pkg, offset: e.ref.offset };
  else {
    const imp = pkg.importAt(e.ref.pkg);
    if (imp.kind === "api") return vm.abort(`static field ${e.ref.token} of an API class is not available on this card`);
    const offset = imp.exports[e.ref.cls]?.staticFields[e.ref.token];
    if (offset === undefined) return vm.abort(`package ${imp.pkg.aidHex} exports no static field ${e.ref.cls}.${e.ref.token}`);
    loc = { pkg: imp.pkg, offset };
  }
  pkg.resolved[index] = loc;
  return loc;
}

export function virtualMethod(vm: Vm, pkg: ExecPackage, index: number): VirtualRef {
  const cached = pkg.resolved[index];
  if (cached) return cached as VirtualRef;
  const e = entry(vm, pkg, index, CP_TAG.VirtualMethodref) as Extract<ReturnType<typeof entry>, { token: number }>;
  const cls = pkg.classOf(e.cls);
  const target = findVirtual(cls, e.token, pkg);
  if (!target) return vm.abort(`no virtual method ${e.token} in ${cls.name}`);
  const ref: VirtualRef = { cls, token: e.token, nargs: target.nargs };
  pkg.resolved[index] = ref;
  return ref;
}

/** invokespecial (a constructor, a private method, or super.m()) and invokestatic targets. */
export function specialOrStatic(vm: Vm, pkg: ExecPackage, index: number): Target {
  const cached = pkg.resolved[index];
  if (cached) return cached as Target;
  const e = pkg.cp[index];
  let target: Target | undefined;
  if (e?.tag === CP_TAG.StaticMethodref) {
    const ref = e.ref;
    if (ref.internal) target = capTarget(pkg, ref.offset);
    else {
      const imp = pkg.importAt(ref.pkg);
      if (imp.kind === "cap") {
        const offset = imp.exports[ref.cls]?.staticMethods[ref.token];
        if (offset === undefined) return vm.abort(`package ${imp.pkg.aidHex} exports no static method ${ref.cls}.${ref.token}`);
        target = capTarget(imp.pkg, offset);
      } else {
        const cls = imp.pkg.byToken.get(ref.cls);
        const key = cls?.staticKeys?.get(ref.token);
        if (!cls || !key) return vm.abort(`${imp.pkg.name} has no static method ${ref.cls}.${ref.token}`);
        target = nativeTarget(cls, key, key.startsWith("<init>"));
      }
    }
  } else if (e?.tag === CP_TAG.SuperMethodref) {
    // The class_ref names the class whose method makes the call; lookup starts at its superclass.
    const cls = pkg.classOf(e.cls);
    if (!cls.superclass) return vm.abort(`super call from ${cls.name}, which has no superclass`);
    target = findVirtual(cls.superclass, e.token, pkg);
  } else {
    return vm.abort(`constant pool entry ${index} of ${pkg.aidHex} is not a method for invokespecial/invokestatic`);
  }
  if (!target) return vm.abort(`constant pool entry ${index} of ${pkg.aidHex} names no method`);
  pkg.resolved[index] = target;
  return target;
}
