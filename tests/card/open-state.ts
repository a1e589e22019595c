/**
 * Open a simulated card on a state file in a process of its own and say what
 * happened, as one JSON line (state-file.test.ts):
 *   bun tests/card/open-state.ts FILE [--at EPOCH_MS] [--hold MS] [--reset]
 * --at waits (spinning) until that instant, so that two processes race for
 * real; --hold keeps the card open that long before closing it.
 */
import { parseArgs } from "node:util";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { WebcardError } from "../../src/stack/errors.ts";

const { values, positionals } = parseArgs({
  options: { at: { type: "string" }, hold: { type: "string" }, reset: { type: "boolean" } },
  allowPositionals: true,
});
const path = positionals[0];
if (!path) throw new Error("usage: open-state.ts FILE [--at EPOCH_MS] [--hold MS] [--reset]");
const at = Number(values.at ?? 0);
while (Date.now() < at) {
  // spin: a sleep's wake-up jitter would spoil the race
}
const log: string[] = [];
try {
  const card = createSimulatedCard({ statePath: path, reset: values.reset === true, whenDamaged: "answer", log: (l) => log.push(l) });
  card.powerOn();
  const r = await card.process(Uint8Array.of(0x80, 0xca, 0x00, 0x66, 0x00));
  const sw = Buffer.from(r.subarray(r.length - 2)).toString("hex").toUpperCase();
  await Bun.sleep(Number(values.hold ?? 0));
  card.close();
  console.log(JSON.stringify({ ok: true, sw, damage: card.damage ?? null, log }));
} catch (error) {
  const e = error as Error;
  console.log(JSON.stringify({ ok: false, error: e.message, hint: error instanceof WebcardError ? (error.hint ?? null) : null, name: e.name, log }));
}
