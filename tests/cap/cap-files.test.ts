/** The stack's CAP reader against real converter output: every fixture, its README facts. */
import { describe, test, expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { parseLfdb } from "../../src/stack/cap/lfdb.ts";
import { javaCardApi } from "../../src/stack/cap/javacard-api.ts";
import { toHex } from "../../src/stack/bytes.ts";
import { FIXTURES, FIXTURES_DIR, SIM_TOOLKIT } from "./fixtures.ts";

describe.each(FIXTURES)("$file", (f) => {
  const bytes = readFileSync(join(FIXTURES_DIR, f.file));

  test("parses to the README's facts", () => {
    const cap = parseLoadFile(bytes, f.file);
    expect(cap.formatVersion).toBe(f.format);
    expect(toHex(cap.packageAid)).toBe(f.packageAid);
    expect(cap.applets.map((a) => toHex(a.aid))).toEqual(f.applets);
    expect(cap.imports.map((i) => `${toHex(i.aid)} ${i.major}.${i.minor}`)).toEqual(f.imports);
    expect(cap.lfdb.length).toBe(f.lfdbSize);
    expect(toHex(cap.lfdbHash("sha256")).toLowerCase()).toBe(f.sha256);
  });

  test("its LFDB passes the card's check with the same facts", () => {
    const cap = parseLoadFile(bytes, f.file);
    const info = parseLfdb(cap.lfdb);
    expect(toHex(info.packageAid)).toBe(f.packageAid);
    expect(info.applets.map((a) => [toHex(a.aid), a.installMethodOffset])).toEqual(cap.applets.map((a) => [toHex(a.aid), a.installMethodOffset]));
    expect(info.imports.length).toBe(f.imports.length);
  });

  test("a card with the Java Card 3.0.5 API satisfies its imports, except the SIM toolkit", () => {
    const api = javaCardApi("3.0.5");
    const missing = parseLoadFile(bytes).imports
      .filter((i) => !api.some((p) => toHex(p.aid) === toHex(i.aid) && p.major === i.major && p.minor >= i.minor))
      .map((i) => toHex(i.aid));
    expect(missing).toEqual(f.imports.some((i) => i.startsWith(SIM_TOOLKIT)) ? [SIM_TOOLKIT] : []);
  });

  test("every truncation of the file is refused with a FormatError", () => {
    for (const n of [0, 4, 22, bytes.length >> 1, bytes.length - 1]) {
      expect(() => parseLoadFile(bytes.subarray(0, n), f.file)).toThrow(/^Cannot read CAP file /);
    }
  });
});
