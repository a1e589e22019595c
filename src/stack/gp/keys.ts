/**
 * Static key sets (ENC, MAC, DEK) for GlobalPlatform secure channels, the key
 * option parser, and key diversification from the KDD of INITIALIZE UPDATE.
 * Key bytes never reach toString, JSON or inspection: only KCVs do.
 */
import { concat, fromHex, hexProblem, isHex } from "../bytes.ts";
import { tdesEcbEncrypt } from "../crypto/des.ts";
import { aesCmac } from "../crypto/cmac.ts";
import { kcvHex, type KeyType } from "../crypto/kcv.ts";
import { UsageError } from "../errors.ts";
import { DEFAULT_TEST_KEY } from "./constants.ts";

export type { KeyType } from "../crypto/kcv.ts";
export type Kdf = "none" | "emv" | "visa2" | "kdf3";
export const KDFS = ["none", "emv", "visa2", "kdf3"] as const;

/** Key type byte $k of the diversification templates: 01 ENC, 02 MAC, 03 DEK (REFERENCE.md section 4). */
const KEY_ROLE = { enc: 0x01, mac: 0x02, dek: 0x03 } as const;
type Role = keyof typeof KEY_ROLE;

export interface KeyCheckValues {
  enc: string;
  mac: string;
  dek: string;
}

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** A static key set. The raw keys are reachable only through the getters. */
export class StaticKeys {
  readonly #enc: Uint8Array;
  readonly #mac: Uint8Array;
  readonly #dek: Uint8Array;
  readonly version: number;
  readonly type: KeyType;

  constructor(init: { enc: Uint8Array; mac: Uint8Array; dek: Uint8Array; version?: number; type?: KeyType }) {
    const type = init.type ?? inferType(init.enc.length);
    for (const role of ["enc", "mac", "dek"] as const) checkLength(role, init[role], type);
    const version = init.version ?? 0;
    if (!Number.isInteger(version) || version < 0 || version > 0x7f) {
      throw new UsageError(`Key version must be 0-127 (0 = any), got ${version}`);
    }
    this.#enc = init.enc.slice();
    this.#mac = init.mac.slice();
    this.#dek = init.dek.slice();
    this.version = version;
    this.type = type;
  }

  get enc(): Uint8Array {
    return this.#enc.slice();
  }
  get mac(): Uint8Array {
    return this.#mac.slice();
  }
  get dek(): Uint8Array {
    return this.#dek.slice();
  }

  /** KCVs of the three keys (3DES or AES rule by `type`). */
  get kcvs(): KeyCheckValues {
    return { enc: kcvHex(this.#enc, this.type), mac: kcvHex(this.#mac, this.type), dek: kcvHex(this.#dek, this.type) };
  }

  /** The same keys with another type (16-byte keys are 3DES for SCP02, AES-128 for SCP03). */
  withType(type: KeyType): StaticKeys {
    return new StaticKeys({ enc: this.#enc, mac: this.#mac, dek: this.#dek, version: this.version, type });
  }

  /** The same keys with another key version. */
  withVersion(version: number): StaticKeys {
    return new StaticKeys({ enc: this.#enc, mac: this.#mac, dek: this.#dek, version, type: this.type });
  }

  toJSON(): { type: KeyType; version: number; kcv: KeyCheckValues } {
    return { type: this.type, version: this.version, kcv: this.kcvs };
  }

  toString(): string {
    const k = this.kcvs;
    return `${this.type} keys v${this.version} (KCV ENC ${k.enc} MAC ${k.mac} DEK ${k.dek})`;
  }

  [INSPECT](): string {
    return `StaticKeys { ${this.toString()} }`;
  }
}

function inferType(length: number): KeyType {
  return length === 16 ? "3DES" : "AES";
}

function checkLength(role: Role, key: Uint8Array, type: KeyType): void {
  const ok = type === "3DES" ? key.length === 16 || key.length === 24 : [16, 24, 32].includes(key.length);
  if (!ok) {
    const sizes = type === "3DES" ? "16 or 24" : "16, 24 or 32";
    throw new UsageError(`${role.toUpperCase()} key of ${key.length} bytes is not a ${type} key: use ${sizes} bytes`);
  }
}

function keyBytes(text: string, what: string): Uint8Array {
  const t = text.trim();
  if (t.toLowerCase() === "default") return fromHex(DEFAULT_TEST_KEY);
  // The problem names a count or a non-hex character, never key digits.
  if (!isHex(t)) throw new UsageError(`${what} is not hex: ${hexProblem(t) ?? "empty"}; give 32, 48 or 64 hex digits or "default"`);
  const k = fromHex(t);
  if (k.length !== 16 && k.length !== 24 && k.length !== 32) {
    throw new UsageError(`${what} has ${k.length} bytes: a key has 16, 24 or 32 bytes (32, 48 or 64 hex digits)`);
  }
  return k;
}

/** The GlobalPlatform test key 404142..4F as ENC, MAC and DEK. */
export function defaultKeys(type: KeyType = "3DES"): StaticKeys {
  const k = fromHex(DEFAULT_TEST_KEY);
  return new StaticKeys({ enc: k, mac: k, dek: k, type });
}

/**
 * Parse key options: `key` (hex of 16/24/32 bytes, or "default") applies to all
 * three keys; `enc`/`mac`/`dek` give them separately (all three together).
 */
export function parseKeys(options: {
  key?: string;
  enc?: string;
  mac?: string;
  dek?: string;
  version?: number;
  type?: KeyType;
}): StaticKeys {
  const separate = [options.enc, options.mac, options.dek].filter((v) => v !== undefined).length;
  if (separate > 0 && (separate < 3 || options.key !== undefined)) {
    throw new UsageError("Give either one key for all three, or all of the ENC, MAC and DEK keys");
  }
  const base = { ...(options.version === undefined ? {} : { version: options.version }), ...(options.type ? { type: options.type } : {}) };
  if (separate === 3) {
    return new StaticKeys({
      enc: keyBytes(options.enc!, "ENC key"),
      mac: keyBytes(options.mac!, "MAC key"),
      dek: keyBytes(options.dek!, "DEK key"),
      ...base,
    });
  }
  const k = keyBytes(options.key ?? "default", "Key");
  return new StaticKeys({ enc: k, mac: k, dek: k, ...base });
}

/** Parse one key option string ("default" or hex) into a key set. */
export function parseKeyOption(text: string, version?: number): StaticKeys {
  return parseKeys({ key: text, ...(version === undefined ? {} : { version }) });
}

/** Parse a --kdf value. */
export function parseKdf(text: string): Kdf {
  const t = text.trim().toLowerCase();
  if ((KDFS as readonly string[]).includes(t)) return t as Kdf;
  throw new UsageError(`Unknown key diversification '${text}': use one of ${KDFS.join(", ")}`);
}

function kddByte(kdd: Uint8Array, n: number): number {
  const b = kdd[n];
  if (b === undefined) throw new UsageError(`Key diversification data has ${kdd.length} bytes, need 10`);
  return b;
}

/** The 16-byte EMV or VISA2 diversification block for key role byte `k`. */
function diversificationData(kdf: "emv" | "visa2", kdd: Uint8Array, k: number): Uint8Array {
  const b = (...ns: number[]) => ns.map((n) => kddByte(kdd, n));
  // emv:   $4..$9 F0 $k $4..$9 0F $k        visa2: $0 $1 $4..$7 F0 $k $0 $1 $4..$7 0F $k
  const part = kdf === "emv" ? b(4, 5, 6, 7, 8, 9) : b(0, 1, 4, 5, 6, 7);
  return Uint8Array.from([...part, 0xf0, k, ...part, 0x0f, k]);
}

/**
 * KDF3 as GlobalPlatformPro defines it (its template `$_ 00 00 00 $k 00 $0..$9`):
 * SP 800-108 counter mode with AES-CMAC, the one-byte counter first, then
 * `00 00 00 | k | 00 | KDD`, no label and no L. The KCVs in REFERENCE.md
 * section 4 (E79C05 D1BD77 3FDE8C) match this layout, not the session-key layout.
 */
function kdf3(master: Uint8Array, k: number, kdd: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(master.length / 16) * 16);
  for (let i = 1; (i - 1) * 16 < master.length; i++) {
    out.set(aesCmac(master, concat(i, 0x00, 0x00, 0x00, k, 0x00, kdd)), (i - 1) * 16);
  }
  return out.slice(0, master.length);
}

/** Card keys derived from master keys `keys` with `kdf` and the card's KDD. */
export function diversify(keys: StaticKeys, kdf: Kdf, kdd: Uint8Array): StaticKeys {
  if (kdf === "none") return keys;
  const one = (role: Role, master: Uint8Array): Uint8Array => {
    const k = KEY_ROLE[role];
    if (kdf === "kdf3") {
      if (keys.type !== "AES") throw new UsageError("KDF3 diversification needs AES keys (SCP03)");
      return kdf3(master, k, kdd.subarray(0, 10));
    }
    if (keys.type !== "3DES") throw new UsageError(`${kdf.toUpperCase()} diversification needs 3DES keys (SCP02)`);
    return tdesEcbEncrypt(master, diversificationData(kdf, kdd, k));
  };
  if (kdd.length < 10) throw new UsageError(`Key diversification data has ${kdd.length} bytes, need 10`);
  return new StaticKeys({
    enc: one("enc", keys.enc),
    mac: one("mac", keys.mac),
    dek: one("dek", keys.dek),
    version: keys.version,
    type: keys.type,
  });
}
