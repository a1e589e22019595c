/**
 * Tear test: for every fixture CAP and every position in its install
 * sequence (INSTALL [for load], each LOAD block, each INSTALL [for install]),
 * the card loses power before that APDU and its process restarts (the
 * memory file is reopened). The registry must then hold the package entirely
 * or not at all, and a full install must succeed from there.
 */
import { describe, test, expect, afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../../src/stack/bytes.ts";
import { createSimulatedCard, type SimulatedCard } from "../../src/card/sim.ts";
import { FIXTURES, PYSIM, fixture } from "./fixtures.ts";
import { installSequence } from "./helpers.ts";
import { packageState } from "./registry-check.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-tear-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let positions = 0;
let inconsistent = 0;

describe("power lost before each APDU of an install", () => {
  for (const name of FIXTURES) {
    test(name, async () => {
      const cap = fixture(name);
      const seq = installSequence(cap);
      const instanceApdus = cap.applets.length;
      for (let cut = 0; cut <= seq.length; cut++) {
        const statePath = join(dir, `${name}-${cut}.sqlite`);
        const log: string[] = [];
        let card: SimulatedCard = createSimulatedCard({ statePath, open: true, log: (l) => log.push(l) });
        card.powerOn();
        for (const a of seq.slice(0, cut)) await card.process(a);
        // Power lost before APDU number `cut`; the process restarts on the same memory.
        card.powerOff();
        card.close();
        card = createSimulatedCard({ statePath, open: true, log: (l) => log.push(l) });
        card.powerOn();
        positions++;
        const after = await packageState(card, cap);
        if (after.state === "inconsistent") {
          inconsistent++;
          throw new Error(`${name}, power lost before APDU ${cut}: ${after.detail}`);
        }
        // Then install fully from wherever the card is.
        const rest = after.state === "absent" ? seq : seq.slice(seq.length - instanceApdus);
        const sws: string[] = [];
        for (const a of rest) sws.push(toHex(await card.process(a)).slice(-4));
        const final = await packageState(card, cap);
        if (name === PYSIM) {
          expect(after.state).toBe("absent");
          expect(sws.at(-2)).toBe("6A80");
          expect(final.state).toBe("absent");
          expect(log.join("\n")).toContain("imported package A0000000090003FFFFFFFF8910710002 2.6 (sim.toolkit) is not on the card");
        } else {
          // Instances that survived the cut are refused as duplicates (6985); everything else passes.
          expect(sws.filter((s) => s !== "9000" && s !== "6985")).toEqual([]);
          expect(final.state).toBe("installed");
        }
        card.close();
      }
    }, 120_000);
  }

  test("every position was checked and none was inconsistent", () => {
    const expected = FIXTURES.reduce((n, f) => n + installSequence(fixture(f)).length + 1, 0);
    expect(positions).toBe(expected);
    expect(inconsistent).toBe(0);
    console.log(`tear test: ${positions} positions over ${FIXTURES.length} CAP files, ${inconsistent} inconsistent`);
  });
});
