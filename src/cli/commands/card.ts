/**
 * `webcard card lock|unlock|initialize|secure|terminate`: the card's life
 * cycle state (SET STATUS P1 80, GP 2.3.1 sections 5.1.1 and 11.10);
 * `card set-perso|set-pre-perso` its CPLC dates (cplc.ts).
 * Terminate cannot be undone and needs --yes-i-understand-terminate.
 */
import { UsageError } from "../../stack/errors.ts";
import { CARD_STATES, setCardState } from "../../host/gp/domains.ts";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { withSession } from "../session.ts";
import { cplcCommand, type CplcFlags } from "./cplc.ts";

export interface CardFlags extends KeyFlags {
  /** `--yes-i-understand-terminate` (argv.ts flagName). */
  yesIUnderstandTerminate?: boolean;
}

export async function cardCommand(ctx: Context, action: string, flags: CardFlags & CplcFlags): Promise<void> {
  if (action === "set-perso" || action === "set-pre-perso") return cplcCommand(ctx, action === "set-perso" ? "perso" : "pre-perso", flags);
  if (!(action in CARD_STATES)) {
    throw new UsageError(`Unknown card action '${action}': use lock, unlock, initialize, secure, terminate, set-perso or set-pre-perso`);
  }
  const what = action as keyof typeof CARD_STATES;
  const confirmed = flags.yesIUnderstandTerminate === true;
  if (what === "terminate" && !confirmed) {
    throw new UsageError("Terminating a card cannot be undone: it stops taking card management for good; nothing was sent", {
      hint: "only if you mean it, add --yes-i-understand-terminate",
    });
  }
  await withSession(ctx, flags, async (session, target) => {
    await setCardState(session, what, confirmed);
    if (ctx.json) return ctx.printJson({ ok: true, target: target.describe, card: what });
    ctx.out(`Card ${{ lock: "locked", unlock: "unlocked", initialize: "INITIALIZED", secure: "SECURED", terminate: "TERMINATED" }[what]}`);
  });
}
