/**
 * The script-translation agent: runs a parsed card script against the
 * submitted form and turns its orders into calls on IL (LoaderPort). A
 * refused order undoes what the script's earlier orders did, so IL is left
 * as it was (docs/card-scripts.md section 5).
 */
import { aidFromText } from "../../aid.ts";
import { fromHex, toHex } from "../../bytes.ts";
import { FormatError, WebcardError } from "../../errors.ts";
import { swHex } from "../../status-words.ts";
import type { LoaderPort, RequestSecurity } from "../port.ts";
import type { Comparator, Instruction, Operand } from "./parse.ts";

export type Value = string | Uint8Array;

/** One applet to install, as the loading file asks (hex fields). */
export interface InstallChoice {
  module: string;
  instance: string;
  privileges: string;
  parameters: string;
}

export interface ScriptInput {
  /** The form's fields and the loader's facts; a Map that computes some values on first read (the load file's facts) may throw FormatError there. */
  vars: Map<string, Value>;
  /** The applets to install, or a function giving them when `each install` first needs them. */
  installs: readonly InstallChoice[] | (() => readonly InstallChoice[]);
  security: RequestSecurity;
  /** Checks and spends the nonce of the form; true when it was the one issued. */
  spendNonce(): boolean;
  port: LoaderPort;
  /** Each progress line as it happens. */
  onProgress?: (line: string) => void;
  /** Each step of the LOAD as IL reports it; awaited (a response in steps pauses there). */
  onLoadProgress?: (done: number, total: number) => void | Promise<void>;
}

export interface ScriptResult {
  status: number;
  message: string;
  progress: string[];
  installed: string[];
  /** A LOAD order completed (false when the script installed from a package already on the card). */
  loaded?: boolean;
  /** AIDs that DELETE orders removed (with their related objects), in order. */
  deleted?: string[];
  /** The installed instances as IL's registry lists them once the script is done: life cycle byte (GP 11.1.1). */
  lifecycles?: Record<string, number>;
  /** The refused order, when one was. */
  error?: { operation: string; sw: string; reason: string };
}

/** The script stops with an HTTP status and one line (also thrown by a port that refuses before sending anything). */
export class Stop {
  constructor(readonly status: number, readonly message: string) {}
}

/** Map an IL refusal to an HTTP status: memory 413, already there 409, otherwise 422. */
export function statusOfSw(sw: number): number {
  if (sw === 0x6a84) return 413;
  if (sw === 0x6985 || sw === 0x6a89) return 409;
  if (sw === 0x6982) return 403;
  return 422;
}

/**
 * The refusal of the script's opening `require auth` / `require level`
 * lines, which need nothing from the request but who sends it: the CGI
 * gateway runs them before it reads the body, so an unauthenticated upload
 * is refused before anything of it is parsed. Undefined when they pass.
 */
export function preflight(script: readonly Instruction[], security: RequestSecurity): ScriptResult | undefined {
  for (const i of script) {
    if (i.op === "require-auth" && !security.authenticated) return refusal(401, AUTH_NEEDED);
    if (i.op === "require-level" && (!security.authenticated || (security.level & i.level) !== i.level)) return refusal(403, levelNeeded(i.level, security.level));
    if (i.op !== "require-auth" && i.op !== "require-level") return undefined;
  }
  return undefined;
}

const AUTH_NEEDED = "Loading needs an authenticated secure channel (SCP02 or SCP03): authenticate, then retry";
const levelNeeded = (need: number, have: number) => `Loading needs secure channel level ${toHex(Uint8Array.of(need))}, this channel has ${toHex(Uint8Array.of(have))}`;
const refusal = (status: number, message: string): ScriptResult => ({ status, message, progress: [], installed: [] });

/** Run `script`; never throws for refusals, only for bugs. */
export async function runScript(script: readonly Instruction[], input: ScriptInput): Promise<ScriptResult> {
  const vars = input.vars;
  const progress: string[] = [];
  const installed: string[] = [];
  const deleted: string[] = [];
  let loaded = false;
  let loadedPackage: Uint8Array | undefined;
  const say = (line: string) => {
    progress.push(line);
    input.onProgress?.(line);
  };
  const value = (o: Operand): Value => (o.kind === "var" ? (vars.get(o.name) ?? "") : o.kind === "number" ? String(o.value) : o.value);
  const fill = (message: string) =>
    message.replace(/\{([a-z][a-z0-9-]*)\}/g, (_m, name: string) => {
      const v = vars.get(name) ?? "";
      return typeof v === "string" ? v : `${v.length} bytes`;
    });
  const hexArg = (args: Record<string, Operand>, key: string, line: number): Uint8Array => {
    const v = args[key] ? value(args[key]!) : "";
    if (typeof v !== "string" || !/^([0-9a-fA-F]{2})*$/.test(v)) throw new Stop(400, `Script line ${line}: ${key} is not hex`);
    return fromHex(v);
  };

  async function order(i: Extract<Instruction, { op: "order" }>): Promise<void> {
    const a = i.args;
    if (i.order === "install-for-load") {
      const pkg = hexArg(a, "package", i.line);
      const size = Number(a.size ? value(a.size) : 0) || 0;
      say(`order: INSTALL [for load] ${toHex(pkg)}`);
      await input.port.installForLoad(pkg, size);
      loadedPackage = pkg;
    } else if (i.order === "load") {
      const file = a.file ? value(a.file) : "";
      if (typeof file === "string") throw new Stop(400, `Script line ${i.line}: file= must name an uploaded file`);
      say(`order: LOAD ${file.length} bytes`);
      let last = -1;
      await input.port.load(file, async (done, total) => {
        const pct = Math.floor((done * 100) / Math.max(1, total));
        if (pct >= last + 25 || done === total) {
          last = pct;
          say(`progress: LOAD ${done}/${total} bytes`);
        }
        await input.onLoadProgress?.(done, total);
      });
      loaded = true;
    } else if (i.order === "delete") {
      const aid = hexArg(a, "aid", i.line);
      say(`order: DELETE ${toHex(aid)} and its related objects`);
      await input.port.delete(aid);
      deleted.push(toHex(aid));
    } else {
      const module = hexArg(a, "module", i.line);
      const instance = a.instance ? hexArg(a, "instance", i.line) : module;
      const privileges = a.privileges ? hexArg(a, "privileges", i.line) : Uint8Array.of(0);
      const parameters = a.parameters ? hexArg(a, "parameters", i.line) : new Uint8Array(0);
      const loadFile = a["load-file"] ? hexArg(a, "load-file", i.line) : (loadedPackage ?? hexArg(a, "package", i.line));
      say(`order: INSTALL [for install and make selectable] ${toHex(module)} as ${toHex(instance)}`);
      await input.port.install({ loadFile, module, instance, privileges: privileges.length ? privileges : Uint8Array.of(0), parameters, selectable: true });
      installed.push(toHex(instance));
    }
  }

  /**
   * `find package P`: what the card's registry holds of P and who stands in
   * the way: `found` (yes/no), `found-version` ("1.0", "unknown" when the
   * registry does not say, "" when absent), `found-instances` (P's
   * applications) and `card-apps` (every application AID), comma lists.
   */
  async function find(pkg: Value, line: number): Promise<void> {
    const bytes = typeof pkg === "string" ? aidFromText(pkg) : undefined;
    if (!bytes) throw new Stop(400, `Script line ${line}: find package takes an AID in hex`);
    const aid = toHex(bytes);
    const registry = await input.port.registry();
    const file = registry.loadFiles.find((f) => f.aid.toUpperCase() === aid);
    vars.set("found", file ? "yes" : "no");
    vars.set("found-version", file ? (file.version ?? "unknown") : "");
    vars.set("found-instances", registry.applications.filter((a) => a.loadFile?.toUpperCase() === aid).map((a) => a.aid.toUpperCase()).join(","));
    vars.set("card-apps", registry.applications.map((a) => a.aid.toUpperCase()).join(","));
  }

  async function run(list: readonly Instruction[]): Promise<void> {
    for (const i of list) {
      switch (i.op) {
        case "require-auth":
          if (!input.security.authenticated) throw new Stop(401, AUTH_NEEDED);
          break;
        case "require-level":
          if (!input.security.authenticated || (input.security.level & i.level) !== i.level) {
            throw new Stop(403, levelNeeded(i.level, input.security.level));
          }
          break;
        case "require-nonce":
          if (!input.spendNonce()) throw new Stop(403, "The nonce is missing, wrong or already used: GET /loader for a new one");
          break;
        case "require-field":
          if (!vars.has(i.field)) throw new Stop(400, `The loading file lacks field ${i.field}`);
          break;
        case "check":
          if (!compare(value(i.left), i.cmp, value(i.right))) throw new Stop(i.status, fill(i.message));
          break;
        case "set":
          vars.set(i.name, value(i.value));
          break;
        case "report":
          say(fill(i.message));
          break;
        case "respond":
          throw new Stop(i.status, fill(i.message));
        case "order":
          await order(i);
          break;
        case "if":
          if (compare(value(i.left), i.cmp, value(i.right))) await run(i.body);
          break;
        case "find-package":
          await find(value(i.package), i.line);
          break;
        case "each":
          for (const choice of typeof input.installs === "function" ? input.installs() : input.installs) {
            vars.set("module", choice.module);
            vars.set("instance", choice.instance);
            vars.set("privileges", choice.privileges);
            vars.set("parameters", choice.parameters);
            await run(i.body);
          }
          break;
      }
    }
  }

  try {
    await run(script);
    return { status: 200, message: "done", progress, installed, loaded, deleted, ...(await readBack()) };
  } catch (e) {
    if (e instanceof Stop) {
      if (e.status >= 300) await undo();
      if (e.status >= 300) return { status: e.status, message: e.message, progress, installed: [], loaded: false, deleted };
      return { status: e.status, message: e.message, progress, installed, loaded, deleted, ...(await readBack()) };
    }
    // A form field or load file that does not parse, found when the script first reads it.
    if (e instanceof FormatError) {
      await undo();
      return { status: 400, message: e.message, progress, installed: [], loaded: false, deleted };
    }
    const sw = (e as { sw?: unknown }).sw;
    if (typeof sw !== "number") throw e;
    const operation = (e as { operation?: string }).operation ?? "order";
    const reason = (e as { reason?: string }).reason ?? (e instanceof WebcardError ? e.message : String(e));
    await undo();
    say(`refused: ${operation}: ${swHex(sw)}: ${reason}`);
    return {
      status: statusOfSw(sw),
      message: `${operation} refused with ${swHex(sw)}: ${reason}`,
      progress,
      installed: [],
      loaded: false,
      deleted,
      error: { operation, sw: swHex(sw), reason },
    };
  }

  /** The installed instances' life cycle, read back from IL's registry (not assumed from the orders). */
  async function readBack(): Promise<{ lifecycles?: Record<string, number> }> {
    if (installed.length === 0) return {};
    const apps = (await input.port.registry()).applications;
    const lifecycles: Record<string, number> = {};
    for (const aid of installed) {
      const app = apps.find((a) => a.aid.toUpperCase() === aid);
      if (app) lifecycles[aid] = app.lifecycle;
    }
    return { lifecycles };
  }

  async function undo(): Promise<void> {
    if (!loadedPackage) return;
    const pkg = loadedPackage;
    loadedPackage = undefined;
    try {
      await input.port.delete(pkg);
      say(`undo: DELETE ${toHex(pkg)} and its instances`);
    } catch {
      // Nothing was loaded yet (INSTALL [for load] alone leaves nothing behind).
    }
  }
}

function compare(l: Value, cmp: Comparator, r: Value): boolean {
  const ls = typeof l === "string" ? l : String(l.length);
  const rs = typeof r === "string" ? r : String(r.length);
  if (cmp === "in" || cmp === "!in") return rs.split(",").map((s) => s.trim().toUpperCase()).includes(ls.toUpperCase()) === (cmp === "in");
  const numeric = /^\d+$/.test(ls) && /^\d+$/.test(rs);
  const a: number | string = numeric ? Number(ls) : ls;
  const b: number | string = numeric ? Number(rs) : rs;
  switch (cmp) {
    case "==": return a === b;
    case "!=": return a !== b;
    case "<": return a < b;
    case "<=": return a <= b;
    case ">": return a > b;
    case ">=": return a >= b;
  }
}
