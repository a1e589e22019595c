/**
 * Claim a vpcd reader that vpcd actually serves.
 *
 * Workaround (see the PC/SC engineer's report): the vpcd driver (vsmartcard
 * 3.3) keeps one context per slot number for the whole pcscd, so with several
 * DEVICENAME entries only the last device's two ports accept a card; the
 * other ports listen but are never accepted, and each served slot shows up
 * under every device's reader name for that slot. Until the shared harness
 * hands out only served ports, claim through it until a served one comes up.
 */
import { claimReader, ensurePcscd, type VpcdReader } from "../harness/pcscd.ts";

/** The ports vpcd serves: those of the last device (the highest base port). */
export function servedPorts(readers: readonly VpcdReader[]): Set<number> {
  const bases = readers.map((r) => r.port - (r.port % 2 === 0 ? 0 : 1));
  const last = Math.max(...bases);
  return new Set(readers.filter((r) => r.port === last || r.port === last + 1).map((r) => r.port));
}

/** A claimed, served vpcd reader: its canonical name and card port. */
export async function claimServedReader(): Promise<VpcdReader & { release(): void }> {
  const all = await ensurePcscd();
  const served = servedPorts(all);
  const held: { port: number; release(): void }[] = [];
  try {
    for (;;) {
      const r = await claimReader();
      if (served.has(r.port)) return r;
      held.push(r);
      if (held.length + served.size >= all.length) {
        // Every unserved port is ours: give them back and wait for a served one to be freed.
        for (const h of held.splice(0)) h.release();
        await Bun.sleep(500);
      }
    }
  } finally {
    for (const h of held) h.release();
  }
}

/** The name of the reader where a card with `atr` shows up (waits up to `ms`). */
export async function readerShowing(atr: Uint8Array, ms = 10_000): Promise<string> {
  const { listReaders } = await import("../../src/host/pcsc/readers.ts");
  const { equal } = await import("../../src/stack/bytes.ts");
  const end = Date.now() + ms;
  for (;;) {
    const found = (await listReaders({ protocol: false })).find((r) => r.atr !== undefined && equal(r.atr, atr));
    if (found) return found.name;
    if (Date.now() > end) throw new Error(`No reader shows the test card's ATR within ${ms} ms`);
    await Bun.sleep(100);
  }
}
