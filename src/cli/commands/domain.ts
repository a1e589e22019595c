/**
 * `webcard domain create AID`: a supplementary security domain (INSTALL
 * [for install and make selectable] of the SD module, GP 11.5.2.3.2);
 * `webcard domain delete AID`: DELETE of it (11.2);
 * `webcard move AID --to SD`: INSTALL [for extradition] (11.5.2.3.4).
 */
import { toHex } from "../../stack/bytes.ts";
import { UsageError } from "../../stack/errors.ts";
import { parsePrivileges, privilegeNames } from "../../stack/gp/privileges.ts";
import { createDomain, deleteWithToken, extradite } from "../../host/gp/domains.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { aidFrom } from "../option-values.ts";
import { withSession } from "../session.ts";
import { tokenKeyFile } from "../pem.ts";
import { fromHex } from "../../stack/bytes.ts";
import { encodeTlv } from "../../stack/tlv.ts";

/** Flags of `webcard domain` and `webcard move`. */
export interface DomainFlags extends KeyFlags {
  privs?: string;
  params?: string;
  to?: string;
  dmTokenKey?: string;
}

function tokenKey(flags: DomainFlags) {
  return flags.dmTokenKey === undefined ? undefined : tokenKeyFile(flags.dmTokenKey, "--dm-token-key");
}

export async function domainCommand(ctx: Context, action: string, aidText: string, flags: DomainFlags): Promise<void> {
  if (action !== "create" && action !== "delete") throw new UsageError(`Unknown domain action '${action}': use 'webcard domain create AID' or 'webcard domain delete AID'`);
  const aid = aidFrom(aidText, "security domain AID");
  if (action === "delete") return deleteDomain(ctx, aid, flags);
  let privileges = 0;
  try {
    privileges = flags.privs === undefined ? 0 : parsePrivileges(flags.privs);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (flags.params !== undefined && !/^([0-9a-f]{2})*$/i.test(flags.params)) throw new UsageError(`--params must be hex, got '${flags.params}'`);
  const key = tokenKey(flags);
  await withSession(ctx, flags, async (session, target) => {
    const receipt = await createDomain(session, aid, {
      privileges,
      ...(flags.params ? { params: encodeTlv(0xc9, fromHex(flags.params)) } : {}),
      ...(key ? { tokenKey: key } : {}),
    });
    const privs = privilegeNames(privileges | 0x800000);
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, domain: toHex(aid), privileges: privs, ...(receipt ? { receipt: toHex(receipt) } : {}) });
    ctx.out(`Created security domain ${toHex(aid)} (${privs.join(", ")}); put its keys with 'webcard put-key --sd ${toHex(aid)}'`);
  });
}

export async function moveCommand(ctx: Context, aidText: string, flags: DomainFlags): Promise<void> {
  const aid = aidFrom(aidText);
  if (flags.to === undefined) throw new UsageError("Say where to move it: --to SECURITY_DOMAIN_AID");
  const to = aidFrom(flags.to, "--to security domain AID");
  const key = tokenKey(flags);
  await withSession(ctx, flags, async (session, target) => {
    const receipt = await extradite(session, aid, to, key);
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, moved: toHex(aid), to: toHex(to), ...(receipt ? { receipt: toHex(receipt) } : {}) });
    ctx.out(`Moved ${toHex(aid)} to security domain ${toHex(to)}`);
  });
}

/**
 * `webcard domain delete AID`: DELETE of a supplementary security domain
 * (its keys go with it). `webcard delete` refuses security domains; this
 * says what is meant, and the card still refuses while anything is
 * associated with the SD (move or delete that first).
 */
async function deleteDomain(ctx: Context, aid: Uint8Array, flags: DomainFlags): Promise<void> {
  const key = tokenKey(flags);
  await withSession(ctx, flags, async (session, target) => {
    const receipt = await deleteWithToken(session, aid, false, key);
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, deleted: toHex(aid), ...(receipt ? { receipt: toHex(receipt) } : {}) });
    ctx.out(`Deleted security domain ${toHex(aid)} and its keys`);
  });
}
