/**
 * CPLC dates as GlobalPlatformPro sets them (`--set-perso`, `--set-pre-perso`):
 * `webcard card set-perso|set-pre-perso --data HEX [--today]` sends STORE DATA
 * 9F66/9F67 to the ISD, and the simulated card answers them in GET DATA 9F7F
 * (CPLC bytes 34-41 and 26-33). The card refuses a field of the wrong length
 * or sent to an SSD; bad --data is one line before the card is touched.
 */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { tempTrees } from "../harness/temp-tree.ts";
import { webcard } from "../harness/cli.ts";
import { cplcDate } from "../../src/stack/gp/cplc.ts";
import { toHex } from "../../src/stack/bytes.ts";

const trees = tempTrees("webcard-cplc-");
afterAll(() => trees.remove());
const dir = trees.tree({});
const ISD = "A000000151000000";
const SSD = "A00000015153504101";

test.each([
  ["2026-12-04T12:00:00Z", "6338"],
  ["2024-12-31T23:59:59Z", "4366"], // leap year
  ["2030-01-01T00:00:00Z", "0001"],
])("CPLC date of %s is YDDD %s", (iso, yddd) => {
  expect(toHex(cplcDate(new Date(iso)))).toBe(yddd);
});

test("set-perso and set-pre-perso reach the card's CPLC; the card checks what it stores", () => {
  const sim = ["--sim", join(dir, "card.sqlite")];
  const perso = webcard(["card", "set-perso", "--data", "4750000012345678", ...sim, "--json"]);
  expect(perso.code).toBe(0);
  expect(JSON.parse(perso.stdout).cplc).toMatchObject({ ICPersonalizer: "4750", ICPersonalizationDate: "0000", ICPersonalizationEquipmentID: "12345678" });
  const pre = webcard(["card", "set-pre-perso", "--data", "1122000055667788", "--today", ...sim, "--json"]);
  expect(pre.code).toBe(0);
  const date = JSON.parse(pre.stdout).cplc.ICPrePersonalizationEquipmentDate as string;
  expect(date).toMatch(/^\d[0-3]\d\d$/);
  // GET DATA 9F7F as any tool reads it: bytes 26-33 and 34-41 of the 42.
  const tag = webcard(["info", "--tag", "9F7F", ...sim]);
  const cplc = tag.stdout.trim().slice(6);
  expect(cplc.slice(52, 68)).toBe(`1122${date}55667788`);
  expect(cplc.slice(68, 84)).toBe("4750000012345678");
  // The card refuses 9F66 of 4 bytes, and CPLC fields sent to an SSD.
  const short = webcard(["store-data", ISD, "--data", "9F660411223344", "--ber-tlv", ...sim]);
  expect({ code: short.code, lines: short.stderr.trim().split("\n").length }).toEqual({ code: 1, lines: 1 });
  expect(short.stderr).toContain("6A80");
  expect(webcard(["domain", "create", SSD, ...sim]).code).toBe(0);
  const toSsd = webcard(["store-data", SSD, "--data", "9F67081122334455667788", "--ber-tlv", "--sd", SSD, ...sim]);
  expect({ code: toSsd.code, lines: toSsd.stderr.trim().split("\n").length }).toEqual({ code: 1, lines: 1 });
  expect(webcard(["info", "--tag", "9F7F", ...sim]).stdout).toBe(tag.stdout);
  for (const args of [["--data", "4750"], ["--data", "XYZ"], []]) {
    const r = webcard(["card", "set-perso", ...args, ...sim]);
    expect({ args: args.join(" "), code: r.code, lines: r.stderr.trim().split("\n").length }).toEqual({ args: args.join(" "), code: 2, lines: 1 });
  }
}, 120_000);
