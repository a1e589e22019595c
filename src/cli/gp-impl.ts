/** `webcard info`, `list`, `delete`, `lock`, `unlock`: read and manage what is on the card. */
import { toHex } from "../stack/bytes.ts";
import { info } from "../host/gp/info.ts";
import { list } from "../host/gp/registry.ts";
import { deleteAid, lock, unlock } from "../host/gp/manage.ts";
import type { Context } from "./context.ts";
import { aidFrom, connectOptionsFrom, type GpFlags } from "./gp-options.ts";
import { withSession, withTarget } from "./gp-session.ts";
import { channelJson, channelLine, infoJson, infoLines, registryJson, registryLines } from "./gp-format.ts";

/** `webcard info`: what the card tells without authentication. */
export async function infoCommand(ctx: Context, flags: GpFlags): Promise<void> {
  const { isd } = connectOptionsFrom(flags);
  await withTarget(ctx, flags, async (target) => {
    const card = await info(target.transport, isd ? { isd } : {});
    if (ctx.json) return ctx.printJson({ target: target.describe, ...infoJson(card) });
    ctx.out(`Card: ${target.describe}`);
    for (const line of infoLines(card)) ctx.out(line);
  });
}

/** `webcard list`: the registry, after authenticating. */
export async function listCommand(ctx: Context, flags: GpFlags): Promise<void> {
  await withSession(ctx, flags, async (session, target) => {
    const registry = await list(session);
    if (ctx.json) return ctx.printJson({ target: target.describe, channel: channelJson(session), ...registryJson(registry) });
    ctx.out(`Card: ${target.describe}; ${channelLine(session)}`);
    for (const line of registryLines(registry)) ctx.out(line);
  });
}

/** `webcard delete AID [--force]`. */
export async function deleteCommand(ctx: Context, aidText: unknown, flags: GpFlags & { force?: unknown }): Promise<void> {
  const aid = aidFrom(aidText);
  const force = flags.force === true;
  await withSession(ctx, flags, async (session, target) => {
    await deleteAid(session, aid, { force });
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, deleted: toHex(aid), force });
    ctx.out(`Deleted ${toHex(aid)}${force ? " and its related objects" : ""}`);
  });
}

/** `webcard lock AID` / `webcard unlock AID`. */
export async function lockCommand(ctx: Context, aidText: unknown, flags: GpFlags, locked: boolean): Promise<void> {
  const aid = aidFrom(aidText);
  await withSession(ctx, flags, async (session, target) => {
    await (locked ? lock : unlock)(session, aid);
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, aid: toHex(aid), locked });
    ctx.out(`${locked ? "Locked" : "Unlocked"} ${toHex(aid)}`);
  });
}
