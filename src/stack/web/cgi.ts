/**
 * The CGI gateway: a POST to /cgi-bin/NAME runs the stored script NAME with
 * the submitted form. It turns the form into the script's variables (the
 * load file's facts included) and hands them to the script-translation agent.
 */
import { toHex } from "../bytes.ts";
import { FormatError } from "../errors.ts";
import { parseLoadFile } from "../cap/load-file.ts";
import { versionText } from "../cap/header.ts";
import type { LoaderPort, RequestSecurity } from "./port.ts";
import { parseScript } from "./script/parse.ts";
import { runScript, type InstallChoice, type ScriptResult, type Value } from "./script/run.ts";

export interface CgiInput {
  script: string;
  form: FormData;
  security: RequestSecurity;
  port: LoaderPort;
  spendNonce(nonce: string | undefined): boolean;
  onProgress?: (line: string) => void;
}

const LOAD_FILE = "load-file";

/** Run one CGI script; a malformed form or load file gives 400, never an exception. */
export async function runCgi(input: CgiInput): Promise<ScriptResult> {
  const vars = new Map<string, Value>();
  for (const [name, v] of input.form.entries()) {
    vars.set(name, typeof v === "string" ? v : new Uint8Array(await (v as Blob).arrayBuffer()));
  }
  const facts = await input.port.facts();
  vars.set("free-memory", String(facts.freeMemory));
  vars.set("block-size", String(facts.blockSize));
  vars.set("cap-versions", facts.capVersions.join(","));
  let installs: InstallChoice[] = [];
  const raw = vars.get(LOAD_FILE);
  try {
    if (raw instanceof Uint8Array) {
      const file = parseLoadFile(raw, "load-file");
      vars.set(LOAD_FILE, file.lfdb);
      vars.set("package", toHex(file.packageAid));
      vars.set("package-version", versionText(file.packageVersion));
      vars.set("cap-version", file.formatVersion);
      vars.set("load-size", String(file.lfdb.length));
      vars.set("applets", file.applets.map((a) => toHex(a.aid)).join(","));
      installs = file.applets.map((a) => ({ module: toHex(a.aid), instance: toHex(a.aid), privileges: "00", parameters: "" }));
    } else if (raw !== undefined) {
      return bad(`Field ${LOAD_FILE} must be a file`);
    }
    const choices = vars.get("install");
    if (typeof choices === "string" && choices.trim() !== "") installs = parseChoices(choices);
  } catch (e) {
    if (e instanceof FormatError) return bad(e.message);
    throw e;
  }
  const script = parseScript(input.script);
  const nonce = vars.get("nonce");
  return runScript(script, {
    vars,
    installs,
    security: input.security,
    port: input.port,
    spendNonce: () => input.spendNonce(typeof nonce === "string" ? nonce : undefined),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
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
  return list.map((c: Record<string, unknown>, i) => {
    const hex = (k: string, fallback: string) => {
      const v = c[k] ?? fallback;
      if (typeof v !== "string" || !/^([0-9a-fA-F]{2})*$/.test(v)) throw new FormatError(`install[${i}].${k} must be hex`);
      return v.toUpperCase();
    };
    const module = hex("module", "");
    if (!module) throw new FormatError(`install[${i}].module is required`);
    return { module, instance: hex("instance", module), privileges: hex("privileges", "00"), parameters: hex("parameters", "") };
  });
}
