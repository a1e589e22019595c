/**
 * PUT KEY (GP 2.3.1 section 11.8, amendment D 7.2): add a key set (P1 00) or
 * replace one (P1 = its version), keys encrypted with the session's DEK
 * (SCP02: session DEK, SCP03: static DEK) and each checked by its KCV. P2
 * names the first key identifier (1 ENC, 2 MAC, 3 DEK; bit 8 = several keys).
 * A new key set needs all three keys. 3DES keys make an SCP02 key set, AES
 * keys an SCP03 one. As cards commonly do, the first key set added replaces
 * the factory set (version FF) so that the test keys stop working.
 * On an open card without a session, the stored key set's static DEK is used.
 * Public keys, single keys (receipt key) and a supplementary security
 * domain's keys are put-key-domain.ts's work.
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { SW } from "../../stack/status-words.ts";
import { toHex, hexNumber } from "../../stack/bytes.ts";
import { parsePutKey } from "../../stack/gp/put-key.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import type { StoredKeySet } from "../store/store.ts";
import { requireAuth, requireUnlockedCard, type IsdEnv } from "./isd-state.ts";
import { FACTORY_KEY_VERSION_VALUE } from "./key-version.ts";
import { acting } from "./domains.ts";
import { putPublic, putSymmetric } from "./put-key-domain.ts";
import { DM_KEY_VERSION } from "../../stack/gp/token.ts";
import { META } from "../store/schema.ts";
import { isScp11PutKey, putScp11Key } from "./scp11-put-key.ts";

const OP = "PUT KEY";
/** Key sets the ISD keeps at most. */
const MAX_KEY_SETS = 8;

export function putKey(cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  requireAuth(OP, env, ctx);
  requireUnlockedCard(OP, env);
  const sd = acting(env, ctx.aid);
  if (sd.isIsd && isScp11PutKey(cmd) && env.store.meta(META.SCP11)) return putScp11Key(cmd, env, ctx);
  const publicKey = putPublic(cmd, env, sd, ctx);
  if (publicKey) return publicKey;
  const sets = sd.isIsd ? env.store.keySets() : env.domainKeys.keySets(sd.aid);
  const protocol = ctx.secure.protocol ?? (sets[0]?.scp === 2 ? "SCP02" : "SCP03");
  const dek = env.dek() ?? sets[0]?.dek;
  if (!dek) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, "no DEK to decrypt the keys with");
  const parsed = parsePutKey(cmd, dek, protocol === "SCP02" ? "3DES" : "AES");
  if (!parsed.ok) {
    // A KCV that does not match is "invalid key check value" (GP 2.3.1 table 11-51).
    refuse(OP, /KCV/.test(parsed.reason) ? 0x9485 : parsed.sw, parsed.reason);
  }
  const { replaceVersion, keyId, newVersion, keys } = parsed;
  // Everything but the ISD's own secure channel key sets: an SSD's keys, the receipt key.
  if (!sd.isIsd || (keys.length === 1 && newVersion === DM_KEY_VERSION.RECEIPT)) return putSymmetric(parsed, env, sd, ctx);
  const scp: 2 | 3 = keys[0]!.type === "3DES" ? 2 : 3;
  if (keyId < 1 || keyId + keys.length - 1 > 3) {
    refuse(OP, SW.INCORRECT_P1P2, `key identifiers ${keyId}-${keyId + keys.length - 1} are not within 1 (ENC) to 3 (DEK)`);
  }
  let base: StoredKeySet;
  if (replaceVersion === 0) {
    if (keyId !== 1 || keys.length !== 3) refuse(OP, SW.WRONG_DATA, "a new key set needs ENC, MAC and DEK (key identifiers 1-3)");
    if (sets.some((s) => s.version === newVersion)) refuse(OP, SW.WRONG_DATA, `key set ${hexNumber(newVersion)} exists: replace it with P1 = ${hexNumber(newVersion)}`);
    const replacesFactory = sets.length === 1 && sets[0]!.version === FACTORY_KEY_VERSION_VALUE;
    if (!replacesFactory && sets.length >= MAX_KEY_SETS) refuse(OP, SW.NOT_ENOUGH_MEMORY, `the ISD holds at most ${MAX_KEY_SETS} key sets`);
    if (replacesFactory) env.store.deleteKeySet(FACTORY_KEY_VERSION_VALUE);
    base = { version: newVersion, scp, enc: keys[0]!.value, mac: keys[1]!.value, dek: keys[2]!.value };
  } else {
    const old = sets.find((s) => s.version === replaceVersion);
    if (!old) refuse(OP, SW.REFERENCED_DATA_NOT_FOUND, `no key set with version ${hexNumber(replaceVersion)} to replace`);
    if (old.scp !== scp && keys.length !== 3) refuse(OP, SW.WRONG_DATA, "changing a key set's algorithm needs all three keys");
    if (newVersion !== replaceVersion && sets.some((s) => s.version === newVersion)) {
      refuse(OP, SW.WRONG_DATA, `key set ${hexNumber(newVersion)} exists already`);
    }
    base = { ...old, version: newVersion, scp };
    const roles = ["enc", "mac", "dek"] as const;
    keys.forEach((k, index) => {
      base[roles[keyId - 1 + index]!] = k.value;
    });
    env.store.deleteKeySet(replaceVersion);
  }
  env.store.putKeySet(base);
  ctx.log(`PUT KEY: key set ${hexNumber(newVersion)} (${scp === 2 ? "3DES" : "AES"}) ${replaceVersion === 0 ? "added" : `replaces ${hexNumber(replaceVersion)}`}; KCVs ${toHex(parsed.response.subarray(1))}`);
  return ResponseApdu.of(SW.OK, parsed.response);
}
