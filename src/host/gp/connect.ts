/**
 * Open a GlobalPlatform session: find and select the ISD, authenticate with
 * a secure channel (SCP02 or SCP03, never retried on a wrong key), and fix
 * the LOAD block size for the card and the channel.
 */
import { inTransaction, type Transport } from "../../stack/transport/transport.ts";
import { openSecureChannel, type SecureChannelOptions } from "../../stack/gp/secure-channel.ts";
import { openScp11Channel, type Scp11Options } from "../../stack/gp/scp11/open.ts";
import type { Quirk } from "../../stack/gp/quirks.ts";
import { discoverIsd } from "./discover.ts";
import { blockSizeFor, type GpSession } from "./session.ts";

export interface GpConnectOptions extends SecureChannelOptions {
  /** The ISD's AID; discovered when absent. */
  isd?: Uint8Array;
  /** LOAD block size; from the FCI and the channel level when absent. */
  blockSize?: number;
  /** SCP11 instead of SCP02/03 (GP amendment F). */
  scp11?: Scp11Options;
}

/**
 * Select the ISD and open an authenticated session on `transport`. The
 * session lasts as long as nobody else selects on the card: run it and the
 * work done in it inside one transaction (Transport.transaction).
 */
export function openGpSession(transport: Transport, options: GpConnectOptions): Promise<GpSession> {
  return inTransaction(transport, "authentication", () => authenticate(transport, options));
}

async function authenticate(transport: Transport, options: GpConnectOptions): Promise<GpSession> {
  const isd = await discoverIsd(transport, options.isd);
  const { isd: _isd, blockSize, scp11, ...channelOptions } = options;
  if (scp11) {
    const ch = await openScp11Channel(transport, scp11);
    const level = scp11.level === "enc" ? "renc" : "mac";
    const extended = transport.extendedLength === true;
    const fitted = blockSizeFor(level, isd.fci.maxCommandData, blockSize, extended);
    const size = blockSize !== undefined && extended ? fitted : Math.min(fitted, ch.maxCommandData);
    return { channel: ch, scp11: ch, isd: isd.aid, fci: isd.fci, blockSize: size, level, scp: `11${ch.variant}`, kcvs: { card: `${ch.cardKey}${ch.verified ? "" : " (not verified: no --ca-key)"}` }, quirks: isd.quirks };
  }
  // SCP02's INITIALIZE UPDATE does not say its i; the card recognition data in the FCI does (quirk scp02IFromCardData).
  const scp02i = channelOptions.scp02i ?? isd.fci.recognition?.scps.find((s) => s.scp === 2)?.i;
  const channel = await openSecureChannel(transport, { ...channelOptions, ...(scp02i === undefined ? {} : { scp02i }) });
  const quirks: Quirk[] = [...isd.quirks];
  if (channel.kdfFromCard && channel.kdf !== "none") quirks.push("diversifiedKeys");
  if (channel.scp === 2 && scp02i !== undefined && channelOptions.scp02i === undefined) quirks.push("scp02IFromCardData");
  if (channel.scp === 3 && channel.i !== 0x00) quirks.push("scp03IFromInitUpdate");
  if (isd.fci.maxCommandData !== undefined && isd.fci.maxCommandData !== 255) quirks.push("maxBlockSize");
  const extended = transport.extendedLength === true;
  const fitted = blockSizeFor(channel.level, isd.fci.maxCommandData, blockSize, extended);
  // The channel knows its exact short-APDU room; only an explicit size on an extended path goes beyond it.
  const beyondShort = blockSize !== undefined || (isd.fci.maxCommandData ?? 0) > 255;
  const size = beyondShort && extended ? fitted : Math.min(fitted, channel.maxCommandData);
  return {
    channel,
    secure: channel,
    isd: isd.aid,
    fci: isd.fci,
    blockSize: size,
    level: channel.level,
    scp: `0${channel.scp}`,
    kcvs: { ...channel.kcvs },
    kdf: channel.kdf,
    quirks,
  };
}
