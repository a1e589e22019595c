/**
 * Keys entered in the dashboard: kept in this process's memory only, per
 * reader, never written, logged or sent back. Pages show key check values.
 */
import { UsageError } from "../stack/errors.ts";
import { defaultKeys, KDFS, parseKeys, type Kdf, type StaticKeys } from "../stack/gp/keys.ts";
import type { SessionKeys } from "./deps.ts";
import { scp11KeysFromForm, scp11Summary, type Scp11Form } from "./scp11-keys.ts";

/** Build session keys from the key form's fields; one key serves ENC, MAC and DEK unless all three are given. */
export function keysFromForm(form: { key?: string; mac?: string; dek?: string; kdf?: string; scp?: string } & Partial<Scp11Form>): SessionKeys {
  // SCP11 authenticates by certificates: 11b needs no key of ours, 11a/11c the OCE's files.
  if (form.scp?.startsWith("11")) return { keys: defaultKeys("AES"), kdf: "none", scp11: scp11KeysFromForm({ ...form, scp: form.scp }) };
  const key = form.key?.trim() ?? "";
  if (key === "") throw new UsageError("Enter a key (hex), or 'default' for the test key");
  const separate = form.mac?.trim() && form.dek?.trim();
  const keys = separate ? parseKeys({ enc: key, mac: form.mac, dek: form.dek }) : parseKeys({ key });
  const kdf = (form.kdf ?? "none") as Kdf;
  if (!(KDFS as readonly string[]).includes(kdf)) throw new UsageError(`Unknown key derivation '${form.kdf}': use none, emv, visa2 or kdf3`);
  const scpText = form.scp ?? "auto";
  if (!["auto", "", "02", "03"].includes(scpText)) throw new UsageError(`Unknown secure channel '${form.scp}': use 02, 03, 11a, 11b or 11c`);
  const scp = scpText === "02" ? 2 : scpText === "03" ? 3 : undefined;
  return scp === undefined ? { keys, kdf } : { keys, kdf, scp };
}

function kcvText(keys: StaticKeys, role: "enc" | "mac" | "dek", type: "3DES" | "AES" | "both"): string {
  if (type === "both") return `3DES ${keys.withType("3DES").kcvs[role]} / AES ${keys.withType("AES").kcvs[role]}`;
  return `${type} ${keys.withType(type).kcvs[role]}`;
}

/** Key check values for display: AES for SCP03/KDF3 or keys longer than 16 bytes, 3DES for SCP02, both when unknown. */
export function keyCheckValues(s: SessionKeys): { enc: string; mac: string; dek: string } {
  if (s.scp11) {
    const none = `none (SCP11${s.scp11.variant})`;
    return { enc: none, mac: none, dek: none };
  }
  const long = s.keys.enc.length !== 16;
  const type = s.scp === 3 || s.kdf === "kdf3" || long ? "AES" : s.scp === 2 || s.kdf === "emv" || s.kdf === "visa2" ? "3DES" : "both";
  return { enc: kcvText(s.keys, "enc", type), mac: kcvText(s.keys, "mac", type), dek: kcvText(s.keys, "dek", type) };
}

/** The line the page shows for the session's keys: KCVs, or for SCP11 fingerprints (never a key). */
export function keysSummary(s: SessionKeys): string {
  if (s.scp11) return scp11Summary(s.scp11);
  const k = keyCheckValues(s);
  return `ENC ${k.enc}, MAC ${k.mac}, DEK ${k.dek}`;
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

  /** Forget the keys of `reader`. */
  forget(reader: string): void {
    this.#keys.delete(reader);
  }
}
