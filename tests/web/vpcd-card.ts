/**
 * A simulated card with the web-card link in a vpcd reader, as its own
 * process: `bun tests/web/vpcd-card.ts PORT STATE [LOAD_DELAY_MS]`. Killing
 * the process takes the card out of the reader. Prints "attached" once vpcd
 * holds it. LOAD_DELAY_MS slows every LOAD command down, so that a test can
 * pull the card out in the middle of a load.
 */
import { createWebCard } from "../../src/card/link/with-link.ts";
import type { VirtualCard } from "../../src/card/virtual-card.ts";
import { attachToVpcd } from "../../src/card/vpcd-link.ts";
import { setQuickAck } from "../../src/ffi/libc.ts";

const port = Number(process.argv[2]);
const statePath = process.argv[3] ?? ":memory:";
const loadDelayMs = Number(process.argv[4] ?? 0);
const card = createWebCard({ statePath });
const INS_LOAD = 0xe8;
const slow: VirtualCard = {
  atr: () => card.atr(),
  powerOn: () => card.powerOn(),
  powerOff: () => card.powerOff(),
  reset: () => card.reset(),
  async process(command) {
    if (loadDelayMs > 0 && command[1] === INS_LOAD) await Bun.sleep(loadDelayMs);
    return card.process(command);
  },
};
const link = attachToVpcd(slow, { port, quickAck: setQuickAck, onError: (e) => process.stderr.write(`vpcd-card: ${e.message}\n`) });
await link.connected;
process.stdout.write("attached\n");
process.on("SIGTERM", () => {
  void link.close().finally(() => {
    card.close();
    process.exit(0);
  });
});
