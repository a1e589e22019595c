/**
 * A new AID for the ISD, as GlobalPlatformPro's --rename-isd asks for it:
 * STORE DATA to the ISD of `4F <length> <AID>` (the ISD's AID as a data
 * object, GP 2.3.1 section 11.11 and H.2). The ISD keeps everything it had
 * under its old AID: its keys (token, receipt, DAP keys), its data objects,
 * the applications and load files associated with it. Refused when the AID
 * is not 5-16 bytes or another entry of the registry already uses it.
 */
import { equal, toHex } from "../../stack/bytes.ts";
import { isAidLength } from "../../stack/aid.ts";
import { SW } from "../../stack/status-words.ts";
import { refuse } from "../refusal.ts";
import { appStore } from "../store/app-store.ts";
import { META } from "../store/schema.ts";
import type { IsdEnv } from "./isd-state.ts";

/** Tag of the ISD's AID in STORE DATA (ISO/IEC 7816-4 application identifier). */
export const ISD_AID_TAG = 0x4f;

export function renameIsd(op: string, env: IsdEnv, aid: Uint8Array): void {
  const old = env.manager.isdAid;
  if (!isAidLength(aid.length)) refuse(op, SW.WRONG_DATA, `the new ISD AID has ${aid.length} bytes: an AID has 5 to 16`);
  if (equal(aid, old)) return;
  const reg = env.registry;
  if (reg.application(aid) || reg.loadFile(aid)) {
    refuse(op, SW.WRONG_DATA, `AID ${toHex(aid)} is already used on the card`);
  }
  for (const k of env.domainKeys.keys(old)) env.domainKeys.put({ ...k, sdAid: aid });
  env.domainKeys.deleteAll(old);
  const free = () => env.manager.freeMemory();
  const from = appStore(env.store, old, free);
  const to = appStore(env.store, aid, free);
  for (const key of from.keys()) {
    to.set(key, from.get(key)!);
    from.delete(key);
  }
  for (const a of reg.applications()) if (equal(a.sdAid, old)) reg.setSecurityDomain(a.aid, aid);
  for (const f of reg.loadFiles()) if (equal(f.sdAid, old)) reg.setSecurityDomain(f.aid, aid);
  env.store.setMeta(META.ISD_AID, aid);
}
