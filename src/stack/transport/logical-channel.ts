/**
 * A logical channel as a Transport wrapper (ISO/IEC 7816-4 sections 5.4.1
 * and 7.1.2, GP 2.3.1 section 11.1.4): MANAGE CHANNEL opens it from the
 * basic channel, every command then goes out with the channel's class byte,
 * and closing sends MANAGE CHANNEL close.
 *
 * It sits next to the card, below GET RESPONSE handling and any secure
 * channel: those build their commands as on the basic channel (00, 80, 84)
 * and this wrapper moves the class byte, so a C-MAC is computed over the
 * class byte with its channel bits zeroed (amendment D section 6.2.4) and
 * GET RESPONSE goes to the channel that asked for it.
 */
import { ResponseApdu } from "../apdu.ts";
import { SwError } from "../errors.ts";
import { claForChannel, manageChannelClose, manageChannelOpen, MAX_CHANNEL } from "../gp/logical-channel.ts";
import { SW } from "../status-words.ts";
import { send, transactionOf, type Transport } from "./transport.ts";

export interface LogicalChannel extends Transport {
  /** The channel number (1-19). */
  readonly channel: number;
  /** MANAGE CHANNEL close; the transport below stays open. Idempotent. */
  release(): Promise<void>;
}

/** Whether the class byte is ISO-coded (first interindustry 00-1F or its GP twin 80-9F) and can carry a channel number. */
const movable = (cla: number) => cla <= 0x1f || (cla >= 0x80 && cla <= 0x9f);

/** Commands through `inner` on logical channel `channel` (class bytes not coded as ISO's pass unchanged). */
export function onLogicalChannel(inner: Transport, channel: number): Transport {
  claForChannel(0, channel); // checks the number
  return {
    name: inner.name,
    extendedLength: inner.extendedLength,
    ...transactionOf(inner),
    close: () => inner.close?.() ?? Promise.resolve(),
    transmit(command) {
      if (channel === 0 || command.length < 4 || !movable(command[0]!)) return inner.transmit(command);
      const moved = command.slice();
      moved[0] = claForChannel(command[0]!, channel);
      return inner.transmit(moved);
    },
  };
}

const HINTS: Partial<Record<number, string>> = {
  [SW.LOGICAL_CHANNEL_NOT_SUPPORTED]: "the card has no logical channels besides the basic one: leave out --channel",
  [SW.FUNCTION_NOT_SUPPORTED]: "that channel is already open, or the card has no free channel: choose another --channel number",
  [SW.INS_NOT_SUPPORTED]: "the card does not know MANAGE CHANNEL: leave out --channel",
  [SW.CLA_NOT_SUPPORTED]: "the card does not know MANAGE CHANNEL: leave out --channel",
};

/**
 * MANAGE CHANNEL open on the basic channel: the channel `requested`
 * (1-19), or one the card picks; then a transport on it through `inner`.
 * `control` carries the open (default `inner`; a GET RESPONSE wrapper of it
 * for T=0 cards, which must not sit between the channel and `inner`).
 */
export async function openLogicalChannel(inner: Transport, requested?: number, control: Transport = inner): Promise<LogicalChannel> {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1 || requested > MAX_CHANNEL)) {
    throw new RangeError(`Logical channel ${requested} cannot be opened (1..${MAX_CHANNEL})`);
  }
  const opened = await send(control, manageChannelOpen(0, requested));
  if (!opened.ok) {
    const hint = HINTS[opened.sw];
    throw new SwError(`MANAGE CHANNEL open${requested === undefined ? "" : ` of channel ${requested}`}`, opened.sw, hint ? { hint, detail: hint } : {});
  }
  const channel = requested ?? opened.data[0];
  if (channel === undefined || channel < 1 || channel > MAX_CHANNEL || (requested === undefined && opened.data.length !== 1)) {
    throw new SwError("MANAGE CHANNEL open", SW.WRONG_LENGTH, { detail: `the card's answer ${opened.data.length} bytes does not name a channel 1-${MAX_CHANNEL}` });
  }
  let released = false;
  const on = onLogicalChannel(inner, channel);
  const release = async () => {
    if (released) return;
    released = true;
    // 0x 70 80 nn on the channel itself; its CLA is already the channel's, so it goes past the wrapper.
    const closed = ResponseApdu.parse(await inner.transmit(manageChannelClose(channel).toBytes()));
    if (!closed.ok) throw new SwError(`MANAGE CHANNEL close of channel ${channel}`, closed.sw);
  };
  return {
    ...on,
    channel,
    release,
    close: async () => {
      try {
        await release();
      } finally {
        await inner.close?.();
      }
    },
  };
}
