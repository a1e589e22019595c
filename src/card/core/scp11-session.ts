/**
 * The ISD's SCP11 handshake on the basic logical channel (GP amendment F):
 * PERFORM SECURITY OPERATION (80 2A), MUTUAL AUTHENTICATE (80 82) and
 * INTERNAL AUTHENTICATE (80 88). A successful handshake replaces any open
 * session with SCP11's (SCP03 secure messaging); each ePK.OCE may open one
 * session only, so a recorded handshake cannot be replayed.
 *
 * PERFORM SECURITY OPERATION takes command chaining (ISO/IEC 7816-4 5.3.3,
 * CLA 90 on every command but the last; amendment F 7.3) for a certificate
 * that does not fit one short command: the pieces, with the same P1 P2, are
 * joined up to CHAIN_LIMIT bytes and the last command is handled as if the
 * whole certificate had come in one.
 */
import { CommandApdu, ResponseApdu } from "../../stack/apdu.ts";
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
/** Bytes a chained OCE certificate may reach: a P-521 GP certificate is about 300, so 4 KiB leaves room for rich ones. */
export const CHAIN_LIMIT = 4096;
/** PERFORM SECURITY OPERATION, the one command this card takes in a chain. */
export const INS_PERFORM_SECURITY_OPERATION = SCP11_INS.PERFORM_SECURITY_OPERATION;
/** CLA bit of command chaining (ISO/IEC 7816-4 table 2). */
const CHAINING = 0x10;
const DIGEST = 16;
const OPS: Record<number, string> = {
  [SCP11_INS.PERFORM_SECURITY_OPERATION]: "PERFORM SECURITY OPERATION",
  [SCP11_INS.MUTUAL_AUTHENTICATE]: "MUTUAL AUTHENTICATE",
  [SCP11_INS.INTERNAL_AUTHENTICATE]: "INTERNAL AUTHENTICATE",
};

export class Scp11Session {
  #card: CardScp11 | undefined;
  #record: Uint8Array | undefined;
  /** The pieces of a chained PERFORM SECURITY OPERATION so far, with its P1 P2. */
  #chain: { p1: number; p2: number; data: Uint8Array } | undefined;

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
    this.#chain = undefined;
  }

  /** Drop a half-sent chain: another command came in between (ISO/IEC 7816-4 5.3.3). */
  endChain(): void {
    this.#chain = undefined;
  }

  /** Whether `ins` is one of SCP11's handshake commands. */
  static handles(ins: number): boolean {
    return ins in OPS;
  }

  /** Whether the command bytes are a chained PERFORM SECURITY OPERATION (CLA 90 2A), which this session takes. */
  static chained(bytes: Uint8Array): boolean {
    return bytes[0] === (0x80 | CHAINING) && bytes[1] === SCP11_INS.PERFORM_SECURITY_OPERATION;
  }

  /**
   * The whole command once a chain ends (the last piece with the data of
   * those before), an answer while it goes on or when it breaks the rules.
   */
  #joinChain(cmd: CommandApdu, op: string): CommandApdu | ResponseApdu {
    const chain = this.#chain;
    const more = (cmd.cla & CHAINING) !== 0;
    if (!chain && !more) return cmd;
    if (chain && (chain.p1 !== cmd.p1 || chain.p2 !== cmd.p2)) {
      this.#chain = undefined;
      return this.#refuse(op, { sw: SW.INCORRECT_P1P2, reason: "a chained command changed P1 P2 before the chain ended" });
    }
    const data = concat(chain?.data ?? new Uint8Array(0), cmd.data);
    if (data.length > CHAIN_LIMIT) {
      this.#chain = undefined;
      return this.#refuse(op, { sw: SW.WRONG_DATA, reason: `chained certificate over ${CHAIN_LIMIT} bytes` });
    }
    if (more) {
      this.#chain = { p1: cmd.p1, p2: cmd.p2, data };
      return ResponseApdu.of(SW.OK);
    }
    this.#chain = undefined;
    return new CommandApdu({ cla: 0x80, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data });
  }

  process(cmd: CommandApdu): ResponseApdu {
    const op = OPS[cmd.ins] ?? "SCP11";
    const card = this.handshake();
    if (!card) return this.#refuse(op, { sw: SW.INS_NOT_SUPPORTED, reason: "the card has no SCP11 keys (webcard sim --scp 11)" });
    // Any handshake command ends the current session (amendment F 3.1: a new session replaces it).
    this.o.channel.close();
    if (cmd.ins !== SCP11_INS.PERFORM_SECURITY_OPERATION) this.#chain = undefined;
    else {
      const whole = this.#joinChain(cmd, op);
      if (whole instanceof ResponseApdu) return whole;
      const r = card.performSecurityOperation(whole);
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
