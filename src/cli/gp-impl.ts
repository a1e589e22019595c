/** `webcard info`, `list`, `delete`, `lock`, `unlock`: read and manage what is on the card. */
import { toHex } from "../stack/bytes.ts";
import { info } from "../host/gp/info.ts";
import { list } from "../host/gp/registry.ts";
import { deleteAid, lock, unlock } from "../host/gp/manage.ts";
import { putKey } from "../host/gp/put-key.ts";
import { parseKeys } from "../stack/gp/keys.ts";
import { UsageError } from "../stack/errors.ts";
import { rawOption } from "./gp-argv.ts";
import type { Context } from "./context.ts";
import { aidFrom, isdFrom, type GpFlags } from "./gp-options.ts";
import { withSession, withTarget } from "./gp-session.ts";
import { channelJson, channelLine, infoJson, infoLines, registryJson, registryLines } from "./gp-format.ts";

/** `webcard info`: what the card tells without authentication. */
export async function infoCommand(ctx: Context, flags: GpFlags): Promise<void> {
  const isd = isdFrom(flags); // info needs no keys: a bad WEBCARD_KEY must not stop it
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

/** Flags of `webcard put-key`. */
export interface PutKeyFlags extends GpFlags {
  newKey?: unknown;
  newKeyVersion?: unknown;
  replaceVersion?: unknown;
}

function version(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  const text = rawOption(name) ?? String(value);
  const n = /^0x/i.test(text) ? Number.parseInt(text.slice(2), 16) : Number(text);
  if (!Number.isInteger(n) || n < min || n > 0x7f) throw new UsageError(`--${name} must be ${min} to 127, got '${text}'`);
  return n;
}

/** `webcard put-key --new-key HEX --new-key-version N [--replace-version N]`. */
export async function putKeyCommand(ctx: Context, flags: PutKeyFlags): Promise<void> {
  if (flags.newKey === undefined) throw new UsageError("Give the new key with --new-key HEX (or 'default')");
  const newVersion = version("new-key-version", flags.newKeyVersion, 1) ?? 1;
  const replaceVersion = version("replace-version", flags.replaceVersion, 0);
  const keys = parseKeys({ key: rawOption("new-key") ?? String(flags.newKey), version: newVersion });
  await withSession(ctx, flags, async (session, target) => {
    const r = await putKey(session, keys, replaceVersion === undefined ? {} : { replaceVersion });
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, version: r.version, replaced: r.replaced, kcv: r.kcvs });
    const what = r.replaced === 0 ? "added" : `replaced version ${r.replaced}`;
    ctx.out(`Key set version ${r.version} ${what}: KCV ENC ${r.kcvs.enc} MAC ${r.kcvs.mac} DEK ${r.kcvs.dek}`);
  });
}
