/** `webcard rename-isd AID`: the ISD's new AID (host/gp/rename-isd.ts), as GlobalPlatformPro's --rename-isd. */
import { toHex } from "../../stack/bytes.ts";
import { renameIsd } from "../../host/gp/rename-isd.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { aidFrom } from "../option-values.ts";
import { withSession } from "../session.ts";

export async function renameIsdCommand(ctx: Context, aidText: string, flags: KeyFlags): Promise<void> {
  const aid = aidFrom(aidText, "New ISD AID");
  await withSession(ctx, flags, async (session, target) => {
    const old = session.isd;
    await renameIsd(session, aid, target.transport);
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, isd: toHex(aid), before: toHex(old) });
    ctx.out(`ISD ${toHex(old)} is now ${toHex(aid)}: webcard finds it by the card's default selection, or give --isd ${toHex(aid)}`);
  });
}
