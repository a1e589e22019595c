import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorLine } from "../../stack/errors.ts";
import { parseProfile } from "./parse-profile.ts";
import { profileNamed, readProfileFile, shippedProfiles } from "./catalogue.ts";
import { parseAid } from "../../stack/aid.ts";

const jcop242 = () => JSON.parse(JSON.stringify(profileNamed("jcop242")));

function problem(edit: (p: Record<string, any>) => void): string {
  const p = jcop242();
  edit(p);
  try {
    parseProfile(JSON.stringify(p), "x.json");
  } catch (error) {
    return errorLine(error);
  }
  throw new Error("no error");
}

describe("shipped profiles", () => {
  const all = shippedProfiles();
  test("at least eight real cards from at least five makers, a SIM and a T=0 card, plus gp23", () => {
    const real = all.filter((p) => p.name !== "gp23");
    expect(real.length).toBeGreaterThanOrEqual(8);
    expect(new Set(real.map((p) => p.maker)).size).toBeGreaterThanOrEqual(5);
    expect(real.some((p) => p.protocol === "T=0")).toBe(true);
    expect(real.some((p) => /\bSIM\b/.test(p.title))).toBe(true);
    expect(all[0]!.name).toBe("gp23");
  });

  test("names are unique and every profile cites REAL-CARDS.md or says it is webcard's own", () => {
    expect(new Set(all.map((p) => p.name)).size).toBe(all.length);
    for (const p of all) expect(p.source).toMatch(p.name === "gp23" ? /webcard/ : /REAL-CARDS\.md section \d+/);
  });

  test.each(all.map((p) => [p.name, p] as const))("%s: ATR starts with TS 3B, ISD AID parses, 9F65 fits a short APDU or the profile says so", (_, p) => {
    expect(p.atr.slice(0, 2)).toBe("3B");
    expect(parseAid(p.isd.aid).length).toBe(p.isd.aid.length / 2);
    if (p.protocol === "T=0") expect(p.load.maxBlock).toBeLessThanOrEqual(255);
  });
});

describe("a bad profile gets one line naming the field", () => {
  test.each([
    [(p: any) => (p.keys.scp = 4), "Profile x.json: keys.scp must be one of 2, 3, got 4"],
    [(p: any) => (p.keys.i = "70"), "Profile x.json: keys.i must be an SCP02 i parameter the card implements (15, 55), got '70'"],
    [(p: any) => (p.keys.kdf = "kdf3"), "Profile x.json: keys.kdf must be none, emv or visa2 for SCP02 (KDF3 is AES), got 'kdf3'"],
    [(p: any) => (p.isd.aid = "A0"), "Profile x.json: isd.aid must be 5 to 16 bytes of hex, got 'A0'"],
    [(p: any) => (p.atr = "3BZZ"), "Profile x.json: atr must be hex:"],
    [(p: any) => delete p.load, "Profile x.json: load is missing"],
    [(p: any) => (p.colour = "red"), "Profile x.json: colour is not a profile field"],
    [(p: any) => (p.getData["9F7F"] = { data: "00", sw: "6A88" }), "Profile x.json: getData.9F7F must have either data (hex) or sw (a status word), not both"],
    [(p: any) => (p.load.maxBlock = 0), "Profile x.json: load.maxBlock must be a whole number from 16 to 65535, got 0"],
    [(p: any) => (p.javaCard = "4.0"), "Profile x.json: javaCard must be one of 2.1.1, 2.2.1, 2.2.2, 3.0.1, 3.0.4, 3.0.5, 3.1, 3.2, got '4.0'"],
    [(p: any) => (p.isd.lifecycle = "TERMINATED"), "Profile x.json: isd.lifecycle must be one of OP_READY, INITIALIZED, SECURED, CARD_LOCKED, got 'TERMINATED'"],
  ])("%#", (edit, line) => {
    const text = problem(edit);
    expect(text).toStartWith(line);
    expect(text).toEndWith("(see docs/profiles.md for the fields of a profile)");
    expect(text.split("\n")).toHaveLength(1);
  });

  test("not JSON, and too large", () => {
    expect(() => parseProfile("{", "y.json")).toThrow(/^Profile y\.json is not JSON: /);
    expect(() => parseProfile(" ".repeat(70_000), "y.json")).toThrow("Profile y.json is 70000 bytes; a profile is at most 65536");
  });
});

describe("profile files", () => {
  const dir = mkdtempSync(join(tmpdir(), "webcard-profile-"));
  test("a file by path is read and checked; a missing one is named", () => {
    const path = join(dir, "mine.json");
    writeFileSync(path, JSON.stringify({ ...jcop242(), name: "mine" }));
    expect(profileNamed(path).name).toBe("mine");
    expect(() => readProfileFile(join(dir, "absent.json"))).toThrow(`Cannot read profile ${join(dir, "absent.json")}: ENOENT`);
    writeFileSync(path, JSON.stringify({ ...jcop242(), memoryBytes: -1 }));
    expect(() => profileNamed(path)).toThrow("Profile mine.json: memoryBytes must be a whole number from 0 to 67108864, got -1");
    rmSync(dir, { recursive: true, force: true });
  });

  test("an unknown name lists the shipped ones", () => {
    expect(() => profileNamed("jcop5")).toThrow(/^Unknown card profile 'jcop5': use one of gp23, acosj, /);
  });
});
