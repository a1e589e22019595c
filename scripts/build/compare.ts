/**
 * Compare two release folders written by scripts/build.ts: the same
 * SHA256SUMS, every listed file present, matching its line, and
 * byte-identical to its twin (the first differing offset when not).
 */
import { existsSync, openSync, readSync, closeSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { sha256File } from "./checksums.ts";

/** One line of SHA256SUMS: `<64 hex>  <name>`. */
export interface SumLine {
  sha256: string;
  name: string;
}

/** Parse a SHA256SUMS text; throws on a line that is not `<64 hex>  <name>`. */
export function parseSums(text: string): SumLine[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((line, i) => {
      const m = /^([0-9a-f]{64}) [ *]([^/\\]+)$/.exec(line);
      if (!m) throw new Error(`SHA256SUMS line ${i + 1} is not '<sha256>  <file name>': ${line.slice(0, 80)}`);
      return { sha256: m[1]!, name: m[2]! };
    });
}

/** The first offset where two files differ, or -1 when they are identical. */
export function firstDifference(a: string, b: string): number {
  const size = statSync(a).size;
  if (size !== statSync(b).size) return Math.min(size, statSync(b).size);
  const fa = openSync(a, "r");
  const fb = openSync(b, "r");
  try {
    const ba = new Uint8Array(1 << 20);
    const bb = new Uint8Array(1 << 20);
    for (let offset = 0; offset < size; ) {
      const n = readSync(fa, ba, 0, ba.length, offset);
      readSync(fb, bb, 0, n, offset);
      for (let i = 0; i < n; i++) if (ba[i] !== bb[i]) return offset + i;
      offset += n;
    }
    return -1;
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

/**
 * Every way folder `b` differs from folder `a` (empty when identical), each
 * one line naming the file. `expected` lists the file names SHA256SUMS must hold.
 */
export async function compareBuilds(a: string, b: string, expected: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const sums: SumLine[][] = [];
  for (const dir of [a, b]) {
    const file = join(dir, "SHA256SUMS");
    if (!existsSync(file)) return [`${file} is missing`];
    const lines = parseSums(readFileSync(file, "utf8"));
    const names = lines.map((l) => l.name).sort();
    if (names.join(",") !== [...expected].sort().join(",")) {
      problems.push(`${file} lists ${names.join(", ") || "nothing"}, expected ${[...expected].sort().join(", ")}`);
    }
    for (const line of lines) {
      const path = join(dir, line.name);
      if (!existsSync(path)) problems.push(`${path} is listed in SHA256SUMS but missing`);
      else if ((await sha256File(path)) !== line.sha256) problems.push(`${path} does not match its SHA256SUMS line`);
    }
    sums.push(lines);
  }
  for (const line of sums[0]!) {
    const twin = sums[1]!.find((l) => l.name === line.name);
    if (!twin || twin.sha256 === line.sha256) continue;
    const at = firstDifference(join(a, line.name), join(b, line.name));
    problems.push(`${line.name} differs between the two builds, first at byte ${at} (0x${at.toString(16)})`);
  }
  return problems;
}
