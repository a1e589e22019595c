/**
 * The ISD's SCP11 keys changed in a secure channel session (SCP03 or SCP11):
 * PUT KEY of the CA-KLOC public key (KID 10, B0) or of the SD's ECKA key
 * pair (KID 11, 13, 15, B1 under the session DEK), and STORE DATA of the
 * certificate store (A6 { 83 KID KVN } BF21 { certificates }) that GET DATA
 * BF21 answers. Formats: src/stack/gp/scp11/put-key.ts.
 *
 * This card keeps one ECKA key for the variants it offers and all its
 * SCP11 keys at one key version: a PUT KEY for another version is refused
 * (6A80) rather than half-applied. A new ECKA key empties the certificate
 * store until STORE DATA gives the new chain, whose last certificate must
 * certify that key.
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { equal } from "../../stack/bytes.ts";
import { hexNumber } from "../../stack/hex.ts";
import { FormatError } from "../../stack/errors.ts";
import { SW } from "../../stack/status-words.ts";
import { keyIdentifier, parseCertificate, splitCertificates } from "../../stack/gp/scp11/certificate.ts";
import { fingerprint } from "../../stack/gp/scp11/fingerprint.ts";
import { SCP11_KID } from "../../stack/gp/scp11/handshake.ts";
import { parseCertificateStoreData, parseEcPutKey } from "../../stack/gp/scp11/put-key.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import { META } from "../store/schema.ts";
import type { IsdEnv } from "./isd-state.ts";
import { decodeScp11Keys, encodeScp11Keys } from "./scp11-keys.ts";

const PUT_KEY = "PUT KEY";
const STORE_DATA = "STORE DATA";
const SD_KIDS: readonly number[] = [SCP11_KID.a, SCP11_KID.b, SCP11_KID.c];

function current(env: IsdEnv, op: string) {
  const record = env.store.meta(META.SCP11);
  if (!record) refuse(op, SW.REFERENCED_DATA_NOT_FOUND, "the card has no SCP11 keys (webcard sim --scp 11)");
  return decodeScp11Keys(record);
}

/** Whether a PUT KEY is for an SCP11 key of the ISD (P2 = KID 10, 11, 13 or 15). */
export function isScp11PutKey(cmd: CommandApdu): boolean {
  const kid = cmd.p2 & 0x7f;
  return kid === SCP11_KID.OCE || SD_KIDS.includes(kid);
}

/** PUT KEY of an SCP11 key; the answer is the new KVN. */
export function putScp11Key(cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  const keys = current(env, PUT_KEY);
  const kid = cmd.p2 & 0x7f;
  let parsed;
  try {
    parsed = parseEcPutKey(cmd.data, env.dek());
  } catch (error) {
    if (error instanceof FormatError) refuse(PUT_KEY, SW.WRONG_DATA, error.message);
    throw error;
  }
  if (!parsed) refuse(PUT_KEY, SW.WRONG_DATA, `key ${hexNumber(kid)} is an SCP11 key: its data must be B0 (public) or B1 (private) with F0`);
  const replace = cmd.p1 & 0x7f;
  if (parsed.kvn !== keys.kvn || (replace !== 0 && replace !== keys.kvn)) {
    refuse(PUT_KEY, SW.WRONG_DATA, `this card keeps its SCP11 keys at key version ${hexNumber(keys.kvn)}: put them with that version`);
  }
  if (kid === SCP11_KID.OCE) {
    if (parsed.key.d) refuse(PUT_KEY, SW.WRONG_DATA, "the CA-KLOC key (10) is a public key: send B0, not B1");
    const key = { curve: parsed.key.curve, point: parsed.key.point };
    env.store.setMeta(META.SCP11, encodeScp11Keys({ ...keys, oceCa: { key, id: keyIdentifier(key) } }));
    ctx.log(`${PUT_KEY}: SCP11 CA-KLOC key ${hexNumber(kid)}/${hexNumber(keys.kvn)} ${key.curve.name} ${fingerprint(key.point)}`);
    return ResponseApdu.of(SW.OK, Uint8Array.of(keys.kvn));
  }
  if (!keys.variants.some((v) => SCP11_KID[v] === kid)) refuse(PUT_KEY, SW.REFERENCED_DATA_NOT_FOUND, `the card offers no SCP11 variant on key ${hexNumber(kid)}`);
  const d = parsed.key.d;
  if (!d) refuse(PUT_KEY, SW.WRONG_DATA, "the SD's ECKA key is a key pair: send its private key (B1) encrypted under the session DEK");
  const sd = { curve: parsed.key.curve, point: parsed.key.point, d };
  const same = equal(sd.point, keys.sd.point);
  env.store.setMeta(META.SCP11, encodeScp11Keys({ ...keys, sd, certificates: same ? keys.certificates : new Uint8Array(0) }));
  ctx.log(`${PUT_KEY}: SCP11 ECKA key ${hexNumber(kid)}/${hexNumber(keys.kvn)} ${sd.curve.name} ${fingerprint(sd.point)}${same ? " (unchanged)" : "; certificate store emptied until STORE DATA gives its chain"}`);
  return ResponseApdu.of(SW.OK, Uint8Array.of(keys.kvn));
}

/** STORE DATA of the ISD's certificate store; false when the data is not one (other data objects). */
export function storeCertificates(env: IsdEnv, data: Uint8Array, ctx: AppContext): boolean {
  let store;
  try {
    store = parseCertificateStoreData(data);
  } catch (error) {
    if (error instanceof FormatError) return false;
    throw error;
  }
  if (!store) return false;
  const keys = current(env, STORE_DATA);
  if (!SD_KIDS.includes(store.kid) || !keys.variants.some((v) => SCP11_KID[v] === store.kid) || store.kvn !== keys.kvn) {
    refuse(STORE_DATA, SW.REFERENCED_DATA_NOT_FOUND, `no SCP11 key ${hexNumber(store.kid)}/${hexNumber(store.kvn)} for this certificate store`);
  }
  let last;
  try {
    const certs = splitCertificates(store.certificates);
    if (certs.length === 0 || certs.length > 4) throw new FormatError(`a certificate store holds 1 to 4 certificates, got ${certs.length}`);
    last = parseCertificate(certs[certs.length - 1]!);
  } catch (error) {
    if (error instanceof FormatError) refuse(STORE_DATA, SW.WRONG_DATA, `certificate store: ${error.message}`);
    throw error;
  }
  if (!equal(last.publicKey.point, keys.sd.point)) {
    refuse(STORE_DATA, SW.WRONG_DATA, "the last certificate does not certify the SD's ECKA key: put the key first (PUT KEY), then its chain");
  }
  env.store.setMeta(META.SCP11, encodeScp11Keys({ ...keys, certificates: store.certificates }));
  ctx.log(`${STORE_DATA}: SCP11 certificate store of key ${hexNumber(store.kid)}/${hexNumber(store.kvn)}, subject ${fingerprint(last.publicKey.point)}`);
  return true;
}
