/**
 * The ISD's secure channel session on the basic logical channel: INITIALIZE
 * UPDATE picks a key set and answers with the card cryptogram; EXTERNAL
 * AUTHENTICATE opens the session or counts a failure. Failures are counted
 * in the card's memory; at the limit INITIALIZE UPDATE answers 6983, as real
 * cards lock their ISD (GP 2.3.1 section 10.2).
 * Sequence counter: SCP03 increments it at each INITIALIZE UPDATE (its
 * pseudo-random card challenge must not repeat); SCP02 after each session
 * opened (E.4.1). Each security domain has its own counters (sd-counters.ts).
 */
import { ResponseApdu, type CommandApdu } from "../../stack/apdu.ts";
import { toHex, hexNumber } from "../../stack/bytes.ts";
import { SW } from "../../stack/status-words.ts";
import { CardSecureChannel } from "../../stack/gp/scp-card.ts";
import { refuse } from "../refusal.ts";
import type { CardStore, StoredKeySet } from "../store/store.ts";
import { META } from "../store/schema.ts";
import { counterKeys, type CounterKeys } from "./sd-counters.ts";

export interface SessionOptions {
  store: CardStore;
  maxAuthFailures: number;
  /** i parameter per protocol. */
  i: { 2: number; 3: number };
  log: (line: string) => void;
  random?: (n: number) => Uint8Array;
}

export class SecureSession {
  readonly channel: CardSecureChannel;
  private initPending = false;
  private pendingVersion: number | undefined;
  /** The counters of the SD that answered the pending INITIALIZE UPDATE. */
  private pendingCounters: CounterKeys = counterKeys();
  /** Whose counters: "the ISD" or "security domain <AID>", for messages. */
  private pendingWho = "the ISD";
  /** Key version of the open session (DELETE key refuses it: GP 11.2.2.2). */
  keyVersion: number | undefined;

  constructor(private readonly o: SessionOptions) {
    const store = o.store;
    this.channel = new CardSecureChannel({
      kdd: store.meta(META.SERIAL)!,
      i: o.i,
      aid: store.meta(META.ISD_AID)!,
      ...(o.random ? { random: o.random } : {}),
    });
  }

  get isOpen(): boolean {
    return this.channel.isOpen;
  }

  close(): void {
    this.channel.close();
    this.initPending = false;
    this.keyVersion = undefined;
  }

  /**
   * INITIALIZE UPDATE `80 50 <key version> 00 08 <host challenge>`, with the
   * ISD's key sets, or `domainSets` for the supplementary security domain `sd`.
   */
  initializeUpdate(cmd: CommandApdu, domainSets?: readonly StoredKeySet[], sd?: Uint8Array): ResponseApdu {
    const op = "INITIALIZE UPDATE";
    this.close();
    if (cmd.p2 !== 0x00) refuse(op, SW.INCORRECT_P1P2, "P2 must be 00 (key identifier)");
    if (cmd.data.length !== 8) refuse(op, SW.WRONG_LENGTH, `the host challenge must be 8 bytes, got ${cmd.data.length}`);
    const store = this.o.store;
    const counters = counterKeys(domainSets ? sd : undefined);
    const who = domainSets && sd ? `security domain ${toHex(sd)}` : "the ISD";
    const failures = store.metaInt(counters.failures);
    if (failures >= this.o.maxAuthFailures) {
      refuse(op, SW.AUTH_METHOD_BLOCKED, `${who} is locked after ${failures} failed EXTERNAL AUTHENTICATE commands (webcard sim --reset restores the factory state)`);
    }
    const sets = domainSets ?? store.keySets();
    const keys = cmd.p1 === 0 ? sets[0] : sets.find((k) => k.version === cmd.p1);
    if (!keys) refuse(op, SW.REFERENCED_DATA_NOT_FOUND, `no key set with version ${hexNumber(cmd.p1)}`);
    const seq = store.metaInt(counters.sequence);
    const data = this.channel.initializeUpdate(cmd.data, keys, seq);
    if (keys.scp === 3) store.atomically(() => store.setMetaInt(counters.sequence, (seq + 1) % 0x1000000));
    this.initPending = true;
    this.pendingVersion = keys.version;
    this.pendingCounters = counters;
    this.pendingWho = who;
    return ResponseApdu.of(SW.OK, data);
  }

  /** EXTERNAL AUTHENTICATE `84 82 <level> 00 10 <host cryptogram> <C-MAC>` (whole command bytes). */
  externalAuthenticate(bytes: Uint8Array): ResponseApdu {
    const op = "EXTERNAL AUTHENTICATE";
    if (!this.initPending) {
      this.close();
      refuse(op, SW.CONDITIONS_NOT_SATISFIED, "no INITIALIZE UPDATE before EXTERNAL AUTHENTICATE");
    }
    this.initPending = false;
    const store = this.o.store;
    if (this.channel.externalAuthenticate(bytes)) {
      const counters = this.pendingCounters;
      store.atomically(() => {
        store.setMetaInt(counters.failures, 0);
        if (this.channel.scp === 2) store.setMetaInt(counters.sequence, (store.metaInt(counters.sequence) + 1) % 0x10000);
      });
      this.keyVersion = this.pendingVersion;
      this.o.log(`EXTERNAL AUTHENTICATE: SCP0${this.channel.scp} session open at level ${toHex(Uint8Array.of(this.channel.level))}`);
      return ResponseApdu.of(SW.OK);
    }
    const counters = this.pendingCounters;
    const failures = store.metaInt(counters.failures) + 1;
    store.atomically(() => store.setMetaInt(counters.failures, failures));
    const left = Math.max(0, this.o.maxAuthFailures - failures);
    this.o.log(
      `refused: EXTERNAL AUTHENTICATE: 6300 (authentication failed): wrong host cryptogram, MAC or level; ${left} attempt(s) left before ${this.pendingWho} locks`,
    );
    return ResponseApdu.of(0x6300);
  }
}
