/**
 * The card's loader reports the LOAD as it runs it (docs/link-protocol.md
 * section 8.1), in-process: the reports arrive while the link is still
 * polling, they count up to the whole load file, the card ends as without
 * them, and a load cut between two steps leaves nothing on the card.
 */
import { describe, expect, test } from "bun:test";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { installViaWeb } from "../../src/host/loader/via-web.ts";
import { installViaBridge } from "../../src/host/loader/via-bridge.ts";
import { LOAD_STEPS } from "../../src/card/web/card-port.ts";
import { ALGTEST, capBytes, counting, registryLines } from "./helpers.ts";

const LFDB = 21_870;

describe("live progress from the card's loader", () => {
  for (const short of [false, true]) {
    test(`${short ? "short" : "extended"} APDUs: reports during the load, one poll a step, the same registry`, async () => {
      const card = createWebCard(short ? { linkOptions: { extended: false } } : {});
      const t = counting(inProcessTransport(card, { extendedLength: !short }));
      const seen: { done: number; total: number; apdusSoFar: number }[] = [];
      const r = await installViaWeb(t, capBytes(ALGTEST), {}, undefined, {
        ...(short ? { short: true } : {}),
        onLoad: (done, total) => seen.push({ done, total, apdusSoFar: t.count }),
      });
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.length).toBeLessThanOrEqual(LOAD_STEPS);
      expect(seen.every((s) => s.total === LFDB)).toBe(true);
      expect(seen.every((s, i) => i === 0 || s.done > seen[i - 1]!.done)).toBe(true);
      expect(seen.at(-1)!.done).toBe(LFDB);
      // Live: the reports came over several EXCHANGEs, all before the last one. (The reader
      // takes a report while the link already sends the next poll, so two may be seen at one
      // count: the first piece can also spill over two short answers.)
      expect(seen.every((s, i) => i === 0 || s.apdusSoFar >= seen[i - 1]!.apdusSoFar)).toBe(true);
      expect(new Set(seen.map((s) => s.apdusSoFar)).size).toBeGreaterThanOrEqual(seen.length - 2);
      expect(seen.at(-1)!.apdusSoFar).toBeLessThan(t.count);
      expect(r.result.status).toBe(200);
      expect(r.result.installed).toEqual(["4A43416C675465737431"]);
      // The same card as a load without reports.
      const plain = createWebCard();
      await installViaWeb(inProcessTransport(plain), capBytes(ALGTEST));
      expect(await registryLines(inProcessTransport(card))).toEqual(await registryLines(inProcessTransport(plain)));
    });
  }

  test("extended APDUs: the reports cost one poll each, on top of the 2 round trips", async () => {
    const card = createWebCard();
    let reports = 0;
    const r = await installViaWeb(inProcessTransport(card), capBytes(ALGTEST), {}, undefined, { onLoad: () => void reports++ });
    // The POST's EXCHANGE runs two steps (one read ahead), then one step a poll; after the last
    // report one more step commits the load and installs, so one poll a report in all.
    expect(r.exchanges).toBe(2 + reports);
  });

  test("the bridge reports every LOAD block it sends", async () => {
    const card = createWebCard({ link: false });
    const seen: number[] = [];
    const r = await installViaBridge(inProcessTransport(card), capBytes(ALGTEST), {}, undefined, { onLoad: (done) => seen.push(done) });
    expect(seen.length).toBe(89);
    expect(seen.at(-1)).toBe(LFDB);
    expect(r.result.installed).toEqual(["4A43416C675465737431"]);
  });

  test("a load cut between two steps (card reset) leaves the card as it was", async () => {
    const card = createWebCard();
    const before = await registryLines(inProcessTransport(card));
    const t = inProcessTransport(card);
    let cut = false;
    const outcome = await installViaWeb(t, capBytes(ALGTEST), {}, undefined, {
      onLoad: (done) => {
        if (!cut && done > LFDB / 2) {
          cut = true;
          card.reset();
        }
      },
    }).catch((e: unknown) => e);
    expect(cut).toBe(true);
    expect(outcome).toBeInstanceOf(Error);
    expect(await registryLines(inProcessTransport(card))).toEqual(before);
  });
});
