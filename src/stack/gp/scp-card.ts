/**
 * The card side of SCP02 and SCP03, for the simulated card's Issuer Security
 * Domain: INITIALIZE UPDATE, EXTERNAL AUTHENTICATE, then unwrapping commands
 * and wrapping responses at the session's security level.
 *
 * Any secure messaging failure closes the session (GP 2.3.1 section 10.2.3,
 * amendment D 6.2.4): the card answers the SW and every later command needs
 * a new INITIALIZE UPDATE.
 */
import { concat, equalConstantTime, u16, uintBytes, hexNumber } from "../bytes.ts";
import { CommandApdu, ResponseApdu } from "../apdu.ts";
import { SW } from "../status-words.ts";
import { LEVEL_BIT } from "./security-level.ts";
import {
  Scp02Session,
  scp02CardCryptogram,
  scp02HostCryptogram,
  scp02PseudoRandomChallenge,
  scp02SessionKeys,
} from "./scp02.ts";
import {
  SCP03_I,
  Scp03Session,
  scp03CardCryptogram,
  scp03HostCryptogram,
  scp03PseudoRandomChallenge,
  scp03SessionKeys,
} from "./scp03.ts";

export interface CardKeySet {
  version: number;
  scp: 2 | 3;
  enc: Uint8Array;
  mac: Uint8Array;
  dek: Uint8Array;
}

/** "i" values this card implements, per protocol. */
const SUPPORTED_I = { 2: [0x15, 0x55], 3: [0x00, 0x10, 0x20, 0x30, 0x60, 0x70] } as const;
const DEFAULT_I = { 2: 0x55, 3: 0x00 } as const;
const DEFAULT_ISD_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00);

/** Security levels EXTERNAL AUTHENTICATE may ask for (GP 2.3.1 E.5.2.1, amendment D 7.1.2.1). */
const LEVELS = { 2: [0x00, 0x01, 0x03, 0x11, 0x13], 3: [0x00, 0x01, 0x03, 0x11, 0x13, 0x33] } as const;

interface Pending {
  scp: 2 | 3 | 11;
  i: number;
  session: Scp02Session | Scp03Session;
  hostCryptogram: Uint8Array;
}

function defaultRandom(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** One card-side secure channel (one per logical channel of the ISD). */
export class CardSecureChannel {
  readonly #kdd: Uint8Array;
  readonly #i: { 2: number; 3: number };
  readonly #random: (n: number) => Uint8Array;
  readonly #aid: Uint8Array;
  #pending: Pending | undefined;
  #open: Pending | undefined;
  #level = 0;

  constructor(options: {
    kdd: Uint8Array;
    /** One value for whichever protocol a key set uses, or one per protocol. Defaults: SCP02 55, SCP03 00. */
    i?: number | { 2?: number; 3?: number };
    random?: (n: number) => Uint8Array;
    /** The security domain's AID, input of pseudo-random card challenges (default A000000151000000). */
    aid?: Uint8Array;
  }) {
    if (options.kdd.length !== 10) throw new RangeError(`KDD must be 10 bytes, got ${options.kdd.length}`);
    this.#kdd = options.kdd.slice();
    const i = options.i;
    this.#i =
      typeof i === "number"
        ? { 2: i, 3: i }
        : { 2: i?.[2] ?? DEFAULT_I[2], 3: i?.[3] ?? DEFAULT_I[3] };
    this.#random = options.random ?? defaultRandom;
    this.#aid = (options.aid ?? DEFAULT_ISD_AID).slice();
  }

  get isOpen(): boolean {
    return this.#open !== undefined;
  }

  /** Security level byte of the open session (0 when closed). */
  get level(): number {
    return this.#open ? this.#level : 0;
  }

  /** Protocol of the open session. */
  get scp(): 2 | 3 | 11 | undefined {
    return this.#open?.scp;
  }

  /** Open a session an SCP11 handshake agreed (amendment F: SCP03 secure messaging at `level` from then on). */
  adopt(session: Scp03Session, level: number): void {
    this.close();
    this.#open = { scp: 11, i: session.i, session, hostCryptogram: new Uint8Array(0) };
    this.#level = level;
  }

  /** The session DEK for decrypting PUT KEY key values (SCP02: session DEK; SCP03: static DEK). */
  get dek(): Uint8Array | undefined {
    return this.#open?.session.keys.dek.slice();
  }

  /** INITIALIZE UPDATE data (8-byte host challenge) + chosen key set + sequence counter -> response data (without SW). */
  initializeUpdate(hostChallenge: Uint8Array, keys: CardKeySet, sequenceCounter: number): Uint8Array {
    if (hostChallenge.length !== 8) throw new RangeError(`Host challenge must be 8 bytes, got ${hostChallenge.length}`);
    this.close();
    const scp = keys.scp;
    const i = this.#i[scp];
    if (!(SUPPORTED_I[scp] as readonly number[]).includes(i)) {
      throw new RangeError(`SCP0${scp} i=${hexNumber(i)} is not supported by this card`);
    }
    if (scp === 2) {
      // KDD 10 | key version | 02 | sequence counter 2 | card challenge 6 | card cryptogram 8 (E.5.1.3)
      const seq = u16(sequenceCounter & 0xffff);
      const sk = scp02SessionKeys(keys, seq);
      const card = i & 0x40 ? scp02PseudoRandomChallenge(sk.cmac, this.#aid) : this.#random(6).slice(0, 6);
      this.#pending = {
        scp,
        i,
        session: new Scp02Session(sk, i),
        hostCryptogram: scp02HostCryptogram(sk.enc, seq, card, hostChallenge),
      };
      return concat(this.#kdd, keys.version, 0x02, seq, card, scp02CardCryptogram(sk.enc, hostChallenge, seq, card));
    }
    // KDD 10 | key version | 03 | i | card challenge 8 | card cryptogram 8 | [sequence counter 3] (amendment D 7.1.1.3)
    const pseudo = (i & SCP03_I.PSEUDO_RANDOM) !== 0;
    const seq = sequenceCounter & 0xffffff;
    const card = pseudo ? scp03PseudoRandomChallenge(keys.enc, seq, this.#aid) : this.#random(8).slice(0, 8);
    const context = concat(hostChallenge, card);
    const sk = scp03SessionKeys(keys, context);
    this.#pending = { scp, i, session: new Scp03Session(sk, i), hostCryptogram: scp03HostCryptogram(sk.mac, context) };
    const tail = pseudo ? uintBytes(seq, 3) : new Uint8Array(0);
    return concat(this.#kdd, keys.version, 0x03, i, card, scp03CardCryptogram(sk.mac, context), tail);
  }

  /** Full EXTERNAL AUTHENTICATE command APDU bytes -> true when host cryptogram and MAC verify (then the channel is open at the requested level). */
  externalAuthenticate(command: Uint8Array): boolean {
    const pending = this.#pending;
    // One attempt per INITIALIZE UPDATE; any EXTERNAL AUTHENTICATE ends the current session.
    this.close();
    if (!pending) return false;
    let cmd: CommandApdu;
    try {
      cmd = CommandApdu.parse(command);
    } catch {
      return false;
    }
    const level = cmd.p1;
    if (cmd.cla !== 0x84 || cmd.ins !== 0x82 || cmd.p2 !== 0 || cmd.data.length !== 16) return false;
    if (pending.scp === 11 || !levelAllowed(pending.scp, pending.i, level)) return false;
    if (!equalConstantTime(cmd.data.subarray(0, 8), pending.hostCryptogram)) return false;
    if (typeof pending.session.unwrapCommand(cmd, LEVEL_BIT.C_MAC) === "number") return false;
    this.#open = pending;
    this.#level = level;
    return true;
  }

  /**
   * A command while the channel is open: verify the C-MAC and decrypt C-DEC;
   * returns the plain command bytes (CLA without bit 04), or the SW to answer
   * (6982 / 6988), in which case the channel is closed. Under level 00 a
   * command without secure messaging passes unchanged.
   */
  unwrapCommand(command: Uint8Array): Uint8Array | number {
    const open = this.#open;
    if (!open) return SW.SECURITY_STATUS_NOT_SATISFIED;
    let cmd: CommandApdu;
    try {
      cmd = CommandApdu.parse(command);
    } catch {
      this.close();
      return SW.SM_DATA_INCORRECT;
    }
    const result = open.session.unwrapCommand(cmd, this.#level);
    if (typeof result === "number") {
      this.close();
      return result;
    }
    return result.toBytes();
  }

  /** Response data + SW -> wrapped (R-MAC / R-ENC) response bytes when the level asks for it. */
  wrapResponse(response: Uint8Array): Uint8Array {
    const open = this.#open;
    if (!open || !(this.#level & LEVEL_BIT.R_MAC)) return response;
    return open.session.wrapResponse(ResponseApdu.parse(response), this.#level).toBytes();
  }

  /** End the session (and forget a pending INITIALIZE UPDATE). */
  close(): void {
    this.#open = undefined;
    this.#pending = undefined;
    this.#level = 0;
  }
}

/** Whether `level` is valid for the protocol and its "i" (R-MAC and R-ENC need i bits 20 and 40 in SCP03). */
export function levelAllowed(scp: 2 | 3, i: number, level: number): boolean {
  if (!(LEVELS[scp] as readonly number[]).includes(level)) return false;
  if (scp === 3 && level & LEVEL_BIT.R_MAC && !(i & SCP03_I.R_MAC)) return false;
  if (scp === 3 && level & LEVEL_BIT.R_ENC && !(i & SCP03_I.R_ENC)) return false;
  return true;
}
