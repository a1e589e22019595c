/** Dashboard dependencies for tests: one in-process simulated card shown as a reader. */
import { inProcessTransport } from "../../src/card/in-process.ts";
import type { SimulatedCard } from "../../src/card/sim.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import type { DashboardDeps } from "../../src/web/deps.ts";
import { gpOps } from "../../src/web/gp-ops.ts";

/** `card` as the dashboard's only reader, `name`, with the real GlobalPlatform operations. */
export function simCardDeps(card: SimulatedCard, name: string): DashboardDeps {
  return {
    listReaders: async () => [{ name, cardPresent: true, atr: "3B80800101", simulated: true }],
    async *monitor() {},
    async openCard() {
      const t = withIsoResponses(inProcessTransport(card));
      return { ...t, transmit: t.transmit, close: async () => t.close?.() };
    },
    ops: gpOps(),
  };
}
