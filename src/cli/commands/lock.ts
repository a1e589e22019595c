/** `webcard lock AID` and `webcard unlock AID`: SET STATUS of an application. */
import { toHex } from "../../stack/bytes.ts";
import { setLockedChecked } from "../../host/gp/delete-guard.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { aidFrom } from "../option-values.ts";
import { withSession } from "../session.ts";

export async function lockCommand(ctx: Context, aidText: string, flags: KeyFlags, locked: boolean): Promise<void> {
  const aid = aidFrom(aidText);
  await withSession(ctx, flags, async (session, target) => {
    await setLockedChecked(session, aid, locked);
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, aid: toHex(aid), locked });
    ctx.out(`${locked ? "Locked" : "Unlocked"} ${toHex(aid)}`);
  });
}
