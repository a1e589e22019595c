/** `webcard info`: what the card tells without authentication. */
import { info } from "../../host/gp/info.ts";
import type { Context } from "../context.ts";
import type { TargetFlags } from "../options.ts";
import { aidFrom } from "../option-values.ts";
import { withTarget } from "../session.ts";
import { infoJson, infoLines } from "../format.ts";

/** Flags of `webcard info`. */
export interface InfoFlags extends TargetFlags {
  isd?: string;
}

export async function infoCommand(ctx: Context, flags: InfoFlags): Promise<void> {
  // info needs no keys: a bad WEBCARD_KEY must not stop it.
  const isd = flags.isd === undefined ? undefined : aidFrom(flags.isd, "ISD AID");
  await withTarget(ctx, flags, async (target) => {
    const card = await info(target.transport, isd ? { isd } : {});
    if (ctx.json) return ctx.printJson({ target: target.describe, ...infoJson(card) });
    ctx.out(`Card: ${target.describe}`);
    for (const line of infoLines(card)) ctx.out(line);
  });
}
