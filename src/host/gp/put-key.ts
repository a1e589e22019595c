/**
 * Replace or add the ISD's key set with PUT KEY (GP 11.8) inside the open
 * secure channel; the new keys travel encrypted under the channel's DEK and
 * the card's answer (version and KCVs) is checked.
 */
import { inTransaction, send } from "../../stack/transport/transport.ts";
import { check } from "../../stack/check.ts";
import { UsageError } from "../../stack/errors.ts";
import { putKeyCommand, checkPutKeyResponse } from "../../stack/gp/put-key.ts";
import type { KeyCheckValues, StaticKeys } from "../../stack/gp/keys.ts";
import type { GpSession } from "./session.ts";

/** What the card now holds. */
export interface PutKeyResult {
  version: number;
  replaced: number;
  kcvs: KeyCheckValues;
}

/**
 * Put `keys` (their version is the new version) on the card. By default the
 * key set in use is replaced, unless it is the factory set (version FF or 0),
 * which a new set supersedes (P1 00, GP 11.8.2.2).
 */
export async function putKey(session: GpSession, keys: StaticKeys, options: { replaceVersion?: number } = {}): Promise<PutKeyResult> {
  // Under SCP11 the keys travel under S-DEK (AES), and no SCP02/03 key set is in use (amendment F 6.2.2).
  const secure = session.secure ?? (session.scp11 ? { scp: 3, dek: session.scp11.dek, keyVersion: 0 } : undefined);
  if (!secure) throw new UsageError("PUT KEY needs a secure channel: authenticate first");
  const inUse = secure.keyVersion;
  const replaced = options.replaceVersion ?? (inUse >= 1 && inUse <= 0x7f ? inUse : 0);
  const newKeys = keys.withType(secure.scp === 3 ? "AES" : "3DES");
  const command = putKeyCommand({ keys: newKeys, replaceVersion: replaced, dek: secure.dek, dekType: secure.scp === 3 ? "AES" : "3DES" });
  const r = check(await inTransaction(session.channel, "put-key", () => send(session.channel, command)), "PUT KEY");
  checkPutKeyResponse(r.data, newKeys);
  return { version: newKeys.version, replaced, kcvs: newKeys.kcvs };
}
