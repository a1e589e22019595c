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
  /**
   * Run `fn` with the card to this caller alone (a PC/SC transaction), so no
   * other program's command falls between two of `fn`'s: a secure channel,
   * a selected application and a LOAD sequence last only as long as nobody
   * else talks to the card. Nested calls join the outer transaction.
   * `operation` names the work in errors ("reset by another program during install").
   * Absent where no one else can reach the card (an in-process card).
   */
  transaction?<T>(operation: string, fn: () => Promise<T>): Promise<T>;
}

/** Run `fn` inside a transaction of `transport` when it has them; see Transport.transaction. */
export function inTransaction<T>(transport: Transport, operation: string, fn: () => Promise<T>): Promise<T> {
  return transport.transaction ? transport.transaction(operation, fn) : fn();
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
    ...transactionOf(inner),
  };
}

/** The `transaction` member of a wrapper around `inner`: the inner transport's, when it has one. */
export function transactionOf(inner: Transport): Pick<Transport, "transaction"> {
  if (!inner.transaction) return {};
  return {
    transaction<T>(operation: string, fn: () => Promise<T>): Promise<T> {
      return inner.transaction!(operation, fn);
    },
  };
}
