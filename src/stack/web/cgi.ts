/**
 * The CGI gateway: a POST to /cgi-bin/NAME runs the stored script NAME with
 * the submitted form. It turns the form into the script's variables (the
 * load file's facts included) and hands them to the script-translation agent.
 * The load file is opened only when the script first reads one of its facts,
 * so the script's own checks (authentication, level, nonce, fields) come
 * before any of it is unzipped.
 */
import { toHex } from "../bytes.ts";
import { FormatError } from "../errors.ts";
import { parseLoadFile } from "../cap/load-file.ts";
import { versionText } from "../cap/header.ts";
import type { LoaderPort, RequestSecurity } from "./port.ts";
import type { Instruction } from "./script/parse.ts";
import { runScript, type InstallChoice, type ScriptResult, type Value } from "./script/run.ts";

export interface CgiInput {
  script: readonly Instruction[];
  form: FormData;
  security: RequestSecurity;
  port: LoaderPort;
  spendNonce(nonce: string | undefined): boolean;
  onProgress?: (line: string) => void;
  onLoadProgress?: (done: number, total: number) => void | Promise<void>;
}

const LOAD_FILE = "load-file";
/** Variables computed from the uploaded load file, on first read. */
const FILE_FACTS = ["package", "package-version", "cap-version", "load-size", "applets"] as const;

/** Most fields a loading form may carry (it needs three: load-file, install, nonce). */
export const MAX_FORM_FIELDS = 16;
/** Most applets one install list may name. */
export const MAX_INSTALLS = 32;

/**
 * The script's variables: the form's fields and the loader's facts, with the
 * load file's facts parsed from the upload the first time one is read.
 */
class FormVars extends Map<string, Value> {
  #open: (() => void) | undefined;

  /** Parse lazily: `open` runs once, before the first read of the load file or one of its facts. */
  defer(open: () => void): void {
    this.#open = open;
  }

  private resolve(name: string): void {
    if (this.#open && (name === LOAD_FILE || (FILE_FACTS as readonly string[]).includes(name))) {
      const open = this.#open;
      this.#open = undefined;
      open();
    }
  }

  override get(name: string): Value | undefined {
    this.resolve(name);
    return super.get(name);
  }

  override has(name: string): boolean {
    return super.has(name) || (this.#open !== undefined && (FILE_FACTS as readonly string[]).includes(name));
  }

  /** Parse now (for the install list, which needs the applets). */
  settle(): void {
    this.resolve(LOAD_FILE);
  }
}

/** Run one CGI script; a malformed form or load file gives 400, never an exception. */
export async function runCgi(input: CgiInput): Promise<ScriptResult> {
  const vars = new FormVars();
  const fields = [...input.form.entries()];
  if (fields.length > MAX_FORM_FIELDS) return bad(`The form has ${fields.length} fields; a loading form has at most ${MAX_FORM_FIELDS}`);
  for (const [name, v] of fields) {
    vars.set(name, typeof v === "string" ? v : new Uint8Array(await (v as Blob).arrayBuffer()));
  }
  const raw = vars.get(LOAD_FILE);
  if (raw !== undefined && !(raw instanceof Uint8Array)) return bad(`Field ${LOAD_FILE} must be a file`);
  const choices = vars.get("install");
  const facts = await input.port.facts();
  vars.set("free-memory", String(facts.freeMemory));
  vars.set("block-size", String(facts.blockSize));
  vars.set("cap-versions", facts.capVersions.join(","));
  let installs: InstallChoice[] = [];
  // Parsed when the script first reads the file or a fact of it, after the checks it makes first.
  vars.defer(() => {
    if (raw instanceof Uint8Array) {
      const file = parseLoadFile(raw, LOAD_FILE);
      vars.set(LOAD_FILE, file.lfdb);
      const set = (name: string, value: string) => vars.set(name, value);
      set("package", toHex(file.packageAid));
      set("package-version", versionText(file.packageVersion));
      set("cap-version", file.formatVersion);
      set("load-size", String(file.lfdb.length));
      set("applets", file.applets.map((a) => toHex(a.aid)).join(","));
      installs = file.applets.map((a) => ({ module: toHex(a.aid), instance: toHex(a.aid), privileges: "00", parameters: "" }));
    }
    if (typeof choices === "string" && choices.trim() !== "") installs = parseChoices(choices);
  });
  const nonce = vars.get("nonce");
  return runScript(input.script, {
    vars,
    installs: () => {
      vars.settle();
      return installs;
    },
    security: input.security,
    port: input.port,
    spendNonce: () => input.spendNonce(typeof nonce === "string" ? nonce : undefined),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    ...(input.onLoadProgress ? { onLoadProgress: input.onLoadProgress } : {}),
  });
}

function bad(message: string): ScriptResult {
  return { status: 400, message, progress: [], installed: [] };
}

/** Install choices as JSON: [{ module, instance?, privileges?, parameters? }] with hex values. */
export function parseChoices(text: string): InstallChoice[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new FormatError("Field install is not JSON: give a list of {module, instance, privileges, parameters}");
  }
  if (!Array.isArray(list) || list.length === 0) throw new FormatError("Field install must be a non-empty list");
  if (list.length > MAX_INSTALLS) throw new FormatError(`Field install lists ${list.length} applets; at most ${MAX_INSTALLS}`);
  return list.map((c: unknown, i) => {
    if (typeof c !== "object" || c === null || Array.isArray(c)) throw new FormatError(`install[${i}] must be an object {module, instance, privileges, parameters}`);
    const entry = c as Record<string, unknown>;
    const hex = (k: string, fallback: string, sizes: (n: number) => boolean, what: string) => {
      const v = Object.hasOwn(entry, k) ? entry[k] : fallback;
      if (typeof v !== "string" || !/^([0-9a-fA-F]{2})*$/.test(v)) throw new FormatError(`install[${i}].${k} must be hex`);
      if (!sizes(v.length / 2)) throw new FormatError(`install[${i}].${k} must be ${what}, got ${v.length / 2} bytes`);
      return v.toUpperCase();
    };
    // AIDs are 5-16 bytes (ISO/IEC 7816-5); privileges 1 or 3 bytes (GP 2.3.1 section 11.1.2); parameters fit one C9 TLV.
    const aid = (n: number) => n >= 5 && n <= 16;
    if (!Object.hasOwn(entry, "module")) throw new FormatError(`install[${i}].module is required`);
    const module = hex("module", "", aid, "an AID of 5-16 bytes");
    return {
      module,
      instance: hex("instance", module, aid, "an AID of 5-16 bytes"),
      privileges: hex("privileges", "00", (n) => n === 1 || n === 3, "1 or 3 bytes"),
      parameters: hex("parameters", "", (n) => n <= 255, "at most 255 bytes"),
    };
  });
}
