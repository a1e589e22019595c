/** The card memory file across restarts: what survives, what --reset (SimOptions.reset) restores. */
import { test, expect, afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { parseRegistryEntries } from "../../src/stack/gp/registry.ts";
import { kcvHex } from "../../src/stack/crypto/kcv.ts";
import { createSimulatedCard, type SimOptions } from "../../src/card/sim.ts";
import { fixture } from "./fixtures.ts";
import { getStatusAll, installSequence } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-persist-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HELLO = fixture("kaoh_helloworld.cap");
const INIT = fromHex("8050000008000102030405060700");
const BAD_AUTH = fromHex("848201001000000000000000000000000000000000");

function open(statePath: string, options: SimOptions = {}) {
  const card = createSimulatedCard({ statePath, open: true, maxAuthFailures: 2, ...options });
  card.powerOn();
  return card;
}

async function apps(card: ReturnType<typeof open>): Promise<string[]> {
  return parseRegistryEntries((await getStatusAll(card, 0x40)).data, "apps").map((e) => toHex(e.aid));
}

test("packages, the ISD lock and the keys survive a restart; reset restores the factory card with the key given then", async () => {
  const statePath = join(dir, "card.sqlite");
  let card = open(statePath);
  for (const a of installSequence(HELLO)) expect(toHex(await card.process(a)).slice(-4)).toBe("9000");
  for (let i = 0; i < 2; i++) {
    await card.process(INIT);
    expect(toHex(await card.process(BAD_AUTH))).toBe("6300");
  }
  expect(toHex(await card.process(INIT))).toBe("6983");
  const serial = toHex(await card.process(fromHex("80CA004500")));
  card.close();

  // Restart: same registry, same serial, still locked; a --key given now does not touch existing keys.
  card = open(statePath, { key: fromHex("00112233445566778899AABBCCDDEEFF") });
  expect(await apps(card)).toEqual(["D0D1D2D3D4D50101"]);
  expect(toHex(await card.process(fromHex("80CA004500")))).toBe(serial);
  expect(toHex(await card.process(INIT))).toBe("6983");
  expect(card.keyCheckValues().map((k) => k.enc)).toEqual(["504A77"]);
  card.close();

  // Reset: nothing installed, not locked, the factory key set made from the key given with it.
  card = open(statePath, { reset: true, key: fromHex("00112233445566778899AABBCCDDEEFF") });
  expect(await apps(card)).toEqual([]);
  expect(toHex(await card.process(INIT)).slice(-4)).toBe("9000");
  const kcv = kcvHex(fromHex("00112233445566778899AABBCCDDEEFF"), "AES");
  expect(kcv).not.toBe("504A77");
  expect(card.keyCheckValues()).toEqual([{ version: 0xff, scp: 3, enc: kcv, mac: kcv, dek: kcv }]);
  card.close();
});

test("a second card process on the same memory file is refused with a hint, the first keeps working", async () => {
  const statePath = join(dir, "shared.sqlite");
  const first = open(statePath);
  expect(() => open(statePath)).toThrow(/is in use by another webcard process/);
  expect(toHex(await first.process(fromHex("80CA9F7F00"))).slice(-4)).toBe("9000");
  first.close();
});

test("a load cut by power loss is discarded at power-on: its next block is refused, in the same process and after a restart", async () => {
  const statePath = join(dir, "torn.sqlite");
  const seq = installSequence(HELLO);
  for (const restart of [false, true]) {
    const log: string[] = [];
    let card = open(statePath, { reset: true, log: (l) => log.push(l) });
    for (const a of seq.slice(0, 2)) expect(toHex(await card.process(a)).slice(-4)).toBe("9000");
    card.powerOff();
    if (restart) {
      card.close();
      card = open(statePath, { log: (l) => log.push(l) });
    } else {
      card.powerOn();
    }
    // In the same process power-on drops it; a restarted card never had it (a load lives in working memory).
    if (!restart) expect(log).toContain("power on: unfinished load discarded");
    expect(toHex(await card.process(seq[2]!))).toBe("6985");
    card.close();
  }
});
