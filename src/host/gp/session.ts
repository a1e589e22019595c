/**
 * A GlobalPlatform session with the card's ISD: the transport to send card
 * content management commands through (a secure channel, or the plain
 * transport for tests and open cards), which ISD answered, and the LOAD
 * block size that fits that channel.
 */
import type { Transport } from "../../stack/transport/transport.ts";
import type { Fci } from "../../stack/gp/fci.ts";
import type { SecureChannel } from "../../stack/gp/secure-channel.ts";
import type { Scp11Channel } from "../../stack/gp/scp11/open.ts";
import { commandRoom, type SecurityLevel } from "../../stack/gp/security-level.ts";
import { MAX_SHORT_NC } from "../../stack/apdu.ts";
import { MAX_EXTENDED_BLOCK } from "../../stack/gp/load.ts";
import { UsageError } from "../../stack/errors.ts";
import type { Kdf } from "../../stack/gp/keys.ts";
import type { Quirk } from "../../stack/gp/quirks.ts";

export interface GpSession {
  /** Where commands go: usually an authenticated secure channel. */
  readonly channel: Transport;
  /** The security domain that answered SELECT. */
  readonly isd: Uint8Array;
  readonly fci: Fci;
  /** Data bytes per LOAD command. */
  readonly blockSize: number;
  readonly level: SecurityLevel;
  /** "02" or "03" when a secure channel is open. */
  readonly scp?: string;
  /** The secure channel itself (the same object as `channel`), when one is open: PUT KEY needs its DEK. */
  readonly secure?: SecureChannel;
  /** The SCP11 channel (the same object as `channel`), when one is open: PUT KEY needs its S-DEK. */
  readonly scp11?: Scp11Channel;
  /** Key check values of the keys in use, for display. */
  readonly kcvs?: Record<string, string>;
  /** The key diversification in use (SCP02/03), given or found from the card's cryptogram. */
  readonly kdf?: Kdf;
  /** The real-card quirks met while opening the session (stack/gp/quirks.ts). */
  readonly quirks?: readonly Quirk[];
}

/**
 * LOAD block size: the card's FCI 9F65 less the channel's overhead, so 247
 * with C-MAC and 239 with encryption on a card that says 255. A card that
 * announces more than 255 gets blocks of its size when the path carries
 * extended-length APDUs (GlobalPlatformPro keeps 255 unless told); else 255.
 * An explicit size wins but must fit one command at that level: a short one,
 * or an extended one when the path carries extended-length APDUs.
 */
export function blockSizeFor(level: SecurityLevel, maxCommandData?: number, explicit?: number, extended = false): number {
  if (explicit !== undefined) {
    const ceiling = maxBlockSize(level, extended);
    if (!Number.isInteger(explicit) || explicit < 1 || explicit > ceiling) {
      throw new UsageError(`Block size ${explicit} does not fit a LOAD command at level ${level}: use 1 to ${ceiling}`);
    }
    return explicit;
  }
  const cardMax = maxCommandData === undefined ? MAX_SHORT_NC : Math.min(maxCommandData, extended ? MAX_EXTENDED_BLOCK : MAX_SHORT_NC);
  return Math.max(1, commandRoom(cardMax, level));
}

/** The largest block size at `level`, short or extended; for checks done before talking to the card. */
export function maxBlockSize(level: SecurityLevel, extended = false): number {
  return commandRoom(extended ? MAX_EXTENDED_BLOCK : MAX_SHORT_NC, level);
}
