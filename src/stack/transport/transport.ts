/**
 * One interface between protocol code and any card: command bytes in,
 * response bytes out. Status words are data here, never exceptions.
 * GET RESPONSE, Le correction, tracing and secure messaging are wrappers.
 */
import { CommandApdu, ResponseApdu } from "../apdu.ts";

export interface Transport {
  /** Send one command APDU, return the response APDU (data + SW). */
  transmit(command: Uint8Array): Promise<Uint8Array>;
  /** Release what the transport holds. Idempotent. */
  close?(): Promise<void>;
  /** Human-readable name of the card's place ("Virtual PCD 00 00", "simulated card"). */
  readonly name?: string;
  /** Whether the path carries extended-length APDUs. */
  readonly extendedLength?: boolean;
}

/** Send a CommandApdu through `transport` and parse the answer. */
export async function send(transport: Transport, command: CommandApdu): Promise<ResponseApdu> {
  return ResponseApdu.parse(await transport.transmit(command.toBytes()));
}

/** A wrapper that passes everything else through unchanged. */
export function wrap(inner: Transport, transmit: Transport["transmit"], name?: string): Transport {
  return {
    transmit,
    close: () => inner.close?.() ?? Promise.resolve(),
    name: name ?? inner.name,
    extendedLength: inner.extendedLength,
  };
}
