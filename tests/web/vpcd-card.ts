/**
 * A simulated card with the web-card link in a vpcd reader, as its own
 * process: `bun tests/web/vpcd-card.ts PORT STATE`. Killing the process
 * takes the card out of the reader. Prints "attached" once vpcd holds it.
 */
import { createWebCard } from "../../src/card/link/with-link.ts";
import { attachToVpcd } from "../../src/card/vpcd-link.ts";

const port = Number(process.argv[2]);
const statePath = process.argv[3] ?? ":memory:";
const card = createWebCard({ statePath });
const link = attachToVpcd(card, { port, onError: (e) => process.stderr.write(`vpcd-card: ${e.message}\n`) });
await link.connected;
process.stdout.write("attached\n");
process.on("SIGTERM", () => {
  void link.close().finally(() => {
    card.close();
    process.exit(0);
  });
});
