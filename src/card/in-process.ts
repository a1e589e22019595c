/** A Transport straight into a VirtualCard, with no socket: for `--sim`, tests and the demo. */
import type { Transport } from "../stack/transport/transport.ts";
import type { VirtualCard } from "./virtual-card.ts";

/** A Transport to `card`; the card is powered on at the first command. */
export function inProcessTransport(card: VirtualCard, options: { name?: string; extendedLength?: boolean } = {}): Transport {
  let powered = false;
  return {
    name: options.name ?? "simulated card",
    extendedLength: options.extendedLength ?? true,
    async transmit(command) {
      if (!powered) {
        card.powerOn();
        powered = true;
      }
      // Copy both ways: neither side may keep a view of the other's buffer.
      return (await card.process(command.slice())).slice();
    },
    async close() {
      powered = false;
    },
  };
}
