/**
 * How heap objects are written to the card's memory and read back: one row
 * per object or array, references by id. Class identity: the API class
 * name, the card's implementation class name, or "<package AID>@<offset>"
 * for a class of a loaded package. API objects keep their native state as
 * plain data (numbers, strings, bytes); engines (a hash in progress) are
 * rebuilt by the implementation's revive function.
 */
import { fromHex, toHex } from "../../stack/bytes.ts";
import { apiClass, isApiClass } from "./api/api-classes.ts";
import { JArray, JObject, type ArrayKind, type JClass, type Ref, type Value } from "./model.ts";
import { implByName } from "./natives/impl-class.ts";
import { persistentView } from "./natives/transient-state.ts";

export interface StoredObject {
  t: "o";
  c: string;
  o: string;
  f: StoredValue[];
  n?: unknown;
}

export interface StoredArray {
  t: "a";
  k: ArrayKind;
  o: string;
  n: number;
  c?: string;
  tr: number;
  g: boolean;
  /** Reference ids (primitive elements are stored beside, as big-endian bytes). */
  d?: StoredValue[];
}

export type StoredValue = number | null | { r: number };
export type Stored = StoredObject | StoredArray;

export function encodeValue(v: Value): StoredValue {
  if (v === null || typeof v === "number") return v;
  return { r: v.id };
}

/** Native state as plain data: numbers, strings, booleans, byte arrays ({$b: hex}), nested plain objects. */
export function encodeNative(v: unknown): unknown {
  if (v instanceof Uint8Array) return { $b: toHex(v) };
  if (v === null || typeof v !== "object") return typeof v === "function" ? undefined : v;
  if (Array.isArray(v)) return v.map(encodeNative);
  if (Object.getPrototypeOf(v) !== Object.prototype) return undefined; // an engine: rebuilt on revive
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const e = encodeNative(x);
    if (e !== undefined) out[k] = e;
  }
  return out;
}

export function decodeNative(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(decodeNative);
  const rec = v as Record<string, unknown>;
  if (typeof rec.$b === "string" && Object.keys(rec).length === 1) return fromHex(rec.$b);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(rec)) out[k] = decodeNative(x);
  return out;
}

const ELEMENT_BYTES: Readonly<Record<ArrayKind, number>> = { B: 1, Z: 1, S: 2, I: 4, L: 0 };

/** A row: the description as JSON, and a primitive array's elements as bytes. */
export function encode(ref: JObject | JArray): { stored: Stored; bytes: Uint8Array | null } {
  if (ref instanceof JObject) {
    const out: StoredObject = { t: "o", c: ref.cls.name, o: ref.owner, f: ref.fields.map(encodeValue) };
    // Transient keys (and engines' copies of them) are RAM: their contents stay out of the card's memory.
    if (ref.native !== undefined) out.n = encodeNative(persistentView(ref.native));
    return { stored: out, bytes: null };
  }
  const out: StoredArray = { t: "a", k: ref.kind, o: ref.owner, n: ref.length, tr: ref.transient, g: ref.global };
  if (ref.component) out.c = ref.component.name;
  // Transient arrays keep only their shape: their contents are RAM (JCRE §6.2.5).
  if (ref.transient !== 0) return { stored: out, bytes: null };
  if (ref.kind === "L") {
    out.d = (ref.data as Ref[]).map(encodeValue);
    return { stored: out, bytes: null };
  }
  const size = ELEMENT_BYTES[ref.kind];
  const bytes = new Uint8Array(ref.length * size);
  const view = new DataView(bytes.buffer);
  ref.data.forEach((x, i) => (size === 1 ? view.setInt8(i, x as number) : size === 2 ? view.setInt16(2 * i, x as number) : view.setInt32(4 * i, x as number)));
  return { stored: out, bytes };
}

/** Resolve a stored class name: API, the card's implementation classes, or a loaded package's class. */
export type ClassFinder = (name: string) => JClass;

export function classFinder(packageClass: (aidHex: string, offset: number) => JClass): ClassFinder {
  return (name) => {
    const at = name.indexOf("@");
    if (at > 0) return packageClass(name.slice(0, at), Number(name.slice(at + 1)));
    const impl = implByName(name, apiClass);
    if (impl) return impl.cls;
    if (isApiClass(name)) return apiClass(name);
    throw new RangeError(`the card's memory names an unknown class ${name}`);
  };
}

/** First pass: an empty shell of the right class and size with the stored id. */
export function shell(id: number, s: Stored, find: ClassFinder): JObject | JArray {
  if (s.t === "o") return new JObject(find(s.c), s.o, s.f.length, id);
  const data =
    s.k === "B" || s.k === "Z" ? new Int8Array(s.n) : s.k === "S" ? new Int16Array(s.n) : s.k === "I" ? new Int32Array(s.n) : new Array<Ref>(s.n).fill(null);
  const a = new JArray(s.k, data, s.o, s.c ? find(s.c) : undefined, s.tr, s.g);
  a.id = id;
  return a;
}

/** Second pass: fields, elements and native state, references resolved through `byId`. */
export function fill(target: JObject | JArray, s: Stored, elements: Uint8Array | null, byId: (id: number) => JObject | JArray | undefined): void {
  const value = (v: StoredValue): Value => (v === null || typeof v === "number" ? v : (byId(v.r) ?? null));
  if (target instanceof JObject && s.t === "o") {
    s.f.forEach((v, i) => (target.fields[i] = value(v)));
    if (s.n !== undefined) {
      const state = decodeNative(s.n);
      const impl = implByName(target.cls.name, apiClass);
      target.native = impl?.revive ? impl.revive(state as Record<string, unknown>) : state;
    }
    return;
  }
  if (!(target instanceof JArray) || s.t !== "a") return;
  if (s.d !== undefined) s.d.forEach((v, i) => ((target.data as Ref[])[i] = value(v) as Ref));
  else if (elements && target.kind !== "L") {
    const view = new DataView(elements.buffer, elements.byteOffset, elements.length);
    const size = ELEMENT_BYTES[target.kind];
    const n = Math.min(target.length, Math.floor(elements.length / size));
    for (let i = 0; i < n; i++) target.data[i] = (size === 1 ? view.getInt8(i) : size === 2 ? view.getInt16(2 * i) : view.getInt32(4 * i)) as never;
  }
}
