/** `webcard delete AID [--force]`: DELETE an application, security domain or package. */
import { toHex } from "../../stack/bytes.ts";
import { deleteChecked, deletedLine } from "../../host/gp/delete-guard.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { aidFrom } from "../option-values.ts";
import { withSession } from "../session.ts";

/** Flags of `webcard delete`. */
export interface DeleteFlags extends KeyFlags {
  force?: boolean;
}

export async function deleteCommand(ctx: Context, aidText: string, flags: DeleteFlags): Promise<void> {
  const aid = aidFrom(aidText);
  const force = flags.force === true;
  await withSession(ctx, flags, async (session, target) => {
    const kind = await deleteChecked(session, aid, { force });
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, deleted: toHex(aid), kind: kind ?? null, force });
    ctx.out(deletedLine(kind, aid, force));
  });
}
