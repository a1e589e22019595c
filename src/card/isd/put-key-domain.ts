/**
 * PUT KEY beside the ISD's secure channel key sets (GP 2.3.1 section 11.8):
 * - public keys (RSA A1/A0, EC B0/F0), in clear: a security domain's DAP key
 *   (version 73) or the ISD's token verification key (version 70);
 * - one symmetric key, such as the ISD's receipt key (version 71);
 * - a supplementary security domain's own secure channel key sets; its
 *   first one replaces the factory set and makes it PERSONALIZED (5.3.2).
 * P1 00 adds, P1 = version replaces; the response is the version and the
 * check values of symmetric keys.
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { concat, toHex } from "../../stack/bytes.ts";
import { hexNumber } from "../../stack/hex.ts";
import { FormatError } from "../../stack/errors.ts";
import { SW } from "../../stack/status-words.ts";
import { APP_LIFECYCLE } from "../../stack/gp/constants.ts";
import { parsePublicKeyData } from "../../stack/gp/key-commands.ts";
import type { ParsedPutKey } from "../../stack/gp/put-key.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import { publicKeyOf } from "./authority.ts";
import type { Domain } from "./domains.ts";
import type { IsdEnv } from "./isd-state.ts";
import { FACTORY_KEY_VERSION_VALUE } from "./key-version.ts";

const OP = "PUT KEY";
const MAX_KEYS = 32;

/** A public key, if the data holds one; stored for `sd`. Undefined when the data is not a public key. */
export function putPublic(cmd: CommandApdu, env: IsdEnv, sd: Domain, ctx: AppContext): ResponseApdu | undefined {
  let parsed;
  try {
    parsed = parsePublicKeyData(cmd.data);
  } catch (error) {
    if (error instanceof FormatError) refuse(OP, SW.WRONG_DATA, error.message);
    throw error;
  }
  if (!parsed) return undefined;
  const id = cmd.p2 & 0x7f || 1;
  const replace = cmd.p1 & 0x7f;
  const type = parsed.key.kind === "rsa" ? 0xa1 : 0xb0;
  const k = { sdAid: sd.aid, version: parsed.version, id, type, value: cmd.data.slice() };
  try {
    publicKeyOf(k); // refuse a key that does not make a valid public key now, not at the first DAP
  } catch (error) {
    refuse(OP, SW.WRONG_DATA, `the public key is not valid: ${(error as Error).message}`);
  }
  checkSlot(env, sd, replace, parsed.version, id);
  env.domainKeys.put(k);
  ctx.log(`${OP}: ${parsed.key.kind === "rsa" ? "RSA" : "EC P-256"} public key ${hexNumber(parsed.version)}/${hexNumber(id)} in ${toHex(sd.aid)}`);
  return ResponseApdu.of(SW.OK, Uint8Array.of(parsed.version));
}

function checkSlot(env: IsdEnv, sd: Domain, replace: number, version: number, id: number): void {
  if (replace === 0) {
    if (env.domainKeys.key(sd.aid, version, id)) refuse(OP, SW.WRONG_DATA, `key ${hexNumber(version)}/${hexNumber(id)} exists: replace it with P1 = ${hexNumber(version)}`);
    if (env.domainKeys.keys(sd.aid).length >= MAX_KEYS) refuse(OP, SW.NOT_ENOUGH_MEMORY, `a security domain holds at most ${MAX_KEYS} keys`);
  } else {
    if (!env.domainKeys.keys(sd.aid).some((k) => k.version === replace)) refuse(OP, SW.REFERENCED_DATA_NOT_FOUND, `no key with version ${hexNumber(replace)} to replace`);
    env.domainKeys.delete(sd.aid, { version: replace, id });
  }
}

/** Symmetric keys already decrypted and checked: an SSD's key set, or single keys (receipt key) of any SD. */
export function putSymmetric(parsed: Extract<ParsedPutKey, { ok: true }>, env: IsdEnv, sd: Domain, ctx: AppContext): ResponseApdu {
  const { replaceVersion, keyId, newVersion, keys } = parsed;
  const type = keys[0]!.type === "3DES" ? 0x80 : 0x88;
  if (keyId < 1 || keyId + keys.length - 1 > 0x7f) refuse(OP, SW.INCORRECT_P1P2, `key identifier ${keyId} is not valid`);
  const sets = env.domainKeys.keySets(sd.aid);
  const replacesFactory = !sd.isIsd && replaceVersion === 0 && keys.length === 3 && sets.length === 1 && sets[0]!.version === FACTORY_KEY_VERSION_VALUE;
  if (replacesFactory) env.domainKeys.delete(sd.aid, { version: FACTORY_KEY_VERSION_VALUE });
  else keys.forEach((_, i) => checkSlot(env, sd, replaceVersion, newVersion, keyId + i));
  if (replaceVersion !== 0 && replaceVersion !== newVersion) env.domainKeys.delete(sd.aid, { version: replaceVersion });
  keys.forEach((k, i) => env.domainKeys.put({ sdAid: sd.aid, version: newVersion, id: keyId + i, type, value: k.value }));
  if (!sd.isIsd && keys.length === 3 && sd.lifecycle === APP_LIFECYCLE.SELECTABLE) {
    env.registry.setApplication(sd.aid, { lifecycle: APP_LIFECYCLE.PERSONALIZED });
  }
  ctx.log(`${OP}: ${keys.length} ${keys[0]!.type} key(s) ${hexNumber(newVersion)}/${hexNumber(keyId)} in ${toHex(sd.aid)}; KCVs ${toHex(parsed.response.subarray(1))}`);
  return ResponseApdu.of(SW.OK, concat(parsed.response));
}
