/**
 * PUT KEY (GP 2.3.1 section 11.8; amendment D section 7.2 for AES keys):
 * the terminal builds the command for a whole key set (ENC, MAC, DEK), the
 * card parses it, decrypts the key values with the DEK and checks each KCV.
 *
 *   P1  key version to replace (00 = add a new key set)
 *   P2  81 = key identifier 1, several keys follow
 *   data  new version | key field (ENC) | key field (MAC) | key field (DEK)
 *   3DES key field: 80 | 10 | 3DES-ECB(DEK, key) | 03 | KCV
 *   AES key field:  88 | 1 + n | key length | AES-CBC(DEK, IV 0, key padded to 16) | 03 | KCV
 *   response: new version | KCV ENC | KCV MAC | KCV DEK
 */
import { concat, equalConstantTime, toHex } from "../bytes.ts";
import { CommandApdu } from "../apdu.ts";
import { aesCbcDecrypt, aesCbcEncrypt } from "../crypto/aes.ts";
import { tdesEcbDecrypt, tdesEcbEncrypt } from "../crypto/des.ts";
import { kcv, type KeyType } from "../crypto/kcv.ts";
import { SecurityError, UsageError } from "../errors.ts";
import { SW } from "../status-words.ts";
import type { StaticKeys } from "./keys.ts";

/** Key type bytes (GP 2.3.1 table 11-16, amendment D 7.2.2). */
export const KEY_TYPE = { DES3: 0x80, AES: 0x88 } as const;
/** P2 of PUT KEY for a key set: key identifier 1 with the "multiple keys" bit (11.8.2.2). */
const PUT_KEY_P2_KEY_SET = 0x81;

function encryptValue(key: Uint8Array, type: KeyType, dek: Uint8Array, dekType: KeyType, random: (n: number) => Uint8Array): Uint8Array {
  if (dekType === "3DES") {
    if (type === "AES") throw new UsageError("AES keys can only be put under an SCP03 channel (a 3DES DEK is too weak to carry them)");
    return tdesEcbEncrypt(dek, key);
  }
  if (key.length % 16 === 0) return aesCbcEncrypt(dek, key);
  // Pad to whole AES blocks; the key length byte of the AES field says where the key ends.
  const padded = random(Math.ceil(key.length / 16) * 16).slice();
  padded.set(key);
  return aesCbcEncrypt(dek, padded);
}

/** One key data field with its encrypted value and KCV. */
export function encodeKeyField(key: Uint8Array, type: KeyType, dek: Uint8Array, dekType: KeyType, random = defaultRandom): Uint8Array {
  const value = encryptValue(key, type, dek, dekType, random);
  const check = kcv(key, type);
  if (type === "AES") return concat(KEY_TYPE.AES, value.length + 1, key.length, value, check.length, check);
  return concat(KEY_TYPE.DES3, value.length, value, check.length, check);
}

function defaultRandom(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** The PUT KEY command for a new key set `keys` (its version is the new version), encrypted with the channel's DEK. */
export function putKeyCommand(options: {
  keys: StaticKeys;
  /** Key version to replace; 0 adds a new key set (default). */
  replaceVersion?: number;
  /** SecureChannel.dek, and the type of the channel's keys (SCP02 3DES, SCP03 AES). */
  dek: Uint8Array;
  dekType: KeyType;
  random?: (n: number) => Uint8Array;
}): CommandApdu {
  const { keys, dek, dekType } = options;
  if (keys.version < 1 || keys.version > 0x7f) throw new UsageError(`New key version must be 1-127, got ${keys.version}`);
  const replace = options.replaceVersion ?? 0;
  if (replace < 0 || replace > 0x7f) throw new UsageError(`Key version to replace must be 0-127, got ${replace}`);
  const fields = [keys.enc, keys.mac, keys.dek].map((k) => encodeKeyField(k, keys.type, dek, dekType, options.random));
  return new CommandApdu({ cla: 0x80, ins: 0xd8, p1: replace, p2: PUT_KEY_P2_KEY_SET, data: concat(keys.version, ...fields), ne: 256 });
}

/** Check the card's PUT KEY answer (version and KCVs) against what was sent. */
export function checkPutKeyResponse(data: Uint8Array, keys: StaticKeys): void {
  const k = keys.kcvs;
  const expected = `${toHex(Uint8Array.of(keys.version))}${k.enc}${k.mac}${k.dek}`;
  // Some cards answer the version only; a longer answer must match exactly.
  if (data.length === 0) return;
  if (!toHex(data).startsWith(expected.slice(0, data.length * 2)) || data.length > expected.length / 2) {
    throw new SecurityError(`PUT KEY answer ${toHex(data)} does not confirm version and KCVs ${expected}`);
  }
}

export interface PutKeyValue {
  type: KeyType;
  value: Uint8Array;
}

export type ParsedPutKey =
  | { ok: true; replaceVersion: number; keyId: number; newVersion: number; keys: PutKeyValue[]; response: Uint8Array }
  | { ok: false; sw: number; reason: string };

function refuse(reason: string, sw: number = SW.WRONG_DATA): ParsedPutKey {
  return { ok: false, sw, reason };
}

/**
 * Card side: parse a plain PUT KEY command, decrypt each key with `dek`
 * (`dekType` = the channel's key type) and check its KCV. The result gives
 * the response data to send (new version | KCVs).
 */
export function parsePutKey(command: CommandApdu, dek: Uint8Array, dekType: KeyType): ParsedPutKey {
  const d = command.data;
  if (command.p1 & 0x80) return refuse("PUT KEY chaining (P1 bit 8) is not supported", SW.INCORRECT_P1P2);
  const newVersion = d[0];
  if (newVersion === undefined || newVersion < 1 || newVersion > 0x7f) return refuse("PUT KEY without a valid new key version");
  const keys: PutKeyValue[] = [];
  let o = 1;
  while (o < d.length) {
    const typeByte = d[o]!;
    const len = d[o + 1];
    if (len === undefined || o + 2 + len > d.length) return refuse(`Key field ${keys.length + 1} is truncated`);
    const field = d.subarray(o + 2, o + 2 + len);
    const kcvLen = d[o + 2 + len];
    if (kcvLen === undefined || o + 3 + len + kcvLen > d.length) return refuse(`Key field ${keys.length + 1} has no KCV`);
    const check = d.subarray(o + 3 + len, o + 3 + len + kcvLen);
    o += 3 + len + kcvLen;
    let type: KeyType;
    let value: Uint8Array;
    try {
      if (typeByte === KEY_TYPE.DES3) {
        type = "3DES";
        if (field.length !== 16 && field.length !== 24) return refuse(`3DES key of ${field.length} bytes`);
        value = dekType === "3DES" ? tdesEcbDecrypt(dek, field) : aesCbcDecrypt(dek, field);
      } else if (typeByte === KEY_TYPE.AES) {
        type = "AES";
        if (dekType !== "AES") return refuse("AES keys need an SCP03 channel", SW.CONDITIONS_NOT_SATISFIED);
        const keyLen = field[0];
        const enc = field.subarray(1);
        if (keyLen !== 16 && keyLen !== 24 && keyLen !== 32) return refuse(`AES key length ${keyLen ?? "missing"}`);
        if (enc.length % 16 !== 0 || enc.length < keyLen) return refuse(`AES key field of ${enc.length} bytes`);
        value = aesCbcDecrypt(dek, enc).slice(0, keyLen);
      } else {
        return refuse(`Key type ${toHex(Uint8Array.of(typeByte))} is not supported (80 3DES, 88 AES)`);
      }
    } catch {
      return refuse(`Key field ${keys.length + 1} does not decrypt`);
    }
    if (kcvLen > 0 && !equalConstantTime(kcv(value, type).subarray(0, kcvLen), check)) {
      return refuse(`KCV of key ${keys.length + 1} does not match: wrong DEK or corrupted key`);
    }
    keys.push({ type, value });
  }
  if (keys.length === 0) return refuse("PUT KEY without key data");
  if (keys.some((k) => k.type !== keys[0]!.type)) return refuse("A key set mixes 3DES and AES keys");
  const response = concat(newVersion, ...keys.map((k) => kcv(k.value, k.type)));
  return { ok: true, replaceVersion: command.p1 & 0x7f, keyId: command.p2 & 0x7f, newVersion, keys, response };
}
