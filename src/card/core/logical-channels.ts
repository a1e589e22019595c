/**
 * The card's logical channels: the open ones, each with its selection and
 * secure channel, and MANAGE CHANNEL as the card reads it (ISO/IEC 7816-4 section 7.1.2,
 * GP 2.3.1 section 11.7, Java Card 3.0.5 JCRE section 4.4):
 *
 *   open:  CLA(origin) 70 00 00 01  -> the card picks a number: data [n]
 *          CLA(origin) 70 00 nn     -> the card opens channel nn (1-19): no data
 *   close: CLA(any)    70 80 nn     -> closes nn; nn = 00 closes the channel of the CLA
 *
 * The status words: 6881 for a channel that is not open (or a command on
 * one), 6A81 when no channel is free, the asked one is already open, or the
 * basic channel is to be closed (it never closes), 6A86 for other P1/P2.
 */
import { CommandApdu, ResponseApdu } from "../../stack/apdu.ts";
import { toHex } from "../../stack/bytes.ts";
import { MAX_CHANNEL } from "../../stack/gp/logical-channel.ts";
import { describeSw, SW } from "../../stack/status-words.ts";
import type { CardApplication } from "../application.ts";
import type { SecureSession } from "./secure-session.ts";
import type { Scp11Session } from "./scp11-session.ts";

/** A channel's own secure channel session and SCP11 handshake. */
export interface ChannelSecurity {
  session: SecureSession;
  scp11: Scp11Session;
}

/** What a channel has selected. */
export interface Selected {
  aid: Uint8Array;
  app: CardApplication;
  /** A CardApplication (ISD or built-in): the core runs its secure channel. */
  native: boolean;
}

/** One open logical channel: what is selected on it and its own secure channel. */
export interface Channel extends ChannelSecurity {
  readonly number: number;
  selected: Selected | undefined;
}

/** What the channel table needs from the card core. */
export interface ChannelHost {
  security(): ChannelSecurity;
  /** The application a channel opened from the basic one selects. */
  defaultApplication(): Selected;
  /** Deselect what the channel has selected and end its session. */
  endSelection(ch: Channel): void;
  log(line: string): void;
}

/** The open logical channels (the basic one always, after power-on). */
export class LogicalChannels {
  readonly #open = new Map<number, Channel>();

  constructor(private readonly host: ChannelHost) {}

  /** A new channel, not yet in the table. */
  create(number: number): Channel {
    return { number, selected: undefined, ...this.host.security() };
  }

  get(number: number): Channel | undefined {
    return this.#open.get(number);
  }

  add(ch: Channel): Channel {
    this.#open.set(ch.number, ch);
    return ch;
  }

  /** Whether an application is selected on a channel other than `except`. */
  selectedElsewhere(aid: Uint8Array, except: Channel | undefined): boolean {
    const hex = toHex(aid);
    for (const ch of this.#open.values()) if (ch !== except && ch.selected && toHex(ch.selected.aid) === hex) return true;
    return false;
  }

  /** Power off or reset: every channel's selection and session ends. */
  closeAll(): void {
    for (const ch of [...this.#open.values()]) {
      this.host.endSelection(ch);
      this.#open.delete(ch.number);
    }
  }

  /** MANAGE CHANNEL open or close sent on `origin`; never reaches an application. Answers the response bytes. */
  manage(origin: Channel, bytes: Uint8Array): Uint8Array {
    const op = "MANAGE CHANNEL";
    let cmd: CommandApdu;
    try {
      cmd = CommandApdu.parse(bytes);
    } catch {
      return ResponseApdu.of(SW.WRONG_LENGTH).toBytes();
    }
    const refused = (r: ChannelRefusal) => {
      this.host.log(`refused: ${op}: ${describeSw(r.sw)}: ${r.reason}`);
      return ResponseApdu.of(r.sw).toBytes();
    };
    const request = manageChannelRequest(cmd, origin.number);
    if ("sw" in request) return refused(request);
    if (!request.open) {
      const closing = this.#open.get(request.channel);
      if (!closing) return refused({ sw: SW.LOGICAL_CHANNEL_NOT_SUPPORTED, reason: `logical channel ${request.channel} is not open` });
      this.host.endSelection(closing);
      this.#open.delete(request.channel);
      this.host.log(`${op}: logical channel ${request.channel} closed`);
      return ResponseApdu.of(SW.OK).toBytes();
    }
    const number = channelToOpen(request.requested, (n) => this.#open.has(n));
    if (typeof number !== "number") return refused(number);
    // From the basic channel the new channel selects the default application; from another, what that channel has selected.
    const selected = origin.number === 0 ? this.host.defaultApplication() : origin.selected;
    if (selected && !selected.native && this.selectedElsewhere(selected.aid, undefined)) {
      return refused({ sw: SW.CONDITIONS_NOT_SATISFIED, reason: `${toHex(selected.aid)} is selected on another channel and is not multi-selectable` });
    }
    const ch = this.add(this.create(number));
    ch.selected = selected;
    this.host.log(`${op}: logical channel ${number} open${selected ? `, ${toHex(selected.aid)} selected` : ""}`);
    return ResponseApdu.of(SW.OK, request.requested === undefined ? Uint8Array.of(number) : new Uint8Array(0)).toBytes();
  }
}

export type ManageChannelRequest =
  | { open: true; requested: number | undefined }
  | { open: false; channel: number };

export interface ChannelRefusal {
  sw: number;
  reason: string;
}

/** What a MANAGE CHANNEL command asks for, sent on channel `origin`, or why it is refused. */
export function manageChannelRequest(cmd: CommandApdu, origin: number): ManageChannelRequest | ChannelRefusal {
  if (cmd.data.length > 0) return { sw: SW.WRONG_LENGTH, reason: "MANAGE CHANNEL carries no data" };
  if (cmd.p1 === 0x00) {
    if (cmd.p2 === 0x00) return { open: true, requested: undefined };
    if (cmd.p2 > MAX_CHANNEL) return { sw: SW.INCORRECT_P1P2, reason: `P2 ${cmd.p2} is not a logical channel (1-${MAX_CHANNEL})` };
    return { open: true, requested: cmd.p2 };
  }
  if (cmd.p1 === 0x80) {
    const channel = cmd.p2 === 0x00 ? origin : cmd.p2;
    if (channel > MAX_CHANNEL) return { sw: SW.INCORRECT_P1P2, reason: `P2 ${cmd.p2} is not a logical channel (1-${MAX_CHANNEL})` };
    if (channel === 0) return { sw: SW.FUNCTION_NOT_SUPPORTED, reason: "the basic logical channel cannot be closed" };
    return { open: false, channel };
  }
  return { sw: SW.INCORRECT_P1P2, reason: `P1 ${cmd.p1} is neither 00 (open) nor 80 (close)` };
}

/** The channel to open: the one asked for, else the lowest free one; or why none. */
export function channelToOpen(requested: number | undefined, isOpen: (n: number) => boolean): number | ChannelRefusal {
  if (requested !== undefined) {
    return isOpen(requested) ? { sw: SW.FUNCTION_NOT_SUPPORTED, reason: `logical channel ${requested} is already open` } : requested;
  }
  for (let n = 1; n <= MAX_CHANNEL; n++) if (!isOpen(n)) return n;
  return { sw: SW.FUNCTION_NOT_SUPPORTED, reason: `all ${MAX_CHANNEL} logical channels besides the basic one are open` };
}
