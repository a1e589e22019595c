/**
 * Logical channels (ISO 7816-4 sections 5.4.1 and 7.1.2; GP 2.3.1 section
 * 11.1.4): the channel number lives in the class byte.
 *
 *   channels 0-3, first interindustry class:   b8-b7 = x0, b4-b3 = SM, b2-b1 = channel
 *   channels 4-19, further interindustry class: b8-b7 = x1, b6 = SM, b4-b1 = channel - 4
 *
 * b8 set makes the class proprietary (GlobalPlatform's 80/84): GP keeps the
 * same channel bits there. MANAGE CHANNEL opens (`00 70 00 00 01`, the card
 * picks the number, or P2 = the number asked for) and closes (`00 70 80 nn`).
 */
import { CommandApdu } from "../apdu.ts";
import { INS } from "./constants.ts";

/** Channels a card may have besides the basic one (ISO 7816-4: 0 to 19). */
export const MAX_CHANNEL = 19;

/** The class byte for `cla` (as on the basic channel: 00, 80, 84, 04, chaining 10 kept) moved to `channel`. */
export function claForChannel(cla: number, channel: number): number {
  if (!Number.isInteger(channel) || channel < 0 || channel > MAX_CHANNEL) throw new RangeError(`Logical channel ${channel} is not 0..${MAX_CHANNEL}`);
  const proprietary = cla & 0x80;
  const chaining = cla & 0x10;
  const sm = (cla & 0x0c) !== 0;
  if (channel <= 3) return proprietary | chaining | (cla & 0x0c) | channel;
  return proprietary | 0x40 | (sm ? 0x20 : 0) | chaining | (channel - 4);
}

/** The channel a class byte addresses, and whether it signals secure messaging. */
export function channelOfCla(cla: number): { channel: number; secureMessaging: boolean } {
  if ((cla & 0x40) === 0) return { channel: cla & 0x03, secureMessaging: (cla & 0x0c) !== 0 };
  return { channel: 4 + (cla & 0x0f), secureMessaging: (cla & 0x20) !== 0 };
}

/** The class byte of the basic channel that `cla` stands for (its channel bits cleared, SM kept as 04). */
export function basicCla(cla: number): number {
  const { secureMessaging } = channelOfCla(cla);
  return (cla & 0x80) | (secureMessaging ? 0x04 : 0);
}

/** MANAGE CHANNEL open (ISO 7816-4 7.1.2): from `from` (usually 0); `channel` asks for a number, else the card assigns one. */
export function manageChannelOpen(from = 0, channel?: number): CommandApdu {
  return new CommandApdu({ cla: claForChannel(0x00, from), ins: INS.MANAGE_CHANNEL, p1: 0x00, p2: channel ?? 0x00, ...(channel === undefined ? { ne: 1 } : {}) });
}

/** MANAGE CHANNEL close of `channel`. */
export function manageChannelClose(channel: number): CommandApdu {
  if (channel < 1 || channel > MAX_CHANNEL) throw new RangeError(`Logical channel ${channel} cannot be closed (1..${MAX_CHANNEL})`);
  return new CommandApdu({ cla: claForChannel(0x00, channel), ins: INS.MANAGE_CHANNEL, p1: 0x80, p2: channel });
}

/** The same command on another logical channel. */
export function onChannel(cmd: CommandApdu, channel: number): CommandApdu {
  if (channel === 0) return cmd;
  return new CommandApdu({ cla: claForChannel(cmd.cla, channel), ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: cmd.data, ...(cmd.ne !== undefined ? { ne: cmd.ne } : {}), extended: cmd.extended });
}
