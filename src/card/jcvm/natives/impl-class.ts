/**
 * The card's own implementation classes behind API factories
 * (RandomData.getInstance, MessageDigest.getInstance, ...): a JClass that
 * extends the abstract API class and carries the natives, as a card's
 * implementation package would.
 */
import type { ApiLookup, JClass } from "../model.ts";
import { JCRE_CONTEXT } from "../model.ts";
import type { NativeTable } from "./native.ts";

const made = new Map<string, JClass>();

/** An implementation class of the API class (or interfaces) `base`, with `natives`. */
export function implClass(api: ApiLookup, name: string, base: string, natives: NativeTable, interfaces: string[] = []): JClass {
  const done = made.get(name);
  if (done) return done;
  const superclass = api(base);
  const extra = interfaces.map(api);
  const cls: JClass = {
    name,
    isInterface: false,
    superclass,
    interfaces: [...new Set([...superclass.interfaces, ...extra.flatMap((i) => [i, ...i.interfaces])])],
    context: JCRE_CONTEXT,
    natives,
    virtualKeys: superclass.virtualKeys ?? new Map(),
    interfaceKeys: new Map(),
    staticKeys: new Map(),
  };
  made.set(name, cls);
  return cls;
}

/** How to rebuild an implementation object's state after it was read back from the card's memory. */
export type Revive = (state: Record<string, unknown>) => unknown;

const defined = new Map<string, { make: (api: ApiLookup) => JClass; revive: Revive | undefined }>();

/** Name an implementation class so the card's memory can find it again (persistence). */
export function defineImpl(name: string, make: (api: ApiLookup) => JClass, revive?: Revive): (api: ApiLookup) => JClass {
  defined.set(name, { make, revive });
  return make;
}

/** The implementation class of that name and how to revive its state, if it is one. */
export function implByName(name: string, api: ApiLookup): { cls: JClass; revive: Revive | undefined } | undefined {
  const d = defined.get(name);
  return d ? { cls: d.make(api), revive: d.revive } : undefined;
}
