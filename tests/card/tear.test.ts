/**
 * Tear test: for every fixture CAP and every position in its install
 * sequence (INSTALL [for load], each LOAD block, each INSTALL [for install]),
 * the card loses power before that APDU and its process restarts (the
 * memory file is reopened). The registry must then hold the package entirely
 * or not at all, and a full install must succeed from there.
 */
import { describe, test, expect, afterAll } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../../src/stack/bytes.ts";
import { createSimulatedCard, type SimulatedCard } from "../../src/card/sim.ts";
import { FIXTURES, FIXTURE_DIR, PYSIM, fixture } from "./fixtures.ts";
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
      const lastLoad = seq.length - instanceApdus - 1;
      for (let cut = 0; cut <= seq.length; cut++) {
        const statePath = join(dir, `${name}-${cut}.sqlite`);
        const log: string[] = [];
        let card: SimulatedCard = createSimulatedCard({ statePath, open: true, log: (l) => log.push(l) });
        card.powerOn();
        const before: string[] = [];
        for (const a of seq.slice(0, cut)) before.push(toHex(await card.process(a)).slice(-4));
        // Everything before the cut was accepted (PYSIM from its last LOAD block on: an import is missing).
        expect(before.filter((s, k) => s !== "9000" && !(name === PYSIM && k >= lastLoad))).toEqual([]);
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
        // And it is the state the committed APDUs made: nothing before the last LOAD block, the
        // package from then on, fully installed once every INSTALL went through.
        const installed = cut - lastLoad - 1;
        const expected = name === PYSIM || installed < 0 ? "absent" : installed < instanceApdus ? "loaded" : "installed";
        expect(`${cut}: ${after.state}`).toBe(`${cut}: ${expected}`);
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

  test("every position of every CAP file in the fixtures was checked and none was inconsistent", () => {
    expect([...FIXTURES].sort() as string[]).toEqual(readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".cap")).sort());
    const expected = FIXTURES.reduce((n, f) => n + installSequence(fixture(f)).length + 1, 0);
    expect(positions).toBe(expected);
    expect(inconsistent).toBe(0);
    console.log(`tear test: ${positions} positions over ${FIXTURES.length} CAP files, ${inconsistent} inconsistent`);
  });
});
