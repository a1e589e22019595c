/**
 * A GlobalPlatform session with the card's ISD: the transport to send card
 * content management commands through (a secure channel, or the plain
 * transport for tests and open cards), which ISD answered, and the LOAD
 * block size that fits that channel.
 */
import type { Transport } from "../../stack/transport/transport.ts";
import type { Fci } from "../../stack/gp/fci.ts";
import type { ScpLevel, SecureChannel } from "../../stack/gp/secure-channel.ts";
import { BLOCK_SIZE } from "../../stack/gp/constants.ts";
import { MAX_EXTENDED_BLOCK } from "../../stack/gp/load.ts";
import { UsageError } from "../../stack/errors.ts";

/** Secure channel levels, as the secure-channel module names them. */
export type ChannelLevel = ScpLevel;

export interface GpSession {
  /** Where commands go: usually an authenticated secure channel. */
  readonly channel: Transport;
  /** The security domain that answered SELECT. */
  readonly isd: Uint8Array;
  readonly fci: Fci;
  /** Data bytes per LOAD command. */
  readonly blockSize: number;
  readonly level: ChannelLevel;
  /** "02" or "03" when a secure channel is open. */
  readonly scp?: string;
  /** The secure channel itself (the same object as `channel`), when one is open: PUT KEY needs its DEK. */
  readonly secure?: SecureChannel;
  /** Key check values of the keys in use, for display. */
  readonly kcvs?: Record<string, string>;
}

/**
 * Bytes a secure channel adds to a command at `level`: 8 for the C-MAC, 8 more for encryption padding.
 * rmac (13) and renc (33) encrypt commands too (LEVEL_BYTE in secure-channel.ts).
 */
export function channelOverhead(level: ChannelLevel): number {
  if (level === "clear") return 0;
  if (level === "enc" || level === "rmac" || level === "renc") return BLOCK_SIZE.PLAIN - BLOCK_SIZE.C_ENC;
  return BLOCK_SIZE.PLAIN - BLOCK_SIZE.C_MAC;
}

/** Bytes a secure channel may add to an extended command: the MAC and a full cipher block of padding. */
const EXTENDED_OVERHEAD = { clear: 0, mac: 8, rmac: 24, enc: 24, renc: 24 } as const satisfies Record<ChannelLevel, number>;

/**
 * LOAD block size: the card's FCI 9F65 (at most 255, short APDUs) less the
 * channel's overhead, so 247 with C-MAC and 239 with encryption by default.
 * An explicit size wins but must fit one command at that level: a short one,
 * or an extended one when the path carries extended-length APDUs.
 */
export function blockSizeFor(level: ChannelLevel, maxCommandData?: number, explicit?: number, extended = false): number {
  if (explicit !== undefined) {
    const ceiling = maxBlockSize(level, extended);
    if (!Number.isInteger(explicit) || explicit < 1 || explicit > ceiling) {
      throw new UsageError(`Block size ${explicit} does not fit a LOAD command at level ${level}: use 1 to ${ceiling}`);
    }
    return explicit;
  }
  const cardMax = maxCommandData === undefined ? BLOCK_SIZE.PLAIN : Math.min(maxCommandData, BLOCK_SIZE.PLAIN);
  return Math.max(1, cardMax - channelOverhead(level));
}

/** The largest block size at `level`, short or extended; for checks done before talking to the card. */
export function maxBlockSize(level: ChannelLevel, extended = false): number {
  return extended ? MAX_EXTENDED_BLOCK - EXTENDED_OVERHEAD[level] : BLOCK_SIZE.PLAIN - channelOverhead(level);
}
