/**
 * The JCVM as the simulated card's applet runtime: the card manager calls
 * it to run install(), the card core asks it for the CardApplication of an
 * installed instance, power loss clears its transient state. Its heap lives
 * in the card's SQLite memory (HeapStore), written at the end of each
 * command inside the command's transaction.
 */
import type { Database } from "bun:sqlite";
import { CommandApdu, ResponseApdu } from "../../stack/apdu.ts";
import { equal, fromHex } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { parseTlvs } from "../../stack/tlv.ts";
import type { CardApplication } from "../application.ts";
import type { AppletRuntime, InstallRequest } from "../isd/card-manager.ts";
import { refuse } from "../refusal.ts";
import type { Registry } from "../store/registry.ts";
import { classFinder } from "./heap-codec.ts";
import { HeapStore } from "./heap-store.ts";
import { Jcre, type AppletInstance } from "./jcre.ts";
import type { VmLimits } from "./vm.ts";

export interface JavaCardRuntimeOptions {
  /** The card's memory (the JCVM writes its heap tables). */
  db: Database;
  /** Run `fn` in one transaction of the card memory (which reseals it): for writes outside a command. */
  atomically: (fn: () => void) => void;
  registry: Registry;
  /** Free persistent memory of the card now (the heap already counted). */
  freeMemory: () => number;
  limits?: Partial<VmLimits>;
  log?: (line: string) => void;
  /** --trace-vm: one line per method call. */
  trace?: (line: string) => void;
}

/** The application parameters an applet's install() gets: the value of C9 in the install parameters (GP 2.3.1 §11.5.2.3.7). */
export function appletParameters(params: Uint8Array): Uint8Array {
  try {
    return parseTlvs(params).find((t) => t.tag === 0xc9)?.value ?? new Uint8Array(0);
  } catch {
    return new Uint8Array(0);
  }
}

export class JavaCardRuntime implements AppletRuntime {
  private jcreNow!: Jcre;
  private heap!: HeapStore;
  private rootsLoaded = false;

  constructor(private readonly o: JavaCardRuntimeOptions) {
    this.start();
  }

  /** (Re)build the runtime from the card's memory. */
  private start(): void {
    const heap = new HeapStore(this.o.db, classFinder((aid, offset) => this.jcreNow.package(fromHex(aid)).jclass(offset)));
    this.heap = heap;
    this.rootsLoaded = false;
    this.jcreNow = new Jcre({
      heap: {
        reserve: (bytes) => {
          if (bytes > this.o.freeMemory()) return false;
          heap.reserve(bytes);
          return true;
        },
        changed: (t) => heap.dirty.add(t),
        loaded: () => heap.loaded(),
        created: (t) => heap.created(t),
      },
      store: {
        lfdb: (aid) => this.o.registry.lfdb(aid),
        holder: (aid) => this.o.registry.loadFiles().find((f) => f.packages.some((p) => equal(p.aid, aid)))?.aid,
        restore: (jcre, aid) => this.restore(jcre, aid),
        statics: (pkg) => heap.statics(pkg.aidHex),
      },
      freeMemory: this.o.freeMemory,
      ...(this.o.limits ? { limits: this.o.limits } : {}),
      ...(this.o.trace ? { trace: this.o.trace } : {}),
      ...(this.o.log ? { log: this.o.log } : {}),
    });
  }

  private restore(jcre: Jcre, aid: Uint8Array): AppletInstance | undefined {
    const row = this.heap.applet(aid);
    if (!row) return undefined;
    const pkg = jcre.package(row.pkg);
    const object = this.heap.get(row.object);
    if (!object || !("fields" in object)) return undefined;
    return { aid, object, pkg, aidObject: jcre.aidObject(aid) };
  }

  /** The runtime, rebuilt first if a rolled-back command left it ahead of the card's memory. */
  get jcre(): Jcre {
    if (this.heap.stale()) this.start();
    return this.jcreNow;
  }

  /** Write the command's heap changes (inside its transaction). */
  private commit(): void {
    const jcre = this.jcreNow;
    if (!this.rootsLoaded) {
      // Garbage collection needs every root: every applet instance and package image on the card.
      for (const aid of this.heap.appletAids()) jcre.instance(aid);
      for (const pkg of this.heap.staticPackages()) if (this.o.registry.lfdb(fromHex(pkg))) jcre.package(fromHex(pkg));
      this.rootsLoaded = true;
    }
    this.heap.flush(
      jcre.instances().map((i) => i.object),
      jcre.loadedPackages(),
    );
  }

  install(req: InstallRequest): void {
    const op = "INSTALL [for install]";
    const jcre = this.jcre;
    let out;
    try {
      out = jcre.install({
        packageAid: req.loadFile,
        module: req.module,
        instance: req.instance,
        privileges: req.privileges,
        appParams: appletParameters(req.params),
      });
    } catch (error) {
      this.start();
      return refuse(op, SW.WRONG_DATA, `the package cannot run: ${(error as Error).message}`);
    }
    if (!out.ok) {
      this.start();
      // An ISOException thrown by install() gives its SW; any other failure 6A80 (GP 2.3.1 §11.5.3.2).
      const sw = out.sw === SW.UNKNOWN ? SW.WRONG_DATA : out.sw;
      refuse(op, sw, `the applet's install method failed: ${out.reason}`);
    }
    const inst = jcre.instance(req.instance)!;
    this.heap.saveApplet(req.instance, req.loadFile, inst.object);
    this.commit();
  }

  deleted(aid: Uint8Array): void {
    const jcre = this.jcre;
    jcre.forget(aid);
    this.heap.deleteApplet(aid);
    this.heap.deleteStatics(aid);
    this.commit();
  }

  usedBytes(): number {
    return this.heap.usedBytes();
  }

  /** Power removed or card reset: transient memory and selection are gone. */
  powerLoss(): void {
    this.jcreNow.reset();
  }

  /** The CardApplication of an installed instance. */
  application(aid: Uint8Array): CardApplication {
    return {
      aid,
      select: (_ctx, command: CommandApdu) => this.command(() => this.jcre.select(aid, command)),
      process: (command: CommandApdu): ResponseApdu => this.command(() => this.jcre.process(aid, command)),
      deselect: () => {
        this.jcreNow.deselect();
        if (this.o.db.inTransaction) this.commit();
        else this.o.atomically(() => this.commit());
      },
    };
  }

  private command(fn: () => ResponseApdu): ResponseApdu {
    const r = fn();
    this.commit();
    return r;
  }
}
