/**
 * ZIP bombs against every reader of CAP files: the parser itself (which the
 * dashboard's CAP inspection, the bridge and the card's CGI all call) and
 * `webcard cap` as a subprocess. Each bomb is refused in one line that names
 * what was passed, having inflated at most one step past a limit.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../../src/stack/errors.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { ZIP_LIMITS } from "../../src/stack/cap/zip-reader.ts";
import { CLI } from "../harness/cli.ts";
import { tempTrees } from "../harness/temp-tree.ts";
import { Counts } from "./common.ts";
import { bombSize, deflateBombCap, manyEntriesCap, nestedBombCap, overlapBombCap } from "./zip-bombs.ts";

const trees = tempTrees("webcard-zip-bombs-");
const counts = new Counts("zip bombs");
afterAll(() => {
  counts.print();
  trees.remove();
});

/** Bombs by name, with what the one line must say. */
export const BOMBS: readonly [string, () => Uint8Array, RegExp][] = [
  ["deflate, 97 MiB declared truthfully", () => deflateBombCap(97, "truth"), /declares 97 MiB uncompressed, over the 2 MiB limit for one entry$/],
  ["deflate, 97 MiB declared as 1,000 bytes", () => deflateBombCap(97, 1000), /inflates past its declared size of 1,000 bytes: a damaged or forged ZIP \(limits: 2 MiB an entry, 4 MiB in all\)$/],
  ["deflate, 4 GiB declared as 2 MiB", () => deflateBombCap(4096, 2 * 1024 * 1024), /inflates past 2 MiB, the limit for one entry \(a ZIP bomb, not a CAP file\)$/],
  ["nested: the Method component is a ZIP of ZIPs of bombs", () => nestedBombCap(3), /the Method component file has tag 80, expected 7$/],
  ["overlapping: 200 entries share one 97 MiB kernel", () => overlapBombCap(200, 97), /the entries to read declare 10,000,000 bytes uncompressed, over the 4 MiB limit for one CAP file$/],
  ["overlapping: 3 entries share one kernel, small declared sizes", () => overlapBombCap(3, 97, 1000), /local header of entry p1\/javacard\/Header\.cap names another file/],
  ["many entries: 1,200 empty ones beside the components", () => manyEntriesCap(1200), /the ZIP archive lists 1,210 entries, over the limit of 1,024 for a CAP file$/],
  ["many entries: 60,000", () => manyEntriesCap(60_000), /the ZIP archive lists 60,010 entries, over the limit of 1,024 for a CAP file$/],
];

describe("parseLoadFile refuses every bomb in one line", () => {
  test.each(BOMBS)("%s", (_name, make, message) => {
    const bytes = make();
    let error: unknown;
    try {
      parseLoadFile(bytes, "bomb.cap");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormatError);
    const line = (error as Error).message;
    expect(line).not.toContain("\n");
    expect(line.startsWith("Cannot read CAP file bomb.cap: ")).toBe(true);
    expect(line).toMatch(message);
    counts.pass();
  });
});

describe("webcard cap on a bomb file", () => {
  test("a 4 GiB deflate bomb: exit 1, one line naming the limit", () => {
    const dir = trees.tree({});
    const path = join(dir, "bomb.cap");
    writeFileSync(path, deflateBombCap(4096, 2 * 1024 * 1024));
    expect(bombSize(4096)).toBeGreaterThan(4 * 2 ** 30);
    // The time limit only bounds a hang (a bomb inflated in full takes minutes and gigabytes).
    const r = Bun.spawnSync([process.execPath, CLI, "cap", path], { stdout: "pipe", stderr: "pipe", timeout: 30_000 });
    const err = r.stderr.toString();
    expect({ code: r.exitCode, stdout: r.stdout.toString(), lines: err.trimEnd().split("\n").length }).toEqual({ code: 1, stdout: "", lines: 1 });
    expect(err.trimEnd()).toEndWith("inflates past 2 MiB, the limit for one entry (a ZIP bomb, not a CAP file)");
    counts.pass();
  });

  test("a file over the archive limit is refused before it is read", () => {
    const dir = trees.tree({});
    const path = join(dir, "huge.cap");
    writeFileSync(path, new Uint8Array(ZIP_LIMITS.archiveBytes + 1));
    const r = Bun.spawnSync([process.execPath, CLI, "cap", path], { stdout: "pipe", stderr: "pipe", timeout: 30_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString().trimEnd()).toBe(`webcard: Cannot read CAP file ${path}: it is 16,777,217 bytes, over the 16 MiB limit for a CAP file`);
    counts.pass();
  });
});
