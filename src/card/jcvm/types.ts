/** Type tests of checkcast and instanceof (JCVM 3.0.5 §7.5 checkcast, instanceof) and assignment compatibility. */
import { JArray, JObject, type JClass, type Ref } from "./model.ts";

const PRIMITIVE_ATYPE: Readonly<Record<number, string>> = { 10: "Z", 11: "B", 12: "S", 13: "I" };

/** Is `a` the class `b`, a subclass of it, or an implementation of the interface `b`? */
export function isSubtype(a: JClass, b: JClass): boolean {
  if (a === b || b.name === "java.lang.Object") return true;
  if (b.isInterface) return a.interfaces.includes(b);
  for (let c = a.superclass; c; c = c.superclass) if (c === b) return true;
  return false;
}

/** Does `ref` (not null) have the type given by atype (0: class `cls`; 10-13 primitive arrays; 14: array of `cls`)? */
export function isInstance(ref: Exclude<Ref, null>, atype: number, cls: JClass | undefined): boolean {
  if (atype === 0) {
    if (ref instanceof JObject) return isSubtype(ref.cls, cls!);
    return cls!.name === "java.lang.Object";
  }
  if (!(ref instanceof JArray)) return false;
  if (atype === 14) return ref.kind === "L" && (ref.component === undefined ? cls!.name === "java.lang.Object" : isSubtype(ref.component, cls!));
  return ref.kind === PRIMITIVE_ATYPE[atype];
}
