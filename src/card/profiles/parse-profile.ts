/**
 * Check a card profile read from JSON before the card trusts it: every field
 * present with its type and range, hex where hex is due, nothing unknown.
 * A bad profile gives one line naming the field, what it must be and what it
 * is ("Profile jcop4.json: keys.scp must be 2 or 3, got 4").
 */
import { hexProblem } from "../../stack/bytes.ts";
import { WebcardError } from "../../stack/errors.ts";
import { isAidLength } from "../../stack/aid.ts";
import { JAVA_CARD_VERSIONS } from "../../stack/cap/javacard-api.ts";
import { KDFS } from "../../stack/gp/keys.ts";
import { GP_VERSIONS, SHIPPED_LIFECYCLES, type Answer, type CardProfile } from "./profile.ts";

/** A profile file is small: anything larger is not one. */
export const PROFILE_MAX_BYTES = 64 * 1024;

type Obj = Record<string, unknown>;

class ProfileProblem extends Error {}

const fail = (path: string, must: string, got: unknown): never => {
  const shown = typeof got === "string" ? `'${got.length > 40 ? got.slice(0, 40) + "..." : got}'` : got === undefined ? "nothing" : JSON.stringify(got)?.slice(0, 40);
  throw new ProfileProblem(`${path} must be ${must}, got ${shown}`);
};

function object(v: unknown, path: string, keys: readonly string[], optional: readonly string[] = []): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "an object", v);
  const o = v as Obj;
  for (const k of Object.keys(o)) {
    if (!keys.includes(k) && !optional.includes(k)) throw new ProfileProblem(`${path ? path + "." : ""}${k} is not a profile field (fields: ${[...keys, ...optional].join(", ")})`);
  }
  for (const k of keys) if (!(k in o)) throw new ProfileProblem(`${path ? path + "." : ""}${k} is missing`);
  return o;
}

function str(v: unknown, path: string, max = 400): string {
  if (typeof v !== "string" || v.trim() === "" || v.length > max) fail(path, `text of 1 to ${max} characters`, v);
  return v as string;
}

function hexField(v: unknown, path: string, min: number, max: number): string {
  if (typeof v !== "string") fail(path, "hex text", v);
  const s = v as string;
  const problem = hexProblem(s);
  if (problem) throw new ProfileProblem(`${path} must be hex: ${problem}`);
  const n = s.replace(/\s+/g, "").length / 2;
  if (n < min || n > max) fail(path, `${min === max ? min : `${min} to ${max}`} bytes of hex`, v);
  return s;
}

const sw = (v: unknown, path: string) => hexField(v, path, 2, 2);

function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) fail(path, `a whole number from ${min} to ${max}`, v);
  return v as number;
}

function num(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) fail(path, `a number from ${min} to ${max}`, v);
  return v as number;
}

function oneOf<T extends string | number>(v: unknown, path: string, values: readonly T[]): T {
  if (!values.includes(v as T)) fail(path, `one of ${values.join(", ")}`, v);
  return v as T;
}

function record<T>(v: unknown, path: string, key: (k: string, p: string) => void, value: (x: unknown, p: string) => T): Record<string, T> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "an object", v);
  const out: Record<string, T> = {};
  const entries = Object.entries(v as Obj);
  if (entries.length > 64) fail(path, "at most 64 entries", entries.length);
  for (const [k, x] of entries) {
    key(k, `${path}.${k}`);
    out[k.toUpperCase()] = value(x, `${path}.${k}`);
  }
  return out;
}

const tagKey = (bytes: number) => (k: string, p: string) => void hexField(k, `${p} (the key)`, 1, bytes);

function answer(v: unknown, path: string): Answer {
  const o = object(v, path, [], ["data", "sw"]);
  if ("data" in o === "sw" in o) throw new ProfileProblem(`${path} must have either data (hex) or sw (a status word), not ${"data" in o ? "both" : "neither"}`);
  return "data" in o ? { data: hexField(o.data, `${path}.data`, 0, 1024) } : { sw: sw(o.sw, `${path}.sw`) };
}

/** "full", "oid-only", "none", or a whole 73 TLV (short length) in hex. */
function recognition(v: unknown): string {
  if (v === "full" || v === "oid-only" || v === "none") return v;
  const path = "fci.recognitionData";
  if (typeof v !== "string" || !/^73/i.test(v)) fail(path, "full, oid-only, none or a 73 TLV in hex", v);
  const h = hexField(v, path, 2, 129);
  if (parseInt(h.slice(2, 4), 16) !== h.length / 2 - 2) fail(path, "a 73 TLV whose length byte matches its content", v);
  return h;
}

const trueOrSw = (v: unknown, path: string): true | string => (v === true ? true : sw(v, `${path} (true or a status word)`));

function validate(raw: unknown): CardProfile {
  const top = object(raw, "", ["name", "title", "maker", "source", "atr", "protocol", "isd", "fci", "gpVersion", "keys", "getData", "getStatus", "load", "javaCard", "memoryBytes", "authFailureLimit", "link", "timing"], [
    "$comment",
    "bitRate",
    "clockHz",
    "getDataIsoCla",
    "t0Warnings",
    "statusWords",
    "notSimulated",
  ]);
  const name = str(top.name, "name", 32);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) fail("name", "lower-case letters, digits and '-'", name);
  const isd = object(top.isd, "isd", ["aid", "lifecycle"]);
  const aid = hexField(isd.aid, "isd.aid", 5, 16);
  if (!isAidLength(aid.length / 2)) fail("isd.aid", "an AID of 5 to 16 bytes", aid);
  const fci = object(top.fci, "fci", ["recognitionData", "maxBlockTag", "order", "withoutLe"], ["productionData"]);
  const keys = object(top.keys, "keys", ["scp", "i", "version", "length", "kdf", "master", "kdd"]);
  const scp = oneOf(keys.scp, "keys.scp", [2, 3] as const);
  const i = hexField(keys.i, "keys.i", 1, 1);
  const allowedI = scp === 2 ? ["15", "55"] : ["00", "10", "20", "30", "60", "70"];
  if (!allowedI.includes(i.toUpperCase())) fail("keys.i", `an SCP0${scp} i parameter the card implements (${allowedI.join(", ")})`, i);
  const length = oneOf(keys.length, "keys.length", scp === 2 ? ([16] as const) : ([16, 24, 32] as const));
  const kdf = oneOf(keys.kdf, "keys.kdf", KDFS);
  if (kdf === "kdf3" && scp !== 3) fail("keys.kdf", "none, emv or visa2 for SCP02 (KDF3 is AES)", kdf);
  if ((kdf === "emv" || kdf === "visa2") && scp !== 2) fail("keys.kdf", "none or kdf3 for SCP03 (EMV and VISA2 are 3DES)", kdf);
  const master = keys.master === "default" ? "default" : hexField(keys.master, "keys.master", length, length);
  const kdd = keys.kdd === "random" ? "random" : hexField(keys.kdd, "keys.kdd", 10, 10);
  const status = object(top.getStatus, "getStatus", ["tagged", "legacy", "paging"], ["refuse", "oneTemplate"]);
  const load = object(top.load, "load", ["maxBlock"]);
  const timing = object(top.timing, "timing", ["apduMs", "loadByteMs", "source"], ["byIns"]);
  const profile: CardProfile = {
    name,
    title: str(top.title, "title", 120),
    maker: str(top.maker, "maker", 60),
    source: str(top.source, "source", 600),
    atr: hexField(top.atr, "atr", 2, 33),
    protocol: oneOf(top.protocol, "protocol", ["T=0", "T=1"] as const),
    isd: { aid, lifecycle: oneOf(isd.lifecycle, "isd.lifecycle", SHIPPED_LIFECYCLES) },
    fci: {
      recognitionData: recognition(fci.recognitionData),
      ...(fci.productionData !== undefined ? { productionData: hexField(fci.productionData, "fci.productionData", 1, 32) } : {}),
      maxBlockTag: fci.maxBlockTag === true ? true : fci.maxBlockTag === false ? false : fail("fci.maxBlockTag", "true or false", fci.maxBlockTag),
      order: oneOf(fci.order, "fci.order", ["73-9F6E-9F65", "9F65-9F6E-73"] as const),
      withoutLe: oneOf(fci.withoutLe, "fci.withoutLe", ["fci", "sw-only"] as const),
    },
    gpVersion: oneOf(top.gpVersion, "gpVersion", GP_VERSIONS),
    keys: { scp, i, version: hexField(keys.version, "keys.version", 1, 1), length, kdf, master, kdd },
    getData: record(top.getData, "getData", tagKey(2), answer),
    getStatus: {
      tagged: trueOrSw(status.tagged, "getStatus.tagged"),
      legacy: trueOrSw(status.legacy, "getStatus.legacy"),
      paging: oneOf(status.paging, "getStatus.paging", ["entries", "bytes"] as const),
      ...(status.refuse !== undefined ? { refuse: record(status.refuse, "getStatus.refuse", tagKey(1), sw) } : {}),
      ...(status.oneTemplate !== undefined ? { oneTemplate: status.oneTemplate === true } : {}),
    },
    load: { maxBlock: int(load.maxBlock, "load.maxBlock", 16, 65535) },
    javaCard: oneOf(top.javaCard, "javaCard", JAVA_CARD_VERSIONS),
    memoryBytes: int(top.memoryBytes, "memoryBytes", 0, 64 * 1024 * 1024),
    authFailureLimit: int(top.authFailureLimit, "authFailureLimit", 1, 255),
    link: top.link === true ? true : top.link === false ? false : fail("link", "true or false", top.link),
    timing: {
      apduMs: num(timing.apduMs, "timing.apduMs", 0, 60_000),
      loadByteMs: num(timing.loadByteMs, "timing.loadByteMs", 0, 100),
      source: str(timing.source, "timing.source", 600),
      ...(timing.byIns !== undefined ? { byIns: record(timing.byIns, "timing.byIns", tagKey(1), (x, p) => num(x, p, 0, 600_000)) } : {}),
    },
  };
  if (top.bitRate !== undefined) profile.bitRate = int(top.bitRate, "bitRate", 9600, 10_000_000);
  if (top.clockHz !== undefined) profile.clockHz = int(top.clockHz, "clockHz", 1_000_000, 20_000_000);
  if (top.t0Warnings !== undefined) profile.t0Warnings = oneOf(top.t0Warnings, "t0Warnings", ["procedure", "alone"] as const);
  if (top.getDataIsoCla !== undefined) profile.getDataIsoCla = sw(top.getDataIsoCla, "getDataIsoCla");
  if (top.statusWords !== undefined) profile.statusWords = record(top.statusWords, "statusWords", tagKey(2), (x, p) => str(x, p));
  if (top.notSimulated !== undefined) {
    if (!Array.isArray(top.notSimulated) || top.notSimulated.length > 32) fail("notSimulated", "a list of at most 32 lines", top.notSimulated);
    profile.notSimulated = (top.notSimulated as unknown[]).map((x, n) => str(x, `notSimulated[${n}]`));
  }
  return profile;
}

/** A profile from its JSON text or parsed value; `origin` names it in the error ("Profile jcop4.json: ..."). */
export function parseProfile(input: string | unknown, origin: string): CardProfile {
  try {
    if (typeof input === "string") {
      if (input.length > PROFILE_MAX_BYTES) throw new ProfileProblem(`is ${input.length} bytes; a profile is at most ${PROFILE_MAX_BYTES}`);
      let json: unknown;
      try {
        json = JSON.parse(input);
      } catch (error) {
        throw new ProfileProblem(`is not JSON: ${(error as Error).message}`);
      }
      return validate(json);
    }
    return validate(input);
  } catch (error) {
    if (!(error instanceof ProfileProblem)) throw error;
    const line = error.message.startsWith("is ") ? `Profile ${origin} ${error.message}` : `Profile ${origin}: ${error.message}`;
    throw new WebcardError(line, {
      hint: "see docs/profiles.md for the fields of a profile",
    });
  }
}
