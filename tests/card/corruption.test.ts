/**
 * Random damage to the card memory file: 1,000 times, one byte of a small
 * prepared state file (three packages with instances, counters moved) is
 * changed at a seeded random offset, and the card is powered on in-process.
 * Every change must be either harmless (every table reads back exactly as
 * before, so the registry and every stored load file hash verify, and GET
 * STATUS answers as before) or caught at power-on (the card answers 6A81 as
 * a damaged card, or refuses to start with a clear error). Undetected
 * damage, or any other error, fails the test.
 *
 *   ROBUSTNESS_SEED=N bun test tests/card/corruption.test.ts   (another seed)
 */
import { test, expect, afterAll } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimulatedCard, type SimulatedCard } from "../../src/card/sim.ts";
import { TABLES } from "../../src/card/store/schema.ts";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { WebcardError } from "../../src/stack/errors.ts";
import { rng } from "../harness/random.ts";
import { fixture } from "./fixtures.ts";
import { getStatusAll, installSequence } from "./helpers.ts";

const FLIPS = 1000;
const SEED = Number(process.env.ROBUSTNESS_SEED ?? 20);
const dir = mkdtempSync(join(tmpdir(), "webcard-corrupt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every row of every table, as sorted text: what the card would serve. */
function contents(path: string): string {
  const db = new Database(path, { readonly: true, strict: true });
  try {
    return TABLES.map((t) => {
      const rows = db
        .query<Record<string, unknown>, []>(`SELECT * FROM "${t}"`)
        .all()
        .map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? toHex(v) : v])))
        .sort();
      return `${t}:${rows.join("|")}`;
    }).join("\n");
  } finally {
    db.close();
  }
}

/** GET STATUS of applications, load files, and load files with modules (open mode: no secure channel needed). */
async function status(card: SimulatedCard): Promise<string[]> {
  const out: string[] = [];
  for (const p1 of [0x80, 0x40, 0x20, 0x10]) {
    const r = await getStatusAll(card, p1);
    out.push(`${toHex(r.data)} ${r.sws.join(",")}`);
  }
  return out;
}

test(`${FLIPS} random byte changes in the state file: each harmless or caught at power-on, none served silently`, async () => {
  const prepared = join(dir, "prepared.sqlite");
  const card = createSimulatedCard({ statePath: prepared, open: true });
  card.powerOn();
  for (const name of ["kaoh_helloworld.cap", "gppro_Empty_0102030405_2.2.1.cap", "omapi_T1_omapitest4.cap"]) {
    for (const a of installSequence(fixture(name))) expect(toHex(await card.process(a)).slice(-4)).toBe("9000");
  }
  await card.process(fromHex("8050000008000102030405060700")); // moves the sequence counter
  const wantStatus = await status(card);
  card.close();
  const original = new Uint8Array(readFileSync(prepared));
  const want = contents(prepared);

  const path = join(dir, "card.sqlite");
  const r = rng(SEED);
  const counts = { harmless: 0, damaged: 0, refused: 0, undetected: 0 };
  const failures: string[] = [];
  for (let i = 0; i < FLIPS; i++) {
    const bytes = original.slice();
    const at = r.int(bytes.length);
    const mask = 1 + r.int(255);
    bytes[at]! ^= mask;
    writeFileSync(path, bytes);
    const what = `flip ${i}: offset ${at} (page ${Math.floor(at / 1024) + 1}) ^ ${mask.toString(16)}`;
    let flipped: SimulatedCard;
    try {
      flipped = createSimulatedCard({ statePath: path, open: true, whenDamaged: "answer" });
    } catch (error) {
      if (error instanceof WebcardError && !/Cannot open|I\/O/.test(error.message)) counts.refused++;
      else failures.push(`${what}: ${(error as Error).name}: ${(error as Error).message}`);
      continue;
    }
    try {
      if (flipped.damage !== undefined) {
        flipped.powerOn();
        const sw = toHex(await flipped.process(fromHex("00A4040000")));
        if (sw === "6A81") counts.damaged++;
        else failures.push(`${what}: damaged card answered ${sw}`);
        continue;
      }
      flipped.powerOn();
      const got = await status(flipped);
      flipped.close();
      let same = false;
      try {
        same = contents(path) === want && JSON.stringify(got) === JSON.stringify(wantStatus);
      } catch (error) {
        failures.push(`${what}: passed power-on, then ${(error as Error).message}`);
        continue;
      }
      if (same) counts.harmless++;
      else {
        counts.undetected++;
        failures.push(`${what}: passed power-on with different contents`);
      }
    } finally {
      flipped.close();
    }
  }
  console.log(
    `robustness corruption: ${FLIPS} flips (seed ${SEED}), ${counts.harmless} harmless, ${counts.damaged} caught (6A81), ${counts.refused} refused at start, ${failures.length} failed`,
  );
  expect(failures).toEqual([]);
  expect(counts.harmless + counts.damaged + counts.refused).toBe(FLIPS);
}, 300_000);
