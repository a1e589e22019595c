/**
 * MANAGE CHANNEL as the card reads it (ISO/IEC 7816-4 section 7.1.2,
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
import type { CommandApdu } from "../../stack/apdu.ts";
import { MAX_CHANNEL } from "../../stack/gp/logical-channel.ts";
import { SW } from "../../stack/status-words.ts";

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
