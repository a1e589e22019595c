/** `webcard delete-key VERSION [--id N]`: DELETE key (GP 2.3.1 section 11.2.2.2) of the session's security domain. */
import { UsageError } from "../../stack/errors.ts";
import { removeKey } from "../../host/gp/domains.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { withSession } from "../session.ts";

export interface DeleteKeyFlags extends KeyFlags {
  id?: string;
}

function byte(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^0x/i.test(text) ? Number.parseInt(text.slice(2), 16) : Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new UsageError(`The ${name} must be 0 to 255 (or 0x00-0xFF), got '${text}'`);
  return n;
}

export async function deleteKeyCommand(ctx: Context, versionText: string, flags: DeleteKeyFlags): Promise<void> {
  const version = byte("key version", String(versionText));
  const id = byte("id", flags.id);
  await withSession(ctx, flags, async (session, target) => {
    await removeKey(session, { ...(version !== undefined ? { version } : {}), ...(id !== undefined ? { id } : {}) });
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, deleted: { version, id } });
    ctx.out(`Deleted key${id === undefined ? " set" : ` ${id} of set`} ${version}`);
  });
}
