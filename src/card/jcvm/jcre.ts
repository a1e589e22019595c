/**
 * The Java Card runtime environment of the simulated card (JCRE 3.0.5):
 * packages loaded from the registry and linked, applet instances with their
 * AIDs, install / select / process / deselect, the APDU of the current
 * command, transient memory, and the mapping of how a command ends
 * (normally 9000, ISOException its SW, anything else 6F00) to a response.
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { equal, toHex } from "../../stack/bytes.ts";
import { ARRAY_INIT_TYPE } from "../../stack/cap/vm/static-field.ts";
import type { ImportEntry } from "../../stack/cap/applets-imports.ts";
import { apiClass, apiPackage } from "./api/api-classes.ts";
import { ExecPackage, type LinkedImport } from "./exec-package.ts";
import { execute } from "./interpreter.ts";
import { callTarget } from "./invoke.ts";
import { findVirtual } from "./dispatch.ts";
import { byteArray, JArray, JCRE_CONTEXT, JObject, newArray, TRANSIENT, type Context, type Ref, type Value } from "./model.ts";
import { ApduState } from "./natives/apdu-state.ts";
import { aidBytes, SYSTEM_REASON } from "./natives/applet-aid.ts";
import { exceptionReason } from "./natives/lang.ts";
import { clearTransientState } from "./natives/transient-state.ts";
import { JavaThrow, VmAbort } from "./signals.ts";
import { DEFAULT_LIMITS, Vm, type HeapHooks, type JcrePort, type VmLimits } from "./vm.ts";
import { hexNumber } from "../../stack/hex.ts";

/** Virtual method tokens of javacard.framework.Applet (from its export file). */
const APPLET_TOKEN = { deselect: 4, getShareableInterfaceObject: 5, select: 6, process: 7 } as const;

const SW_APPLET_SELECT_FAILED = 0x6999;
const SW_UNKNOWN = 0x6f00;

export interface AppletInstance {
  readonly aid: Uint8Array;
  readonly object: JObject;
  readonly pkg: ExecPackage;
  /** The AID object JCSystem.getAID returns (a JCRE entry point). */
  readonly aidObject: JObject;
}

/** Where the JCRE finds load files and keeps applet instances: the card's registry and memory. */
export interface JcreStore {
  /** The load file data block of a loaded package. */
  lfdb(packageAid: Uint8Array): Uint8Array | undefined;
  /** The load file (CAP AID) holding a package of an extended CAP file (JCVM 3.1 §6.4). */
  holder?(packageAid: Uint8Array): Uint8Array | undefined;
  /** The applet instances kept from earlier sessions (persistence); none for an in-memory heap. */
  restore?(jcre: Jcre, aid: Uint8Array): AppletInstance | undefined;
  /** A package's static field image as kept from earlier sessions. */
  statics?(pkg: ExecPackage): { refs: Ref[]; prim: Uint8Array } | undefined;
}

export interface JcreOptions {
  limits?: Partial<VmLimits>;
  heap: HeapHooks;
  store: JcreStore;
  /** Free persistent memory of the card (getAvailableMemory). */
  freeMemory: () => number;
  /** Transient (RAM) bytes the card has for CLEAR_ON_RESET/DESELECT arrays. */
  transientBytes?: number;
  trace?: (line: string) => void;
  log?: (line: string) => void;
}

/** How a call into an applet ended. */
type Outcome = { ok: true; value: Value | undefined } | { ok: false; sw: number; reason: string };

export class Jcre implements JcrePort {
  readonly vm: Vm;
  apdu: ApduState | undefined;
  selecting = false;
  reselecting = false;
  private readonly packages = new Map<string, ExecPackage>();
  private readonly applets = new Map<string, AppletInstance>();
  private selected: AppletInstance | undefined;
  private installing: { aid: Uint8Array; pkg: ExecPackage; registered: AppletInstance | undefined } | undefined;
  private transientUsed = 0;
  private readonly previous: Context[] = [];

  constructor(private readonly o: JcreOptions) {
    this.vm = new Vm({ ...DEFAULT_LIMITS, ...o.limits }, o.heap, apiClass);
    this.vm.jcre = this;
    this.vm.trace = o.trace;
  }

  /** The package with this AID, loaded from the registry and linked on first use. */
  package(aid: Uint8Array): ExecPackage {
    const hex = toHex(aid);
    const done = this.packages.get(hex);
    if (done) return done;
    const lfdb = this.o.store.lfdb(aid);
    if (!lfdb) throw new VmAbort(`package ${hex} is not on the card`);
    const pkg = new ExecPackage(lfdb);
    this.packages.set(hex, pkg);
    try {
      pkg.link((entry) => this.resolveImport(entry));
      const saved = this.o.store.statics?.(pkg);
      if (saved) pkg.statics = saved;
      else this.initStatics(pkg);
    } catch (error) {
      this.packages.delete(hex);
      throw error;
    }
    return pkg;
  }

  /** Forget a deleted package or instance. */
  forget(aid: Uint8Array): void {
    const hex = toHex(aid);
    this.packages.delete(hex);
    this.applets.delete(hex);
    if (this.selected && equal(this.selected.aid, aid)) this.selected = undefined;
  }

  private resolveImport(entry: ImportEntry): LinkedImport | undefined {
    const api = apiPackage(toHex(entry.aid));
    if (api) return { kind: "api", pkg: api };
    // A package of an extended file links to its CAP file's one ExecPackage (shared statics), with that package's exports.
    const pkg = this.package(this.o.store.holder?.(entry.aid) ?? entry.aid);
    return { kind: "cap", pkg, exports: pkg.exportsByPackage.get(toHex(entry.aid)) ?? [] };
  }

  /** The static field image at load time (JCVM §6.11): arrays created, primitives as given. */
  private initStatics(pkg: ExecPackage): void {
    const img = pkg.staticImage;
    const refs: Ref[] = new Array<Ref>(img.referenceCount).fill(null);
    img.arrayInits.forEach((init, i) => {
      const size = init.type === ARRAY_INIT_TYPE.short ? 2 : init.type === ARRAY_INIT_TYPE.int ? 4 : 1;
      const kind = init.type === ARRAY_INIT_TYPE.boolean ? "Z" : size === 1 ? "B" : size === 2 ? "S" : "I";
      const a = newArray(kind, init.values.length / size, pkg.context);
      const v = new DataView(init.values.buffer, init.values.byteOffset, init.values.length);
      for (let k = 0; k < a.length; k++) a.data[k] = (size === 1 ? v.getInt8(k) : size === 2 ? v.getInt16(2 * k) : v.getInt32(4 * k)) as never;
      this.o.heap.created(a);
      refs[i] = a;
    });
    pkg.statics = { refs, prim: img.primitives.slice() };
    this.o.heap.changed(pkg);
  }

  /** Every package linked so far (persistence of static images). */
  loadedPackages(): ExecPackage[] {
    return [...this.packages.values()];
  }

  /** Every applet instance known so far. */
  instances(): AppletInstance[] {
    return [...this.applets.values()];
  }

  /** Adopt an instance restored from the card's memory. */
  adopt(instance: AppletInstance): void {
    this.applets.set(toHex(instance.aid), instance);
  }

  instance(aid: Uint8Array): AppletInstance | undefined {
    const hex = toHex(aid);
    const known = this.applets.get(hex);
    if (known) return known;
    const restored = this.o.store.restore?.(this, aid);
    if (restored) this.applets.set(hex, restored);
    return restored;
  }

  /**
   * INSTALL [for install]: run the applet class's install(byte[], short, byte)
   * with the GlobalPlatform install data (JCRE §11.1.? / GP 2.3.1 §C.? :
   * Li | instance AID | Lc | privileges | La | application parameters of C9).
   */
  install(req: { packageAid: Uint8Array; module: Uint8Array; instance: Uint8Array; privileges: Uint8Array; appParams: Uint8Array }): Outcome {
    const pkg = this.package(req.packageAid);
    const applet = pkg.applets.find((a) => equal(a.aid, req.module));
    if (!applet) return { ok: false, sw: 0x6a88, reason: `package ${pkg.aidHex} has no applet ${toHex(req.module)}` };
    const data = Uint8Array.of(req.instance.length, ...req.instance, req.privileges.length, ...req.privileges, req.appParams.length, ...req.appParams);
    const bArray = byteArray(data, JCRE_CONTEXT, true);
    this.installing = { aid: req.instance, pkg, registered: undefined };
    try {
      const out = this.run(() => execute(this.vm, pkg, applet.installMethodOffset, [bArray, 0, data.length]));
      if (!out.ok) return out;
      if (!this.installing.registered) return { ok: false, sw: SW_UNKNOWN, reason: "install() returned without calling register()" };
      this.applets.set(toHex(req.instance), this.installing.registered);
      return out;
    } finally {
      this.installing = undefined;
      this.endCommand();
    }
  }

  /** Applet.register (JC API): only during install, under the instance AID the card manager gave. */
  register(object: JObject, aid: Uint8Array | undefined): void {
    const inst = this.installing;
    if (!inst || inst.registered) return this.vm.throwJava("javacard.framework.SystemException", SYSTEM_REASON.ILLEGAL_AID);
    if (aid && !equal(aid, inst.aid)) return this.vm.throwJava("javacard.framework.SystemException", SYSTEM_REASON.ILLEGAL_AID);
    const aidObject = this.aidObject(inst.aid);
    inst.registered = { aid: inst.aid, object, pkg: inst.pkg, aidObject };
  }

  /** A JCRE-owned AID object. */
  aidObject(bytes: Uint8Array): JObject {
    const obj = new JObject(apiClass("javacard.framework.AID"), JCRE_CONTEXT, 0);
    obj.native = { bytes: bytes.slice() };
    return obj;
  }

  /** SELECT: select() then process() with the SELECT APDU (JCRE §4.2). */
  select(aid: Uint8Array, command: CommandApdu): ResponseApdu {
    const inst = this.instance(aid);
    if (!inst) return ResponseApdu.of(SW_UNKNOWN);
    this.reselecting = this.selected === inst;
    this.selected = inst;
    this.apdu = new ApduState(command, apiClass("javacard.framework.APDU"));
    this.selecting = true;
    try {
      const chose = this.run(() => this.callApplet(inst, APPLET_TOKEN.select, []));
      if (!chose.ok || chose.value === 0) {
        this.selected = undefined;
        return ResponseApdu.of(chose.ok ? SW_APPLET_SELECT_FAILED : chose.sw);
      }
      return this.respond(this.run(() => this.callApplet(inst, APPLET_TOKEN.process, [this.apdu!.object])));
    } finally {
      this.selecting = false;
      this.endCommand();
    }
  }

  /** Any other command to the selected applet: process(apdu). */
  process(aid: Uint8Array, command: CommandApdu): ResponseApdu {
    const inst = this.instance(aid);
    if (!inst) return ResponseApdu.of(SW_UNKNOWN);
    this.selected = inst;
    this.apdu = new ApduState(command, apiClass("javacard.framework.APDU"));
    try {
      return this.respond(this.run(() => this.callApplet(inst, APPLET_TOKEN.process, [this.apdu!.object])));
    } finally {
      this.endCommand();
    }
  }

  /** The applet loses the selection: deselect(), then its CLEAR_ON_DESELECT memory is cleared. */
  deselect(): void {
    const inst = this.selected;
    this.selected = undefined;
    if (!inst) return;
    try {
      const out = this.run(() => this.callApplet(inst, APPLET_TOKEN.deselect, []));
      if (!out.ok) this.o.log?.(`${toHex(inst.aid)}: deselect() ended with ${out.reason}`);
    } finally {
      this.endCommand();
      this.clearTransients(TRANSIENT.CLEAR_ON_DESELECT);
    }
  }

  /** Card reset or power loss: all transient memory is cleared, nothing is selected, an open transaction is rolled back. */
  reset(): void {
    if (this.vm.tx) this.vm.abortTransaction();
    this.selected = undefined;
    this.clearTransients(TRANSIENT.CLEAR_ON_RESET);
    this.clearTransients(TRANSIENT.CLEAR_ON_DESELECT);
    for (const inst of this.applets.values()) resetPins(inst);
  }

  private clearTransients(kind: number): void {
    // Every object in memory: arrays and keys read back from the card's memory after a restart are transient too.
    for (const t of this.vm.heap.loaded()) {
      if (t instanceof JArray) {
        if (t.transient === kind) (t.data as { fill(v: unknown): unknown }).fill(t.kind === "L" ? null : 0);
      } else clearTransientState(t, kind);
    }
  }

  private callApplet(inst: AppletInstance, token: number, args: Value[]): Value | undefined {
    const target = findVirtual(inst.object.cls, token, undefined);
    if (!target) throw new VmAbort(`applet ${toHex(inst.aid)} has no method for Applet token ${token}`);
    this.vm.context = JCRE_CONTEXT;
    return callTarget(this.vm, execute, target, [inst.object, ...args], inst.object.cls);
  }

  /** Run applet code with a fresh budget; how it ended. */
  private run(fn: () => Value | undefined): Outcome {
    this.vm.startCommand();
    const before = this.vm.budget;
    try {
      const value = fn();
      return { ok: true, value };
    } catch (error) {
      if (error instanceof JavaThrow) {
        const obj = error.object;
        if (obj.cls.name === "javacard.framework.ISOException") {
          return { ok: false, sw: exceptionReason(obj) & 0xffff, reason: `ISOException ${hex4(exceptionReason(obj))}` };
        }
        return { ok: false, sw: SW_UNKNOWN, reason: `uncaught ${describe(obj)}` };
      }
      if (error instanceof VmAbort) return { ok: false, sw: error.sw, reason: error.message };
      if (error instanceof RangeError && /call stack/i.test(error.message)) return { ok: false, sw: SW_UNKNOWN, reason: "stack overflow" };
      throw error;
    } finally {
      this.vm.executed += before - Math.max(0, this.vm.budget);
      this.vm.context = JCRE_CONTEXT;
    }
  }

  private respond(out: Outcome): ResponseApdu {
    const data = this.apdu?.response() ?? new Uint8Array(0);
    if (out.ok) return ResponseApdu.of(0x9000, data);
    if (out.sw !== SW_UNKNOWN) return ResponseApdu.of(out.sw, data);
    this.o.log?.(`applet ${this.selected ? toHex(this.selected.aid) : "?"}: ${out.reason}: answered 6F00`);
    return ResponseApdu.of(SW_UNKNOWN);
  }

  /** JCRE §7.6.?: a transaction still open when the applet returns is aborted. */
  private endCommand(): void {
    if (this.vm.tx) this.vm.abortTransaction();
    this.apdu = undefined;
  }

  // --- what the natives ask of the JCRE ---

  selectedContext(): Context | undefined {
    return this.selected?.pkg.context;
  }

  reserveTransient(length: number): boolean {
    const cap = this.o.transientBytes ?? 8192;
    if (this.transientUsed + length > cap) return false;
    this.transientUsed += length;
    return true;
  }

  availableMemory(type: number): number {
    if (type === 0) return this.o.freeMemory();
    return Math.max(0, (this.o.transientBytes ?? 8192) - this.transientUsed);
  }

  /** The AID of the applet whose context is running (the one being installed, or the selected one). */
  contextAid(context: Context): JObject | null {
    if (this.installing && this.installing.pkg.context === context) return this.installing.registered?.aidObject ?? null;
    if (this.selected && this.selected.pkg.context === context) return this.selected.aidObject;
    return [...this.applets.values()].find((a) => a.pkg.context === context)?.aidObject ?? null;
  }

  lookupAid(bytes: Uint8Array): JObject | null {
    return this.instance(bytes)?.aidObject ?? null;
  }

  previousContextAid(): JObject | null {
    const prev = this.previous[this.previous.length - 1];
    return prev ? this.contextAid(prev) : null;
  }

  isActive(aid: JObject): boolean {
    return this.selected !== undefined && equal(this.selected.aid, aidBytes(aid));
  }

  /** JCSystem.getAppletShareableInterfaceObject: the server's getShareableInterfaceObject(client AID, param), run in its context. */
  shareable(serverAid: JObject, param: number): Ref {
    const server = this.instance(aidBytes(serverAid));
    if (!server) return null;
    const client = this.contextAid(this.vm.context);
    this.previous.push(this.vm.context);
    const saved = this.vm.context;
    try {
      const target = findVirtual(server.object.cls, APPLET_TOKEN.getShareableInterfaceObject, undefined);
      if (!target) return null;
      this.vm.context = JCRE_CONTEXT;
      const r = callTarget(this.vm, execute, target, [server.object, client, param], server.object.cls) as Ref;
      return r instanceof JObject ? r : null;
    } finally {
      this.vm.context = saved;
      this.previous.pop();
    }
  }
}

function resetPins(inst: AppletInstance): void {
  void inst;
}

function hex4(v: number): string {
  return hexNumber(v & 0xffff, 4);
}

function describe(obj: JObject): string {
  const reason = (obj.native as { reason?: number } | undefined)?.reason;
  return reason !== undefined && reason !== 0 ? `${obj.cls.name} (reason ${reason})` : obj.cls.name;
}

export { JArray };
