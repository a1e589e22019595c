/**
 * SET STATUS (GP 2.3.1 section 11.10): P1 80 the card (ISD), 40 an
 * application, 60 a security domain with its applications; P2 the new state;
 * data the target AID.
 *
 * Card life cycle (section 5.1.1): OP_READY -> INITIALIZED -> SECURED, only
 * forwards; SECURED <-> CARD_LOCKED; any state -> TERMINATED (for good).
 * Applications (section 5.3): the ISD locks (sets bit 8) and unlocks (clears it);
 * an SSD does so for what is associated with it. P1 60 locks or unlocks an
 * SSD together with its applications. The card's own life cycle is the
 * ISD's; the simulated card refuses TERMINATED unless it runs with
 * --allow-terminate.
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { equal, toHex, hexNumber } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { APP_LIFECYCLE, CARD_LIFECYCLE, SET_STATUS_P1 } from "../../stack/gp/constants.ts";
import type { AppContext } from "../application.ts";
import { refuse } from "../refusal.ts";
import { META } from "../store/schema.ts";
import { cardLifecycle, requireAuth, type IsdEnv } from "./isd-state.ts";
import { acting, owns } from "./domains.ts";
import { isDomainRecord } from "./sd-module.ts";
import type { Registry } from "../store/registry.ts";

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
  const sd = acting(env, ctx.aid);
  switch (cmd.p1) {
    case SET_STATUS_P1.ISD: {
      if (!sd.isIsd) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, "only the ISD changes the card's life cycle state");
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
      if (to === TERMINATED && !env.allowTerminate) {
        refuse(OP, SW.CONDITIONS_NOT_SATISFIED, "this simulated card refuses TERMINATED unless 'webcard sim' runs with --allow-terminate");
      }
      env.store.setMetaInt(META.CARD_LIFECYCLE, to);
      ctx.log(`SET STATUS: card ${name(from)} -> ${name(to)}`);
      break;
    }
    case SET_STATUS_P1.APP: {
      if (from === CARD_LOCKED) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, "the card is locked");
      const app = env.registry.application(cmd.data);
      if (!app) refuse(OP, SW.REFERENCED_DATA_NOT_FOUND, `application ${toHex(cmd.data) || "(empty AID)"} is not on the card`);
      if (!owns(sd, app.sdAid) && !equal(app.aid, sd.aid)) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `application ${toHex(app.aid)} is not associated with ${toHex(sd.aid)}`);
      const locked = (app.lifecycle & APP_LIFECYCLE.LOCKED_BIT) !== 0;
      const lock = (cmd.p2 & APP_LIFECYCLE.LOCKED_BIT) !== 0;
      // A built-in application (the web-card link: the card's own web server and loader) is part of the card, as the ISD is.
      if (lock && app.builtin) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `application ${toHex(app.aid)} is built into the card (its own web server and loader): it is not locked`);
      if (lock === locked) {
        refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `application ${toHex(app.aid)} is already ${locked ? "locked" : "unlocked"}`);
      }
      const lifecycle = lock ? app.lifecycle | APP_LIFECYCLE.LOCKED_BIT : app.lifecycle & ~APP_LIFECYCLE.LOCKED_BIT;
      env.registry.setApplication(app.aid, { lifecycle });
      ctx.log(`SET STATUS: application ${toHex(app.aid)} ${lock ? "locked" : "unlocked"}`);
      break;
    }
    case SET_STATUS_P1.DOMAIN_AND_APPS: {
      if (from === CARD_LOCKED) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, "the card is locked");
      const target = env.registry.application(cmd.data);
      if (!target || !isDomainRecord(target)) refuse(OP, SW.REFERENCED_DATA_NOT_FOUND, `${toHex(cmd.data) || "(empty AID)"} is not a supplementary security domain`);
      if (!owns(sd, target.sdAid) && !equal(target.aid, sd.aid)) refuse(OP, SW.CONDITIONS_NOT_SATISFIED, `${toHex(target.aid)} is not associated with ${toHex(sd.aid)}`);
      const lock = (cmd.p2 & APP_LIFECYCLE.LOCKED_BIT) !== 0;
      const n = lockTogether(env.registry, target.aid, lock);
      ctx.log(`SET STATUS: security domain ${toHex(target.aid)} and ${n - 1} application(s) ${lock ? "locked" : "unlocked"}`);
      break;
    }
    default:
      refuse(OP, SW.INCORRECT_P1P2, `P1 must be 80, 40 or 60, got ${hexNumber(cmd.p1)}`);
  }
  return ResponseApdu.of(SW.OK);
}

/** Lock or unlock an SD and the applications associated with it (GP 11.10.2.1, P1 60); returns how many changed. */
function lockTogether(reg: Registry, sd: Uint8Array, lock: boolean): number {
  let n = 0;
  for (const a of reg.applications()) {
    if (a.builtin || !(equal(a.aid, sd) || equal(a.sdAid, sd))) continue;
    const lifecycle = lock ? a.lifecycle | APP_LIFECYCLE.LOCKED_BIT : a.lifecycle & ~APP_LIFECYCLE.LOCKED_BIT;
    if (lifecycle !== a.lifecycle) n++;
    reg.setApplication(a.aid, { lifecycle });
  }
  return n;
}
