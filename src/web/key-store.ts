/**
 * Keys entered in the dashboard: kept in this process's memory only, per
 * reader, never written, logged or sent back. Pages show key check values.
 */
import { fromHex } from "../stack/bytes.ts";
import { UsageError } from "../stack/errors.ts";
import { DEFAULT_TEST_KEY } from "../stack/gp/constants.ts";
import { kcvHex } from "../stack/crypto/kcv.ts";
import type { SessionKeys } from "./deps.ts";

const KDFS = ["none", "emv", "visa2", "kdf3"] as const;

function parseKey(text: string, what: string): Uint8Array {
  const t = text.trim();
  if (t.toLowerCase() === "default") return fromHex(DEFAULT_TEST_KEY);
  let key: Uint8Array;
  try {
    key = fromHex(t);
  } catch (e) {
    throw new UsageError(`The ${what} is not hex: enter 32, 48 or 64 hex digits, or 'default'`, { cause: e });
  }
  if (![16, 24, 32].includes(key.length)) {
    throw new UsageError(`The ${what} has ${key.length} bytes: enter a 16, 24 or 32-byte key, or 'default'`);
  }
  return key;
}

/** Build session keys from the key form's fields; the MAC and DEK keys default to the first. */
export function keysFromForm(form: { key?: string; mac?: string; dek?: string; kdf?: string; scp?: string }): SessionKeys {
  const enc = parseKey(form.key ?? "", "key");
  const mac = form.mac?.trim() ? parseKey(form.mac, "MAC key") : enc;
  const dek = form.dek?.trim() ? parseKey(form.dek, "DEK key") : enc;
  const kdf = (form.kdf ?? "none") as SessionKeys["kdf"];
  if (!KDFS.includes(kdf)) throw new UsageError(`Unknown key derivation '${form.kdf}': use none, emv, visa2 or kdf3`);
  const scp = form.scp === "02" || form.scp === "03" ? form.scp : undefined;
  if (form.scp && form.scp !== "auto" && scp === undefined) throw new UsageError(`Unknown secure channel '${form.scp}': use 02 or 03`);
  return { enc, mac, dek, kdf, scp };
}

/** The GlobalPlatform test key for all three keys. */
export function defaultKeys(): SessionKeys {
  const k = fromHex(DEFAULT_TEST_KEY);
  return { enc: k, mac: k, dek: k, kdf: "none" };
}

/** Key check values for display: AES for SCP03/KDF3 or non-16-byte keys, 3DES for SCP02, both when unknown. */
export function keyCheckValues(keys: SessionKeys): { enc: string; mac: string; dek: string } {
  const one = (k: Uint8Array) => {
    const aes = keys.scp === "03" || keys.kdf === "kdf3" || k.length !== 16;
    if (aes) return `AES ${kcvHex(k, "AES")}`;
    if (keys.scp === "02" || keys.kdf === "emv" || keys.kdf === "visa2") return `3DES ${kcvHex(k, "3DES")}`;
    return `3DES ${kcvHex(k, "3DES")} / AES ${kcvHex(k, "AES")}`;
  };
  return { enc: one(keys.enc), mac: one(keys.mac), dek: one(keys.dek) };
}

/** Keys per reader, in memory. */
export class KeyStore {
  readonly #keys = new Map<string, SessionKeys>();

  /** The keys for `reader`, or undefined when none were entered (operations then use the test key). */
  get(reader: string): SessionKeys | undefined {
    return this.#keys.get(reader);
  }

  set(reader: string, keys: SessionKeys): void {
    this.#keys.set(reader, keys);
  }

  /** Forget the keys of `reader`, overwriting the bytes. */
  forget(reader: string): void {
    const k = this.#keys.get(reader);
    if (k) for (const b of [k.enc, k.mac, k.dek]) b.fill(0);
    this.#keys.delete(reader);
  }
}
