/**
 * SET STATUS (GP 2.3.1 section 11.10): P1 80 the card (ISD), 40 an
 * application, 60 a security domain with its applications; P2 the new state;
 * data the target AID.
 *
 * Card life cycle (section 5.1.1): OP_READY -> INITIALIZED -> SECURED, only
 * forwards; SECURED <-> CARD_LOCKED; any state -> TERMINATED (for good).
 * Applications (section 5.3): the ISD locks (sets bit 8) and unlocks (clears it).
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { equal, toHex, hexNumber } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { APP_LIFECYCLE, CARD_LIFECYCLE, SET_STATUS_P1 } from "../../stack/gp/constants.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import { META } from "../store/schema.ts";
import { cardLifecycle, requireAuth, type IsdEnv } from "./isd-state.ts";

const OP = "SET STATUS";
const { OP_READY, INITIALIZED, SECURED, CARD_LOCKED, TERMINATED } = CARD_LIFECYCLE;

/** Whether the card may go from `from` to `to`. */
export function cardTransitionAllowed(from: number, to: number): boolean {
  if (from === TERMINATED) return false;
  if (to === TERMINATED) return true;
  const order: number[] = [OP_READY, INITIALIZED, SECURED];
  if (order.includes(from) && order.includes(to)) return order.indexOf(to) > order.indexOf(from);
  if (from === SECURED && to === CARD_LOCKED) return true;
  if (from === CARD_LOCKED && to === SECURED) return true;
  return false;
}

const name = (s: number) =>
  ({ [OP_READY]: "OP_READY", [INITIALIZED]: "INITIALIZED", [SECURED]: "SECURED", [CARD_LOCKED]: "CARD_LOCKED", [TERMINATED]: "TERMINATED" })[s] ??
  hexNumber(s);

export function setStatus(cmd: CommandApdu, env: IsdEnv, ctx: AppContext): ResponseApdu {
  requireAuth(OP, env, ctx);
  const from = cardLifecycle(env);
  if (from === TERMINATED) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, "the card is terminated");
  switch (cmd.p1) {
    case SET_STATUS_P1.ISD: {
      if (cmd.data.length > 0 && !equal(cmd.data, env.manager.isdAid)) {
        refuse(OP, SW.REFERENCED_DATA_NOT_FOUND, `${toHex(cmd.data)} is not the ISD`);
      }
      const to = cmd.p2;
      if (![OP_READY, INITIALIZED, SECURED, CARD_LOCKED, TERMINATED].includes(to as never)) {
        refuse(OP, SW.WRONG_DATA, `${name(to)} is not a card life cycle state`);
      }
      if (!cardTransitionAllowed(from, to)) {
        refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `the card cannot go from ${name(from)} to ${name(to)}`);
      }
      env.store.setMetaInt(META.CARD_LIFECYCLE, to);
      ctx.log(`SET STATUS: card ${name(from)} -> ${name(to)}`);
      break;
    }
    case SET_STATUS_P1.APP: {
      if (from === CARD_LOCKED) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, "the card is locked");
      const app = env.registry.application(cmd.data);
      if (!app) refuse(OP, SW.REFERENCED_DATA_NOT_FOUND, `application ${toHex(cmd.data) || "(empty AID)"} is not on the card`);
      const locked = (app.lifecycle & APP_LIFECYCLE.LOCKED_BIT) !== 0;
      const lock = (cmd.p2 & APP_LIFECYCLE.LOCKED_BIT) !== 0;
      if (lock === locked) {
        refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `application ${toHex(app.aid)} is already ${locked ? "locked" : "unlocked"}`);
      }
      const lifecycle = lock ? app.lifecycle | APP_LIFECYCLE.LOCKED_BIT : app.lifecycle & ~APP_LIFECYCLE.LOCKED_BIT;
      env.registry.setApplication(app.aid, { lifecycle });
      ctx.log(`SET STATUS: application ${toHex(app.aid)} ${lock ? "locked" : "unlocked"}`);
      break;
    }
    case SET_STATUS_P1.DOMAIN_AND_APPS:
      refuse(OP, SW.REFERENCED_DATA_NOT_FOUND, "this card has no supplementary security domain");
      break;
    default:
      refuse(OP, SW.INCORRECT_P1P2, `P1 must be 80, 40 or 60, got ${hexNumber(cmd.p1)}`);
  }
  return ResponseApdu.of(SW.OK);
}
