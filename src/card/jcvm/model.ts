/**
 * What the JCVM's heap holds (JCVM 3.0.5 chapter 3 and §6.2): class
 * instances, arrays, and the classes they belong to. Values on the operand
 * stack and in fields are JS numbers (16-bit cells, ints as two cells on the
 * stack) or references (a JObject, a JArray, or null).
 */
import type { ClassInfo } from "../../stack/cap/vm/class-component.ts";

/** An execution context (JCRE §6.1.2): the package AID (hex) of the applets that own an object, or the JCRE's. */
export type Context = string;
export const JCRE_CONTEXT: Context = "JCRE";

export type Ref = JObject | JArray | null;
export type Value = number | Ref;

/**
 * An API method implemented in TypeScript, as the class tables hold it: the
 * VM type lives in vm.ts (natives/native.ts names it NativeMethod); here only
 * its shape, so that this file imports none of the runtime.
 */
export type NativeFn = (vm: never, args: never) => unknown;

/** A class or interface: from a loaded package (CAP) or the card's API (native). */
export interface JClass {
  /** "javacard.framework.Applet", or "<package AID>@<offset>" for a CAP class (CAP files carry no names). */
  readonly name: string;
  readonly isInterface: boolean;
  /** Undefined for java.lang.Object and for interfaces. */
  readonly superclass: JClass | undefined;
  /** Every interface implemented, superinterfaces and those of superclasses included. */
  readonly interfaces: readonly JClass[];
  /** The package this class belongs to: its context. */
  readonly context: Context;
  /** Set for CAP classes. */
  readonly cap?: CapClass;
  /** Native methods by "name(descriptor)", set for API classes. */
  readonly natives?: Readonly<Record<string, NativeFn>>;
  /** API classes: virtual method key by token, interface method key by token (from the token table). */
  readonly virtualKeys?: ReadonlyMap<number, string>;
  readonly interfaceKeys?: ReadonlyMap<number, string>;
  /** API classes: static method (and constructor) key by static method token. */
  readonly staticKeys?: ReadonlyMap<number, string>;
}

/** The parts of a CAP class the interpreter uses. */
export interface CapClass {
  readonly info: ClassInfo;
  /** Instance cells of all superclasses (where this class's field tokens start). */
  readonly fieldBase: number;
  /** The package object (an ExecPackage) that defines this class. */
  readonly pkg: unknown;
}

let nextId = 1;
/** A heap identity, unique in this process and above every id a card's memory holds (see `idsAbove`). */
export function newId(): number {
  return nextId++;
}

/** Objects restored from a card's memory keep their ids: new ones are numbered above them. */
export function idsAbove(id: number): void {
  if (id >= nextId) nextId = id + 1;
}

export class JObject {
  readonly id: number;
  /** Instance fields by cell (ints take the first of their two cells). */
  readonly fields: Value[];
  /** State of an API object (an OwnerPIN's PIN, a key's bytes). */
  native: unknown;
  constructor(
    readonly cls: JClass,
    readonly owner: Context,
    cells: number,
    id?: number,
  ) {
    this.id = id ?? newId();
    this.fields = new Array<Value>(cells).fill(0);
  }
}

/** Array element kinds, from newarray's atype (JCVM 3.0.5 §7.5 newarray: 10 boolean, 11 byte, 12 short, 13 int). */
export type ArrayKind = "Z" | "B" | "S" | "I" | "L";

/** Transient kinds, JCSystem: NOT_A_TRANSIENT_OBJECT 0, CLEAR_ON_RESET 1, CLEAR_ON_DESELECT 2. */
export const TRANSIENT = { NONE: 0, CLEAR_ON_RESET: 1, CLEAR_ON_DESELECT: 2 } as const;

export class JArray {
  id = newId();
  constructor(
    readonly kind: ArrayKind,
    readonly data: Int8Array | Int16Array | Int32Array | Ref[],
    readonly owner: Context,
    /** For reference arrays: the component class (checkcast, aastore). */
    readonly component: JClass | undefined = undefined,
    readonly transient: number = TRANSIENT.NONE,
    /** A global array (the APDU buffer, install parameters): any context may use it (JCRE §6.2.2). */
    readonly global = false,
  ) {}
  get length(): number {
    return this.data.length;
  }
}

export function newArray(kind: ArrayKind, length: number, owner: Context, component?: JClass, transient: number = TRANSIENT.NONE, global = false): JArray {
  const data =
    kind === "B" || kind === "Z"
      ? new Int8Array(length)
      : kind === "S"
        ? new Int16Array(length)
        : kind === "I"
          ? new Int32Array(length)
          : new Array<Ref>(length).fill(null);
  return new JArray(kind, data, owner, component, transient, global);
}

/** A byte array over a copy of `bytes`. */
export function byteArray(bytes: Uint8Array, owner: Context, global = false): JArray {
  const a = newArray("B", bytes.length, owner, undefined, TRANSIENT.NONE, global);
  (a.data as Int8Array).set(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  return a;
}

/** The bytes of a byte array (a view). */
export function bytesOf(a: JArray): Uint8Array {
  const d = a.data as Int8Array;
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}

/** A package's static field image as the VM writes it (ExecPackage), JCVM §6.11. */
export interface StaticImage {
  readonly aidHex: string;
  statics: { refs: Ref[]; prim: Uint8Array };
  getStatic(offset: number, kind: number): Value;
  setStatic(offset: number, kind: number, v: Value): void;
}

/** An API package's classes by token (api/api-classes.ts builds them). */
export interface ApiPackageClasses {
  readonly name: string;
  readonly aidHex: string;
  /** Classes and interfaces by class token. */
  readonly byToken: ReadonlyMap<number, JClass>;
}

/** Looks up an API class by its dotted name. */
export type ApiLookup = (name: string) => JClass;
