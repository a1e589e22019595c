/**
 * An extended CAP file the builder writes, through the CLI on an in-process
 * simulated card (`--sim --java-card`), by every path (gp, bridge, the card's
 * own web loader): refused in one line before the LOAD on a Java Card 3.0.5
 * card, nothing left on it; installed on a 3.1 card under the CAP AID with
 * every package listed; a package alone is not deleted; the CAP file is.
 */
import { describe, test, expect, afterAll } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";
import { writeExtendedCap } from "../../src/stack/cap/writer/extended.ts";
import { fromHex } from "../../src/stack/bytes.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-extended-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CAP_AID = "A0000006472F00BA";
const file = join(dir, "multi.cap");
writeFileSync(
  file,
  writeExtendedCap({
    capAid: fromHex(CAP_AID),
    packages: [
      { packageAid: fromHex("A0000006472F00B1"), packageName: "org.example.one", applets: [{ aid: fromHex("A0000006472F00B101"), className: "One" }] },
      { packageAid: fromHex("A0000006472F00B2"), packageName: "org.example.two", packageVersion: { major: 2, minor: 1 }, applets: [{ aid: fromHex("A0000006472F00B201"), className: "Two" }] },
    ],
  }),
);

type Entry = { aid: string; version?: string; modules: string[]; loadFile?: string };
const ours = (list: { loadFiles: Entry[] }) => list.loadFiles.filter((f) => f.aid.startsWith("A0000006472F00B")).map((f) => [f.aid, f.version, f.modules, f.loadFile ?? null]);

describe.each(["gp", "bridge", "web"])("--via %s", (via) => {
  const state = join(dir, `${via}.sqlite`);
  const list = () => JSON.parse(webcard(["list", "--sim", state, "--json"]).stdout) as { loadFiles: Entry[]; apps: { aid: string; loadFile?: string }[] };

  test("a Java Card 3.0.5 card: refused in one line naming the format, before the LOAD; nothing on the card", () => {
    const r = webcard(["install", file, "--via", via, "--sim", state, "--java-card", "3.0.5", "--trace"]);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("webcard:"));
    expect(lines).toHaveLength(1);
    expect(r.code).toBe(1);
    expect(lines[0]).toContain("CAP format 2.3");
    expect(lines[0]).toContain(via === "web" ? "the loader takes 2.1,2.2" : `CAP file ${CAP_AID} cannot be loaded on this card: the file is CAP format 2.3 extended, which needs Java Card 3.1 or later; the card is Java Card 3.0.5`);
    expect(r.stderr).not.toMatch(/=> 8[04]E8/); // no LOAD
    expect(ours(list())).toEqual([]);
  });

  test("a Java Card 3.1 card: installed under the CAP AID, every package listed with its version and CAP file", () => {
    const r = webcard(["install", file, "--via", via, "--sim", state, "--java-card", "3.1"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Loaded CAP file ${CAP_AID}`);
    const l = list();
    expect(ours(l)).toEqual([
      [CAP_AID, "1.0", ["A0000006472F00B101", "A0000006472F00B201"], null],
      ["A0000006472F00B1", "1.0", [], CAP_AID],
      ["A0000006472F00B2", "2.1", [], CAP_AID],
    ]);
    expect(l.apps.filter((a) => a.loadFile === CAP_AID).map((a) => a.aid)).toEqual(["A0000006472F00B101", "A0000006472F00B201"]);
  });

  test("a package alone is refused in one line naming its CAP file; deleting the CAP file removes them all", () => {
    const one = webcard(["delete", "A0000006472F00B2", "--force", "--sim", state, "--java-card", "3.1"]);
    expect(one.code).toBe(1);
    expect(one.stderr.trim()).toBe(`webcard: Refused: A0000006472F00B2 is a package of CAP file ${CAP_AID}, loaded as one load file: its packages can only be deleted together, by deleting ${CAP_AID}`);
    expect(ours(list()).length).toBe(3);
    const all = webcard(["delete", CAP_AID, "--force", "--sim", state, "--java-card", "3.1"]);
    expect(all.stderr).toBe("");
    expect(all.code).toBe(0);
    expect(ours(list())).toEqual([]);
    expect(list().apps.filter((a) => a.loadFile === CAP_AID)).toEqual([]);
  });
});
