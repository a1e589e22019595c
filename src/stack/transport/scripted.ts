/**
 * A transport that plays a fixed script of exchanges, for unit tests of
 * protocol logic. It fails loudly on any command it did not expect.
 */
import { toHex, fromHex } from "../bytes.ts";
import type { Transport } from "./transport.ts";

export interface Exchange {
  /** Expected command as hex (spaces allowed), or a predicate. */
  command: string | ((command: Uint8Array) => boolean);
  /** Response as hex (data + SW). */
  response: string;
}

/** Transport that checks commands against `script` in order. */
export function scriptedTransport(script: Exchange[]): Transport & { readonly sent: string[]; remaining(): number } {
  const queue = [...script];
  const sent: string[] = [];
  return {
    name: "scripted",
    sent,
    remaining: () => queue.length,
    async transmit(command) {
      sent.push(toHex(command));
      const next = queue.shift();
      if (!next) throw new Error(`Scripted transport: unexpected extra command ${toHex(command)}`);
      const ok =
        typeof next.command === "string" ? toHex(fromHex(next.command)) === toHex(command) : next.command(command);
      if (!ok) {
        throw new Error(`Scripted transport: expected ${String(next.command)}, got ${toHex(command)}`);
      }
      return fromHex(next.response);
    },
  };
}
