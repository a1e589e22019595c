/**
 * Read and check a job file (JSON or TOML, docs/jobs.md) and everything it
 * names: CAP files, CSV files, keys from the environment. Every mistake is
 * one line with its place; a job with any mistake is not returned, so no
 * card is touched by a job that is half right.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, isAbsolute, join } from "node:path";
import { equal, fromHex, isHex, toHex } from "../../stack/bytes.ts";
import { parseAid } from "../../stack/aid.ts";
import type { CapFile } from "../../stack/cap/load-file.ts";
import { parseKdf, parseKeys, type Kdf, type StaticKeys } from "../../stack/gp/keys.ts";
import { parsePrivileges } from "../../stack/gp/privileges.ts";
import { SECURITY_LEVELS, type SecurityLevel } from "../../stack/gp/security-level.ts";
import { planInstalls } from "../gp/install.ts";
import { parseCsv, CSV_LIMITS, type Csv } from "./csv.ts";
import { Fields, bool, int, isObject, objects, str, strings, unknownKeys, type Raw } from "./job-fields.ts";
import type { AnswerCheck, CardKeys, IdentitySource, Job, JobCap, JobChecks, JobData, JobInstall, JobProblem, PersonalizeStep, Rotation } from "./job.ts";
import { resolveKeyRef } from "./key-ref.ts";
import { fillTemplate, templateNames, templateProblem } from "./template.ts";

/** Largest job file. */
export const JOB_FILE_LIMIT = 1024 * 1024;

export interface CheckOptions {
  /** Reads and parses a CAP file within the project's limits (the CLI passes its readLoadFile). */
  readCap: (path: string) => CapFile;
  env?: Readonly<Record<string, string | undefined>>;
}

export type CheckResult = { ok: true; job: Job; problems: [] } | { ok: false; problems: JobProblem[] };

/** Read the job file at `path` and check it. */
export function checkJobFile(path: string, options: CheckOptions): CheckResult {
  const name = basename(path);
  const problem = (message: string): CheckResult => ({ ok: false, problems: [{ place: name, message }] });
  let text: string;
  try {
    if (statSync(path).size > JOB_FILE_LIMIT) return problem(`the file is over the ${JOB_FILE_LIMIT / 1024} KiB limit of a job file`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    return problem(`cannot read the job file: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  const toml = extname(path).toLowerCase() === ".toml";
  let raw: unknown;
  try {
    raw = toml ? Bun.TOML.parse(text) : JSON.parse(text);
  } catch (error) {
    return problem(`is not valid ${toml ? "TOML" : "JSON"}: ${(error as Error).message.replace(/^(JSON|TOML) Parse error: /, "")}`);
  }
  if (!isObject(raw)) return problem("must hold one object (a table) at the top");
  return checkJob(raw, { ...options, file: path, text });
}

const TOP = ["name", "identity", "caps", "install", "keys", "data", "personalize", "checks"] as const;

/** Check a parsed job; `file` names it and is where relative paths start. */
export function checkJob(raw: Raw, options: CheckOptions & { file: string; text: string }): CheckResult {
  const problems: JobProblem[] = [];
  const f = new Fields(problems, basename(options.file), "");
  const base = dirname(options.file);
  const env = options.env ?? process.env;
  unknownKeys(f, raw, TOP);
  const name = str(f, raw, "name", true);
  const identity = identityOf(f, raw.identity);
  const caps = capsOf(f, raw, base, options.readCap);
  const installs = installsOf(f, raw, caps);
  const data = dataOf(f, raw.data, base);
  const columns = new Set(data?.csv.header ?? []);
  const keys = keysOf(f, raw.keys, base, env);
  const personalize = personalizeOf(f, raw, data, columns);
  const checks = checksOf(f, raw.checks, data, columns, keys?.rotate !== undefined);
  if (problems.length > 0 || !name || !identity || !keys) return { ok: false, problems: problems.length ? problems : [{ place: f.file, message: "is not a job" }] };
  const hash = createHash("sha256").update(options.text);
  for (const c of caps) hash.update(c.sha256);
  if (data) hash.update(data.sha256);
  if (keys.rotate?.kind === "csv") hash.update(keys.rotate.sha256);
  return {
    ok: true,
    problems: [],
    job: { name, file: options.file, hash: hash.digest("hex"), identity, caps, installs, keys, ...(data ? { data } : {}), personalize, checks },
  };
}

function identityOf(f: Fields, v: unknown): IdentitySource | undefined {
  if (v === undefined || v === "cplc") return { kind: "cplc" };
  if (v === "iccid") return { kind: "iccid" };
  if (typeof v === "string") {
    const m = /^tag:([0-9a-f]{2}|[0-9a-f]{4})$/i.exec(v.trim());
    if (m) return { kind: "tag", tag: Number.parseInt(m[1]!, 16) };
  }
  return f.add("must be cplc, iccid or tag:XXXX (a GET DATA tag of 1 or 2 bytes in hex)", "identity");
}

function resolvePath(base: string, file: string): string {
  return isAbsolute(file) ? file : join(base, file);
}

function capsOf(f: Fields, raw: Raw, base: string, readCap: (path: string) => CapFile): JobCap[] {
  const out: JobCap[] = [];
  for (const { item, f: here } of objects(f, raw, "caps")) {
    unknownKeys(here, item, ["file", "sha256"]);
    const file = str(here, item, "file", true);
    const want = str(here, item, "sha256");
    if (!file) continue;
    const path = resolvePath(base, file);
    const cap = here.at("file").attempt(() => readCap(path));
    if (!cap) continue;
    const sha256 = createHash("sha256").update(readFileSync(path)).digest("hex").toUpperCase();
    if (want !== undefined && want.toUpperCase() !== sha256) {
      here.add(`the file's SHA-256 is ${sha256}, not the one the job names: the file changed since the job was written`, "sha256");
      continue;
    }
    if (out.some((c) => c.name === file)) here.add(`${file} is named twice`, "file");
    else out.push({ name: file, path, sha256, cap });
  }
  return out;
}

function aid(f: Fields, obj: Raw, key: string, what: string, required = false): Uint8Array | undefined {
  const text = str(f, obj, key, required);
  return text === undefined ? undefined : f.at(key).attempt(() => parseAid(text, what));
}

function hexOf(f: Fields, obj: Raw, key: string): Uint8Array | undefined {
  const text = str(f, obj, key);
  if (text === undefined) return undefined;
  return isHex(text) ? fromHex(text) : f.add("must be hex bytes", key);
}

function installsOf(f: Fields, raw: Raw, caps: JobCap[]): JobInstall[] {
  const out: JobInstall[] = [];
  for (const { item, f: here } of objects(f, raw, "install")) {
    unknownKeys(here, item, ["cap", "applet", "instance", "privileges", "params", "sd"]);
    const capName = str(here, item, "cap", true);
    const cap = caps.find((c) => c.name === capName);
    if (capName && !cap) here.add(`names no file of caps: use one of ${caps.map((c) => c.name).join(", ") || "(none listed)"}`, "cap");
    const applet = aid(here, item, "applet", "Applet AID");
    const instance = aid(here, item, "instance", "Instance AID");
    const privText = str(here, item, "privileges");
    const privileges = privText === undefined ? undefined : here.at("privileges").attempt(() => parsePrivileges(privText));
    const params = hexOf(here, item, "params");
    const sd = aid(here, item, "sd", "Security domain AID");
    if (!cap) continue;
    const choices = {
      ...(applet ? { applets: [applet] } : {}),
      ...(instance ? { instances: [instance] } : {}),
      ...(privileges !== undefined ? { privileges } : {}),
      ...(params ? { params } : {}),
    };
    if (instance && !applet && cap.cap.applets.length !== 1) here.add("an instance needs its applet when the CAP has several", "applet");
    const plans = here.attempt(() => planInstalls(cap.cap, instance && !applet ? { ...choices, applets: [cap.cap.applets[0]!.aid] } : choices));
    if (!plans) continue;
    for (const p of plans) {
      if (out.some((o) => planInstalls(o.cap.cap, o.choices).some((q) => equal(q.instanceAid, p.instanceAid)))) {
        here.add(`instance ${toHex(p.instanceAid)} is installed twice by this job`, "instance");
      }
    }
    out.push({ cap, choices: instance && !applet ? { ...choices, applets: [cap.cap.applets[0]!.aid] } : choices, ...(sd ? { sd } : {}) });
  }
  return out;
}

function readCsv(f: Fields, base: string, file: string): { csv: Csv; sha256: string; path: string } | undefined {
  const path = resolvePath(base, file);
  let text: string;
  try {
    if (statSync(path).size > CSV_LIMITS.bytes) return f.add(`${file} is over the ${CSV_LIMITS.bytes / 1024 / 1024} MiB limit of a CSV file`);
    text = readFileSync(path, "utf8");
  } catch {
    return f.add(`cannot read ${path}`);
  }
  const csv = f.attempt(() => parseCsv(text, file));
  return csv ? { csv, sha256: createHash("sha256").update(text).digest("hex"), path } : undefined;
}

function dataOf(f: Fields, v: unknown, base: string): JobData | undefined {
  if (v === undefined) return undefined;
  const here = f.at("data");
  if (!isObject(v)) return here.add("must be an object (a table)");
  unknownKeys(here, v, ["csv", "match", "column"]);
  const file = str(here, v, "csv", true);
  const match = v.match ?? "order";
  if (match !== "order" && match !== "identity") return here.add("must be order (rows in turn) or identity (the row of the card's identity)", "match");
  const column = str(here, v, "column") ?? (match === "identity" ? "identity" : undefined);
  if (!file) return undefined;
  const read = readCsv(here.at("csv"), base, file);
  if (!read) return undefined;
  if (read.csv.rows.length === 0) return here.add(`${file} has no data rows`, "csv");
  if (match === "identity") {
    if (!read.csv.header.includes(column!)) return here.add(`${file} has no column '${column}': its columns are ${read.csv.header.join(", ")}`, "column");
    const seen = new Map<string, number>();
    for (const r of read.csv.rows) {
      const id = r.values[column!]!.toUpperCase();
      if (!isHex(id)) here.add(`${file}:${r.line}: identity '${id}' is not hex`, "csv");
      else if (seen.has(id)) here.add(`${file}:${r.line}: identity ${id} is also on line ${seen.get(id)}: one row per card`, "csv");
      seen.set(id, r.line);
    }
  }
  return { file, sha256: read.sha256, csv: read.csv, match, ...(column ? { column } : {}) };
}

function kdfOf(f: Fields, obj: Raw, key: string): Kdf | undefined {
  const text = str(f, obj, key);
  return text === undefined ? "none" : f.at(key).attempt(() => parseKdf(text));
}

const KEY_FIELDS = ["key", "kdf", "version"];

function keysOf(f: Fields, v: unknown, base: string, env: Readonly<Record<string, string | undefined>>): Job["keys"] | undefined {
  const here = f.at("keys");
  const obj = v === undefined ? {} : v;
  if (!isObject(obj)) return here.add("must be an object (a table)");
  unknownKeys(here, obj, ["card", "scp", "level", "rotate"]);
  let scp: 2 | 3 | undefined;
  if (obj.scp !== undefined) {
    if (obj.scp === "02" || obj.scp === 2) scp = 2;
    else if (obj.scp === "03" || obj.scp === 3) scp = 3;
    else here.add("must be 02 or 03", "scp");
  }
  const levelText = str(here, obj, "level") ?? "mac";
  const level = (SECURITY_LEVELS as readonly string[]).includes(levelText) ? (levelText as SecurityLevel) : here.add(`must be one of ${SECURITY_LEVELS.join(", ")}`, "level");
  const cardRaw = obj.card ?? { key: "default" };
  const cf = here.at("card");
  let card: CardKeys | undefined;
  if (!isObject(cardRaw)) cf.add("must be an object (a table)");
  else {
    unknownKeys(cf, cardRaw, KEY_FIELDS);
    const ref = str(cf, cardRaw, "key") ?? "default";
    const keys = cf.at("key").attempt(() => resolveKeyRef(ref, base, env));
    const kdf = kdfOf(cf, cardRaw, "kdf");
    const version = int(cf, cardRaw, "version", 0, 0xff) ?? 0;
    if (keys && kdf) card = { keys, kdf, version };
  }
  const rotate = obj.rotate === undefined ? undefined : rotationOf(here.at("rotate"), obj.rotate, base, env, card);
  if (!card || !level || (obj.rotate !== undefined && !rotate)) return undefined;
  return { card, level, ...(scp ? { scp } : {}), ...(rotate ? { rotate } : {}) };
}

function rotationOf(f: Fields, v: unknown, base: string, env: Readonly<Record<string, string | undefined>>, card: CardKeys | undefined): Rotation | undefined {
  if (!isObject(v)) return f.add("must be an object (a table)");
  unknownKeys(f, v, ["master", "kdf", "csv", "column", "version"]);
  const version = int(f, v, "version", 1, 0x7f);
  if (v.version === undefined) f.add("is missing: the key set version the per-card keys get (1 to 127)", "version");
  if (version !== undefined && card?.version === version) {
    f.add(`must differ from keys.card.version (${version}): the station tells a card already rotated by its key version`, "version");
  }
  const hasMaster = v.master !== undefined;
  const hasCsv = v.csv !== undefined;
  if (hasMaster === hasCsv) return f.add("give either master (a key diversified per card) or csv (a file of per-card keys)");
  if (hasMaster) {
    const ref = str(f, v, "master", true);
    const master = ref === undefined ? undefined : f.at("master").attempt(() => resolveKeyRef(ref, base, env));
    const kdf = kdfOf(f, v, "kdf");
    if (kdf === "none") return f.add("must be emv or visa2 (3DES, SCP02) or kdf3 (AES, SCP03): a master key is diversified per card", "kdf");
    if (!master || !kdf || version === undefined) return undefined;
    return { kind: "master", master, kdf, version };
  }
  const file = str(f, v, "csv", true);
  const column = str(f, v, "column") ?? "identity";
  if (!file) return undefined;
  const read = readCsv(f.at("csv"), base, file);
  if (!read) return undefined;
  const cols = read.csv.header;
  if (!cols.includes(column)) return f.add(`${file} has no column '${column}': its columns are ${cols.join(", ")}`, "csv");
  const separate = ["enc", "mac", "dek"].every((c) => cols.includes(c));
  if (!separate && !cols.includes("key")) return f.add(`${file} needs a column 'key' (one key for ENC, MAC and DEK) or columns enc, mac and dek`, "csv");
  const before = f.problems.length;
  const byIdentity = new Map<string, StaticKeys>();
  for (const r of read.csv.rows) {
    const id = r.values[column]!.toUpperCase();
    if (!isHex(id)) f.add(`${file}:${r.line}: identity '${id}' is not hex`, "csv");
    else if (byIdentity.has(id)) f.add(`${file}:${r.line}: identity ${id} has a second row`, "csv");
    const set = f.attempt(() => {
      try {
        return separate ? parseKeys({ enc: r.values.enc!, mac: r.values.mac!, dek: r.values.dek! }) : parseKeys({ key: r.values.key! });
      } catch (error) {
        // The message names a length or a character class, never key digits.
        throw new Error(`${file}:${r.line}: ${(error as Error).message}`);
      }
    });
    if (set && isHex(id)) byIdentity.set(id, set);
  }
  if (version === undefined || f.problems.length > before) return undefined;
  return { kind: "csv", file, sha256: read.sha256, byIdentity, version };
}

/** Problems of a template: stray braces, unknown names, and rows that do not fill it to hex. */
function template(f: Fields, text: string | undefined, data: JobData | undefined, columns: ReadonlySet<string>): string | undefined {
  if (text === undefined) return undefined;
  const bad = templateProblem(text);
  if (bad) return f.add(bad);
  const names = templateNames(text);
  for (const n of names) {
    if (n !== "identity" && !columns.has(n)) {
      return f.add(data ? `{${n}} is no column of ${data.file}: its columns are ${data.csv.header.join(", ")}` : `{${n}} needs a data CSV (data.csv) with that column`);
    }
  }
  // Fill with every row now (the card's identity as a stand-in), so a bad row is found before any card is touched.
  const rows = data?.csv.rows ?? [{ line: 0, values: {} }];
  for (const r of rows) {
    try {
      fillTemplate(text, { ...r.values, identity: "00" });
    } catch (error) {
      f.add(data ? `${data.file}:${r.line}: ${(error as Error).message}` : (error as Error).message);
      if (f.problems.length > 50) break;
    }
  }
  return text;
}

function sw(f: Fields, obj: Raw, key: string): number {
  const text = str(f, obj, key) ?? "9000";
  if (!/^[0-9a-f]{4}$/i.test(text)) return f.add("must be a status word of 4 hex digits, such as 9000", key) ?? 0x9000;
  return Number.parseInt(text, 16);
}

function personalizeOf(f: Fields, raw: Raw, data: JobData | undefined, columns: ReadonlySet<string>): PersonalizeStep[] {
  const out: PersonalizeStep[] = [];
  for (const { item, f: here } of objects(f, raw, "personalize")) {
    unknownKeys(here, item, ["store-data", "apdu"]);
    const kinds = ["store-data", "apdu"].filter((k) => item[k] !== undefined);
    if (kinds.length !== 1) {
      here.add("must hold exactly one of store-data or apdu");
      continue;
    }
    const kind = kinds[0] as "store-data" | "apdu";
    const sf = here.at(kind);
    const step = item[kind];
    if (!isObject(step)) {
      sf.add("must be an object (a table)");
      continue;
    }
    if (kind === "apdu") {
      unknownKeys(sf, step, ["select", "commands", "sw"]);
      const select = aid(sf, step, "select", "AID to select");
      const commands = strings(sf, step, "commands").map((c, i) => template(sf.at("commands").at(i), c, data, columns));
      if (commands.length === 0) sf.add("lists no commands", "commands");
      out.push({ kind, place: sf.place, ...(select ? { select } : {}), commands: commands.filter((c): c is string => c !== undefined), sw: sw(sf, step, "sw") });
      continue;
    }
    unknownKeys(sf, step, ["to", "format", "data", "tlv"]);
    const toText = str(sf, step, "to", true);
    const to = toText === undefined || toText.toLowerCase() === "isd" ? undefined : sf.at("to").attempt(() => parseAid(toText, "Application AID"));
    const format = step.format ?? (step.tlv !== undefined ? "ber-tlv" : "none");
    if (format !== "none" && format !== "ber-tlv" && format !== "dgi") sf.add("must be none, ber-tlv or dgi", "format");
    const parts: { tag?: number; template: string }[] = [];
    if ((step.data === undefined) === (step.tlv === undefined)) sf.add("give either data (a hex template) or tlv (tags and their value templates)");
    else if (step.data !== undefined) {
      const t = template(sf.at("data"), str(sf, step, "data"), data, columns);
      if (t) parts.push({ template: t });
    } else if (!isObject(step.tlv)) sf.add("must be an object of tag = value template", "tlv");
    else {
      for (const [tagText, value] of Object.entries(step.tlv)) {
        const tf = sf.at("tlv").at(tagText);
        if (!/^([0-9a-f]{2}){1,3}$/i.test(tagText)) {
          tf.add("is not a BER-TLV tag of 1 to 3 bytes in hex");
          continue;
        }
        const t = typeof value === "string" ? template(tf, value, data, columns) : tf.add("must be a hex template string");
        if (t) parts.push({ tag: Number.parseInt(tagText, 16), template: t });
      }
    }
    out.push({ kind, place: sf.place, ...(to ? { to } : {}), format: format as "none" | "ber-tlv" | "dgi", parts });
  }
  return out;
}

function checksOf(f: Fields, v: unknown, data: JobData | undefined, columns: ReadonlySet<string>, rotates: boolean): JobChecks {
  const here = f.at("checks");
  const obj = v ?? {};
  const checks: JobChecks = { registry: true, authenticate: rotates, select: [], answers: [] };
  if (!isObject(obj)) return here.add("must be an object (a table)") ?? checks;
  unknownKeys(here, obj, ["registry", "authenticate", "select", "apdu"]);
  checks.registry = bool(here, obj, "registry", true);
  checks.authenticate = bool(here, obj, "authenticate", rotates);
  if (checks.authenticate && !rotates) here.add("checks that the per-card keys open a session: it needs keys.rotate", "authenticate");
  checks.select = strings(here, obj, "select").flatMap((t, i) => here.at("select").at(i).attempt(() => parseAid(t, "AID to select")) ?? []);
  for (const { item, f: af } of objects(here, obj, "apdu")) {
    unknownKeys(af, item, ["select", "command", "response", "sw"]);
    const select = aid(af, item, "select", "AID to select");
    const command = template(af.at("command"), str(af, item, "command", true), data, columns);
    const response = template(af.at("response"), str(af, item, "response"), data, columns);
    const check: AnswerCheck = { place: af.place, command: command ?? "", sw: sw(af, item, "sw"), ...(select ? { select } : {}), ...(response ? { response } : {}) };
    checks.answers.push(check);
  }
  return checks;
}
