/** `webcard info`: what the card tells without authentication. */
import { info } from "../../host/gp/info.ts";
import type { Context } from "../context.ts";
import type { TargetFlags } from "../options.ts";
import { aidFrom } from "../option-values.ts";
import { withTarget } from "../session.ts";
import { discoverIsd } from "../../host/gp/discover.ts";
import { getDataTag } from "../../host/gp/create.ts";
import { toHex } from "../../stack/bytes.ts";
import { hexNumber } from "../../stack/hex.ts";
import { describeSw } from "../../stack/status-words.ts";
import { UsageError, WebcardError } from "../../stack/errors.ts";
import { infoJson, infoLines } from "../format.ts";

/** Flags of `webcard info`. */
export interface InfoFlags extends TargetFlags {
  isd?: string;
  /** GET DATA of this tag only (hex, 1 or 2 bytes: 9F7F, 66, 00E0). */
  tag?: string;
}

function tagFrom(text: string): number {
  const t = String(text).trim().replace(/^0x/i, "");
  if (!/^([0-9a-f]{2}){1,2}$/i.test(t)) throw new UsageError(`--tag must be a one- or two-byte tag in hex (9F7F, 66, 00E0), got '${text}'`);
  return Number.parseInt(t, 16);
}

export async function infoCommand(ctx: Context, flags: InfoFlags): Promise<void> {
  // info needs no keys: a bad WEBCARD_KEY must not stop it.
  const isd = flags.isd === undefined ? undefined : aidFrom(flags.isd, "ISD AID");
  if (flags.tag !== undefined) {
    const tag = tagFrom(flags.tag);
    return withTarget(ctx, flags, async (target) => {
      await discoverIsd(target.transport, isd);
      const r = await getDataTag(target.transport, tag);
      if (ctx.json) return ctx.printJson({ target: target.describe, tag: hexNumber(tag, 4), sw: hexNumber(r.sw, 4), data: toHex(r.data) });
      if (r.sw !== 0x9000) throw new WebcardError(`GET DATA ${hexNumber(tag, 4)}: the card answered ${describeSw(r.sw)}`);
      ctx.out(toHex(r.data));
    });
  }
  await withTarget(ctx, flags, async (target) => {
    const card = await info(target.transport, isd ? { isd } : {});
    if (ctx.json) return ctx.printJson({ target: target.describe, ...infoJson(card) });
    ctx.out(`Card: ${target.describe}`);
    for (const line of infoLines(card)) ctx.out(line);
  });
}
