/** `webcard list`: the card's registry, after authenticating. */
import { list } from "../../host/gp/registry.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { withSession } from "../session.ts";
import { channelJson, channelLine, registryJson, registryLines } from "../format.ts";

/** Flags of `webcard list`. */
export interface ListFlags extends KeyFlags {
  /** Also the Java Card API packages every card carries. */
  all?: boolean;
}

export async function listCommand(ctx: Context, flags: ListFlags): Promise<void> {
  await withSession(ctx, flags, async (session, target) => {
    const registry = await list(session);
    if (ctx.json) return ctx.printJson({ target: target.describe, channel: channelJson(session), ...registryJson(registry) });
    ctx.out(`Card: ${target.describe}; ${channelLine(session)}`);
    for (const line of registryLines(registry, { all: flags.all === true })) ctx.out(line);
  });
}
