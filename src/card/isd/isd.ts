/**
 * The Issuer Security Domain as a CardApplication: the card manager's APDU
 * interface (GP 2.3.1 section 11). Secure messaging, INITIALIZE UPDATE and
 * EXTERNAL AUTHENTICATE are handled by the card core before commands get here.
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { SW } from "../../stack/status-words.ts";
import { CARD_LIFECYCLE, CLA, INS } from "../../stack/gp/constants.ts";
import type { AppContext, CardApplication } from "../application.ts";
import { refuse } from "../refusal.ts";
import { META } from "../store/schema.ts";
import { cardLifecycle, type IsdEnv } from "./isd-state.ts";
import { isdFci } from "./card-data.ts";
import { getData } from "./get-data.ts";
import { getStatus } from "./get-status.ts";
import { install } from "./install.ts";
import { load } from "./load.ts";
import { deleteObject } from "./delete.ts";
import { setStatus } from "./set-status.ts";
import { putKey } from "./put-key.ts";
import { storeData } from "./store-data.ts";

type Handler = (cmd: CommandApdu, env: IsdEnv, ctx: AppContext) => ResponseApdu;

/** GP commands (CLA 80 once secure messaging is removed). */
const GP_COMMANDS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [INS.GET_STATUS, getStatus],
  [INS.INSTALL, install],
  [INS.LOAD, load],
  [INS.DELETE, deleteObject],
  [INS.SET_STATUS, setStatus],
  [INS.PUT_KEY, putKey],
  [INS.STORE_DATA, storeData],
]);

export class IssuerSecurityDomain implements CardApplication {
  /** The ISD, or with `sdAid` a supplementary security domain (same commands, its own keys and content). */
  constructor(
    private readonly env: IsdEnv,
    private readonly sdAid?: Uint8Array,
  ) {}

  get aid(): Uint8Array {
    return this.sdAid ?? this.env.store.meta(META.ISD_AID)!;
  }

  select(): Uint8Array {
    this.env.statusCursor = undefined;
    this.env.storeData = undefined;
    const scp = this.sdAid ? (this.env.domainKeys.keySets(this.sdAid)[0]?.scp ?? this.env.scp) : this.env.scp;
    const b = this.env.behaviour;
    return isdFci(this.aid, scp, this.env.scpIFor(scp), this.env.manager.blockSize, { ...b.fci, gpVersion: b.gpVersion });
  }

  deselect(): void {
    this.env.statusCursor = undefined;
    this.env.storeData = undefined;
  }

  process(cmd: CommandApdu, ctx: AppContext): ResponseApdu {
    const env = this.env;
    if (cmd.ins === INS.GET_DATA) {
      if (cmd.cla !== CLA.ISO && cmd.cla !== CLA.GP) refuse("GET DATA", SW.CLA_NOT_SUPPORTED, "CLA must be 00 or 80");
      return getData(cmd, env, ctx);
    }
    const handler = GP_COMMANDS.get(cmd.ins);
    if (!handler) return ResponseApdu.of(SW.INS_NOT_SUPPORTED);
    if (cmd.cla !== CLA.GP) return ResponseApdu.of(SW.CLA_NOT_SUPPORTED);
    if (cardLifecycle(env) === CARD_LIFECYCLE.TERMINATED) {
      refuse("ISD", SW.CONDITIONS_NOT_SATISFIED, "the card is terminated: it answers GET DATA only");
    }
    if (cmd.ins !== INS.GET_STATUS) env.statusCursor = undefined;
    // A STORE DATA session ends at its last block or at any other command (GP 11.11.2).
    if (cmd.ins !== INS.STORE_DATA && !(cmd.ins === INS.INSTALL && (cmd.p1 & 0x7f) === 0x20)) env.storeData = undefined;
    return handler(cmd, env, ctx);
  }
}
