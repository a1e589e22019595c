/**
 * The ISD's SCP11 handshake on the basic logical channel (GP amendment F):
 * PERFORM SECURITY OPERATION (80 2A), MUTUAL AUTHENTICATE (80 82) and
 * INTERNAL AUTHENTICATE (80 88). A successful handshake replaces any open
 * session with SCP11's (SCP03 secure messaging); each ePK.OCE may open one
 * session only, so a recorded handshake cannot be replayed.
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { concat, equal } from "../../stack/bytes.ts";
import { toHex } from "../../stack/bytes.ts";
import { CardScp11, ephemeralDigest, type Refusal } from "../../stack/gp/scp11/card.ts";
import { SCP11_INS } from "../../stack/gp/scp11/handshake.ts";
import type { CardSecureChannel } from "../../stack/gp/scp-card.ts";
import { describeSw, SW } from "../../stack/status-words.ts";
import type { CardStore } from "../store/store.ts";
import { META } from "../store/schema.ts";
import { decodeScp11Keys } from "../isd/scp11-keys.ts";

const REMEMBERED = 64;
const DIGEST = 16;
const OPS: Record<number, string> = {
  [SCP11_INS.PERFORM_SECURITY_OPERATION]: "PERFORM SECURITY OPERATION",
  [SCP11_INS.MUTUAL_AUTHENTICATE]: "MUTUAL AUTHENTICATE",
  [SCP11_INS.INTERNAL_AUTHENTICATE]: "INTERNAL AUTHENTICATE",
};

export class Scp11Session {
  #card: CardScp11 | undefined;
  #record: Uint8Array | undefined;

  constructor(
    private readonly o: { store: CardStore; channel: CardSecureChannel; log: (line: string) => void; now?: () => Date },
  ) {}

  /** The card's SCP11 state machine, or undefined when the card has no SCP11 keys. */
  handshake(): CardScp11 | undefined {
    const record = this.o.store.meta(META.SCP11);
    if (!record) return undefined;
    if (!this.#card || !this.#record || !equal(record, this.#record)) {
      this.#card = new CardScp11(decodeScp11Keys(record), this.o.now);
      this.#record = record;
    }
    return this.#card;
  }

  /** Forget a half-sent OCE chain and a verified OCE key: a new selection or power starts the handshake afresh. */
  reset(): void {
    this.#card?.reset();
  }

  /** Whether `ins` is one of SCP11's handshake commands. */
  static handles(ins: number): boolean {
    return ins in OPS;
  }

  process(cmd: CommandApdu): ResponseApdu {
    const op = OPS[cmd.ins] ?? "SCP11";
    const card = this.handshake();
    if (!card) return this.#refuse(op, { sw: SW.INS_NOT_SUPPORTED, reason: "the card has no SCP11 keys (webcard sim --scp 11)" });
    // Any handshake command ends the current session (amendment F 3.1: a new session replaces it).
    this.o.channel.close();
    if (cmd.ins === SCP11_INS.PERFORM_SECURITY_OPERATION) {
      const r = card.performSecurityOperation(cmd);
      return "reason" in r ? this.#refuse(op, r) : ResponseApdu.of(r.sw);
    }
    const r = card.authenticate(cmd, (digest) => this.#used().some((d) => equal(d, digest)));
    if ("reason" in r) return this.#refuse(op, r);
    const store = this.o.store;
    store.atomically(() => {
      const kept = this.#used().slice(-(REMEMBERED - 1));
      store.setMeta(META.SCP11_USED, concat(...kept, ephemeralDigest(r.ePkOce)));
    });
    this.o.channel.adopt(r.session, r.level);
    this.o.log(`${op}: SCP11${r.variant} session open at level ${toHex(Uint8Array.of(r.level))}`);
    return ResponseApdu.of(SW.OK, r.response);
  }

  #used(): Uint8Array[] {
    const all = this.o.store.meta(META.SCP11_USED) ?? new Uint8Array(0);
    const out: Uint8Array[] = [];
    for (let o = 0; o + DIGEST <= all.length; o += DIGEST) out.push(all.subarray(o, o + DIGEST));
    return out;
  }

  #refuse(op: string, r: Refusal): ResponseApdu {
    this.o.log(`refused: ${op}: ${describeSw(r.sw)}: ${r.reason}`);
    return ResponseApdu.of(r.sw);
  }
}
