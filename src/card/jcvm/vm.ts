/**
 * The Java Card virtual machine of the simulated card: the heap, the
 * current context, the limits of one command, and the checks every
 * bytecode relies on (null, firewall, memory). Packages, applets and the
 * API state live in the JCRE (jcre.ts) that owns one Vm.
 */
import { instanceCells } from "./exec-package.ts";
import { JArray, JCRE_CONTEXT, JObject, newArray, TRANSIENT, type ApiLookup, type ArrayKind, type Context, type JClass, type Ref, type StaticImage, type Value } from "./model.ts";
import { JavaThrow, VmAbort } from "./signals.ts";
import { isSubtype } from "./types.ts";
import { Transaction, TX_REASON } from "./transaction.ts";
import type { ApduState } from "./natives/apdu-state.ts";

export interface VmLimits {
  /** Bytecodes one command (or one install) may run before the card answers 6F00. */
  bytecodesPerApdu: number;
  /** Nested method calls (the card's stack). */
  maxDepth: number;
  /** Bytes of persistent writes one transaction may log (JCSystem.getMaxCommitCapacity). */
  commitCapacity: number;
}

export const DEFAULT_LIMITS: VmLimits = { bytecodesPerApdu: 5_000_000, maxDepth: 200, commitCapacity: 4096 };

/** Bytes an object or array takes in the card's memory (header + data), for --memory. */
export function sizeOf(ref: JObject | JArray): number {
  if (ref instanceof JObject) return 8 + ref.fields.length * 2;
  if (ref.transient !== TRANSIENT.NONE) return 8;
  const per = ref.kind === "B" || ref.kind === "Z" ? 1 : ref.kind === "I" ? 4 : 2;
  return 8 + ref.length * per;
}

/** What the VM asks of the card's memory: room for new objects, and notice of writes to persistent ones. */
export interface HeapHooks {
  /** Throw (SystemException.NO_RESOURCE via the VM) when `bytes` more do not fit. */
  reserve(bytes: number): boolean;
  /** A persistent object, array or static image changed (to be saved with the command). */
  changed(target: JObject | JArray | StaticImage): void;
  /** A new persistent object or array exists. */
  created(target: JObject | JArray): void;
  /** Every object and array in memory now (those not yet read hold no transient contents). */
  loaded(): Iterable<JObject | JArray>;
}

/** What the API's natives ask of the runtime environment (jcre.ts implements it). */
export interface JcrePort {
  /** The APDU of the command being processed. */
  readonly apdu: ApduState | undefined;
  readonly selecting: boolean;
  readonly reselecting: boolean;
  register(object: JObject, aid: Uint8Array | undefined): void;
  selectedContext(): Context | undefined;
  reserveTransient(length: number): boolean;
  availableMemory(type: number): number;
  contextAid(context: Context): JObject | null;
  lookupAid(bytes: Uint8Array): JObject | null;
  previousContextAid(): JObject | null;
  isActive(aid: JObject): boolean;
  shareable(serverAid: JObject, param: number): Ref;
}

export class Vm {
  budget = 0;
  depth = 0;
  context: Context = JCRE_CONTEXT;
  retKind: "V" | "I" | "R" | "S" = "V";
  trace: ((line: string) => void) | undefined;
  /** The open transaction (JCSystem.beginTransaction), if any. */
  tx: Transaction | undefined;
  /** Bytecodes run since the VM started (benchmarks). */
  executed = 0;
  /** The runtime environment this VM runs for (set by the Jcre). */
  jcre!: JcrePort;

  constructor(
    readonly limits: VmLimits,
    readonly heap: HeapHooks,
    /** The card's API classes by name (api/api-classes.ts). */
    readonly api: ApiLookup,
    /** Reset and deselect clear these (JCSystem.makeTransient*Array). */
  ) {}

  /** Start a command: a fresh budget. */
  startCommand(): void {
    this.budget = this.limits.bytecodesPerApdu;
    this.depth = 0;
  }

  abort(message: string): never {
    throw new VmAbort(message);
  }

  /** Throw a new instance of an API exception class (with its reason for Java Card exceptions). */
  throwJava(className: string, reason?: number): never {
    const obj = new JObject(this.api(className), JCRE_CONTEXT, 0);
    obj.native = { reason: reason ?? 0 };
    throw new JavaThrow(obj);
  }

  /** An API method the card does not implement: SystemException.ILLEGAL_USE (documented in docs/jcvm.md). */
  unimplemented(what: string): never {
    this.trace?.(`unimplemented: ${what}`);
    return this.throwJava("javacard.framework.SystemException", 6);
  }

  newObject(cls: JClass): JObject {
    if (cls.isInterface) this.throwJava("java.lang.InstantiationException");
    const obj = new JObject(cls, this.context, instanceCells(cls));
    this.reserve(obj);
    this.heap.created(obj);
    return obj;
  }

  newArray(kind: ArrayKind, length: number, component?: JClass, transient: number = TRANSIENT.NONE): JArray {
    const a = newArray(kind, length, this.context, component, transient);
    this.reserve(a);
    this.heap.created(a);
    return a;
  }

  private reserve(ref: JObject | JArray): void {
    // JCSystem: an allocation beyond the memory left throws SystemException.NO_RESOURCE.
    if (!this.heap.reserve(sizeOf(ref))) this.throwJava("javacard.framework.SystemException", 5);
  }

  /** JCRE §6.2.8: may the current context use this object? */
  private accessible(ref: JObject | JArray): boolean {
    if (ref.owner === this.context || this.context === JCRE_CONTEXT) return true;
    if (ref instanceof JArray) return ref.global;
    // JCRE entry point objects (the APDU, exceptions, AIDs) belong to the JCRE and serve every context.
    return ref.owner === JCRE_CONTEXT;
  }

  private security(): never {
    return this.throwJava("java.lang.SecurityException");
  }

  fieldAccess(ref: Ref): JObject {
    if (ref === null) this.throwJava("java.lang.NullPointerException");
    if (!(ref instanceof JObject)) return this.abort("field access on an array");
    if (ref.owner !== this.context && this.context !== JCRE_CONTEXT) this.security();
    return ref;
  }

  arrayAccess(ref: Ref): JArray {
    if (ref === null) this.throwJava("java.lang.NullPointerException");
    if (!(ref instanceof JArray)) return this.abort("array access on an object");
    if (!this.accessible(ref)) this.security();
    return ref;
  }

  throwableAccess(obj: JObject): JObject {
    if (!this.accessible(obj)) this.security();
    return obj;
  }

  checkInvoke(receiver: JObject | JArray): void {
    if (!this.accessible(receiver)) this.security();
  }

  /** invokeinterface: another context's object only through a Shareable interface (JCRE §6.2.4). */
  checkInterfaceInvoke(receiver: JObject, iface: JClass): void {
    if (this.accessible(receiver)) return;
    if (iface.interfaces.some((i) => i.name === "javacard.framework.Shareable") || iface.name === "javacard.framework.Shareable") return;
    this.security();
  }

  /** JCRE §6.2.2: transient and global objects may not be stored in static fields... only references to them from temporary entry points are barred. */
  checkStaticStore(v: JObject | JArray): void {
    if (v instanceof JArray && v.global) this.security();
  }

  writeField(obj: JObject, cell: number, v: Value): void {
    if (this.tx) this.tx.logField(obj, cell);
    obj.fields[cell] = v;
    this.heap.changed(obj);
  }

  writeArray(a: JArray, index: number, v: Value): void {
    if (a.transient === TRANSIENT.NONE) {
      if (this.tx) this.tx.logArray(a, index);
      this.heap.changed(a);
    }
    a.data[index] = v as never;
  }

  /** A write that JCSystem transactions do not cover (Util.arrayCopyNonAtomic and friends). */
  writeArrayNonAtomic(a: JArray): void {
    if (a.transient === TRANSIENT.NONE) this.heap.changed(a);
  }

  writeStatic(pkg: StaticImage, offset: number, kind: number, v: Value): void {
    if (this.tx) this.tx.logStatic(pkg, offset, kind);
    pkg.setStatic(offset, kind, v);
    this.heap.changed(pkg);
  }

  isInstanceOf(obj: JObject, className: string): boolean {
    return isSubtype(obj.cls, this.api(className));
  }

  /** JCSystem.beginTransaction (JCRE chapter 7): one level, logged writes, a commit buffer of limits.commitCapacity. */
  beginTransaction(): void {
    if (this.tx) this.throwJava("javacard.framework.TransactionException", TX_REASON.IN_PROGRESS);
    this.tx = new Transaction(
      this.limits.commitCapacity,
      () => this.throwJava("javacard.framework.TransactionException", TX_REASON.BUFFER_FULL),
      (t) => this.heap.changed(t),
    );
  }

  commitTransaction(): void {
    if (!this.tx) this.throwJava("javacard.framework.TransactionException", TX_REASON.NOT_IN_PROGRESS);
    this.tx = undefined;
  }

  /** Abort (JCSystem.abortTransaction, the end of a command, power loss): every logged write is undone. */
  abortTransaction(): void {
    const tx = this.tx;
    if (!tx) return this.throwJava("javacard.framework.TransactionException", TX_REASON.NOT_IN_PROGRESS);
    tx.rollback();
    this.tx = undefined;
  }
}
