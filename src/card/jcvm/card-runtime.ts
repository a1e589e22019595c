/**
 * The JCVM as the simulated card's applet runtime: the card manager calls
 * it to run install(), the card core asks it for the CardApplication of an
 * installed instance, and power loss clears its transient state.
 */
import { CommandApdu, ResponseApdu } from "../../stack/apdu.ts";
import { toHex } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { parseTlvs } from "../../stack/tlv.ts";
import type { CardApplication } from "../application.ts";
import type { AppletRuntime, InstallRequest } from "../isd/card-manager.ts";
import { refuse } from "../refusal.ts";
import type { Registry } from "../store/registry.ts";
import { Jcre } from "./jcre.ts";
import type { HeapHooks, VmLimits } from "./vm.ts";

export interface JavaCardRuntimeOptions {
  registry: Registry;
  /** Free persistent memory of the card now. */
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
  readonly jcre: Jcre;
  private used = 0;

  constructor(private readonly o: JavaCardRuntimeOptions) {
    const heap: HeapHooks = {
      reserve: (bytes) => {
        if (bytes > o.freeMemory()) return false;
        this.used += bytes;
        return true;
      },
      changed: () => {},
      created: () => {},
    };
    this.jcre = new Jcre({
      heap,
      store: { lfdb: (aid) => o.registry.lfdb(aid) },
      freeMemory: o.freeMemory,
      ...(o.limits ? { limits: o.limits } : {}),
      ...(o.trace ? { trace: o.trace } : {}),
      ...(o.log ? { log: o.log } : {}),
    });
  }

  install(req: InstallRequest): void {
    const op = "INSTALL [for install]";
    let out;
    try {
      out = this.jcre.install({
        packageAid: req.loadFile,
        module: req.module,
        instance: req.instance,
        privileges: req.privileges,
        appParams: appletParameters(req.params),
      });
    } catch (error) {
      return refuse(op, SW.WRONG_DATA, `the package cannot run: ${(error as Error).message}`);
    }
    if (!out.ok) {
      // An ISOException thrown by install() gives its SW; any other failure 6A80 (GP 2.3.1 §11.5.3.2).
      const sw = out.sw === SW.UNKNOWN ? SW.WRONG_DATA : out.sw;
      refuse(op, sw, `the applet's install method failed: ${out.reason}`);
    }
  }

  deleted(aid: Uint8Array): void {
    this.jcre.forget(aid);
  }

  usedBytes(): number {
    return this.used;
  }

  /** Power removed or card reset: transient memory and selection are gone. */
  powerLoss(): void {
    this.jcre.reset();
  }

  /** The CardApplication of an installed instance. */
  application(aid: Uint8Array): CardApplication {
    const jcre = this.jcre;
    return {
      aid,
      select: (_ctx, command: CommandApdu) => jcre.select(aid, command),
      process: (command: CommandApdu): ResponseApdu => jcre.process(aid, command),
      deselect: () => jcre.deselect(),
    };
  }

  describe(aid: Uint8Array): string {
    return toHex(aid);
  }
}
