/**
 * One idea, one place (issue 18): a second copy of AID validation, of hex
 * writing, of the security level table or of errorLine fails here, naming
 * the file that should use the one definition instead.
 */
import { test, expect } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

const SOURCES = files(SRC).map((file) => ({ rel: relative(SRC, file), text: readFileSync(file, "utf8") }));

/** Each idea: where it lives, and what a second copy looks like. */
const IDEAS = [
  {
    idea: "hex writing (toHex, hexNumber)",
    home: "stack/hex.ts",
    marker: /export function hexNumber\(/,
    copies: [/\.toString\(16\)(?:\.toUpperCase\(\))?\.padStart\(/, /\bfunction\s+hex2?\s*\(/, /\bconst\s+hex\w*\s*=\s*\(\w+: number\)/, /"0123456789ABCDEF"/],
  },
  {
    idea: "AID validation (isAidLength, aidFromText, parseAid)",
    home: "stack/aid.ts",
    marker: /export function isAidLength\(/,
    copies: [/\{5,16\}/, /\bAID_M(?:IN|MAX)\b/, /\.length\s*<\s*5\s*\|\|/, /\.length\s*<\s*10\s*\|\|[^\n]*>\s*32/],
  },
  {
    idea: "the security level table and room (LEVEL_BIT, LEVEL_BYTE, commandRoom, responseRoom)",
    home: "stack/gp/security-level.ts",
    marker: /export const LEVEL_BYTE =/,
    copies: [/\b(?:LEVEL_BIT|LEVEL_BYTE|SECURITY_LEVEL)\s*=/, /"clear"\s*\|\s*"mac"\s*\|\s*"enc"/, /rmac:\s*0x13/, /function\s+\w*(?:[Rr]oom|[Oo]verhead)\s*\(/],
  },
  { idea: "errorLine", home: "stack/errors.ts", marker: /export function errorLine\(/, copies: [/function\s+errorLine\s*\(/] },
];

for (const { idea, home, marker, copies } of IDEAS) {
  test(`${idea} is written once, in src/${home}`, () => {
    const found = SOURCES.filter((s) => s.rel !== home && copies.some((re) => re.test(s.text))).map((s) => s.rel);
    expect(found).toEqual([]);
    // The home itself still holds the idea (so a move does not silently disable this check).
    const own = SOURCES.find((s) => s.rel === home);
    expect(own !== undefined && marker.test(own.text)).toBe(true);
  });
}
