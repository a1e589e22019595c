/** `webcard list`: the card's registry, after authenticating. */
import { list } from "../../host/gp/registry.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { withSession } from "../session.ts";
import { channelJson, channelLine, registryJson, registryLines } from "../format.ts";

export async function listCommand(ctx: Context, flags: KeyFlags): Promise<void> {
  await withSession(ctx, flags, async (session, target) => {
    const registry = await list(session);
    if (ctx.json) return ctx.printJson({ target: target.describe, channel: channelJson(session), ...registryJson(registry) });
    ctx.out(`Card: ${target.describe}; ${channelLine(session)}`);
    for (const line of registryLines(registry)) ctx.out(line);
  });
}
