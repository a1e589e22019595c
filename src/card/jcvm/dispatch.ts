/**
 * Method lookup (JCVM 3.0.5 §6.9): a virtual token through the Class
 * component's public and package method tables (base + index; 0xFFFF or out
 * of range: inherited, look in the superclass), and the API's natives by
 * "name(descriptor)" along the class chain.
 */
import { methodHeader } from "../../stack/cap/vm/method-component.ts";
import type { ExecPackage } from "./exec-package.ts";
import type { JClass } from "./model.ts";
import { argCells, argKinds, returnKind, type NativeMethod } from "./natives/native.ts";

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
    if (fn) return fn as NativeMethod;
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
export function findVirtual(cls: JClass, token: number, from: ExecPackage | undefined): Target | undefined {
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


/** A method of a loaded package as a call target. */
export function capTarget(pkg: ExecPackage, offset: number): Target {
  return { kind: "cap", pkg, offset, nargs: methodHeader(pkg.method.code, offset).nargs };
}
