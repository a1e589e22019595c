/**
 * DELETE key (GP 2.3.1 section 11.2.2.2, table 11-23): `D0 01 id` and/or
 * `D2 01 version` name keys of the selected security domain. A key version
 * alone deletes the whole key set. The key set of the open secure channel
 * session is in use and is refused (6985), as is a key that does not exist
 * (6A88). The ISD keeps at least one secure channel key set.
 */
import { toHex } from "../../stack/bytes.ts";
import { hexNumber } from "../../stack/hex.ts";
import { SW } from "../../stack/status-words.ts";
import type { Tlv } from "../../stack/tlv.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import type { Domain } from "./domains.ts";
import type { IsdEnv } from "./isd-state.ts";

const OP = "DELETE key";

function one(t: Tlv | undefined, what: string): number | undefined {
  if (!t) return undefined;
  if (t.value.length !== 1) refuse(OP, SW.WRONG_DATA, `${what} must be one byte, got ${t.value.length}`);
  return t.value[0]!;
}

export function deleteKeys(env: IsdEnv, sd: Domain, tlvs: readonly Tlv[], ctx: AppContext): void {
  const id = one(tlvs.find((t) => t.tag === 0xd0), "key identifier (D0)");
  const version = one(tlvs.find((t) => t.tag === 0xd2), "key version (D2)");
  const inUse = env.sessionKeyVersion();
  if (version !== undefined && version === inUse) {
    refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `key set ${hexNumber(version)} is in use by this secure channel session: open the session with another key set first`);
  }
  let gone = 0;
  if (sd.isIsd) {
    const sets = env.store.keySets();
    const scpMatches = sets.filter((s) => (version === undefined || s.version === version) && (id === undefined || id <= 3));
    if (scpMatches.length > 0) {
      if (id !== undefined) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, "a secure channel key set is deleted whole: give its key version (D2) only");
      if (scpMatches.some((s) => s.version === inUse)) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `key set ${hexNumber(inUse!)} is in use by this secure channel session`);
      if (scpMatches.length >= sets.length) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, "the ISD must keep at least one secure channel key set");
      for (const s of scpMatches) env.store.deleteKeySet(s.version);
      gone += scpMatches.length * 3;
    }
  } else if (id !== undefined && version === undefined && inUse !== undefined && env.domainKeys.key(sd.aid, inUse, id)) {
    refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `key ${hexNumber(id)} of key set ${hexNumber(inUse)} is in use by this secure channel session`);
  }
  gone += env.domainKeys.delete(sd.aid, { ...(version !== undefined ? { version } : {}), ...(id !== undefined ? { id } : {}) });
  if (gone === 0) {
    refuse(OP, SW.REFERENCED_DATA_NOT_FOUND, `no key${version !== undefined ? ` with version ${hexNumber(version)}` : ""}${id !== undefined ? ` and identifier ${hexNumber(id)}` : ""} in ${toHex(sd.aid)}`);
  }
  ctx.log(`${OP}: ${gone} key(s) of ${toHex(sd.aid)} deleted`);
}
