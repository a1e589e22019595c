/** `webcard cap` as a user runs it: a subprocess, JSON or the aligned block, one-line errors. */
import { describe, test, expect, afterAll } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { writeExtendedCap } from "../../src/stack/cap/writer/extended.ts";
import { createHash } from "node:crypto";
import { unzipSync } from "fflate";
import { fromHex } from "../../src/stack/bytes.ts";
import { FIXTURES, FIXTURES_DIR } from "./fixtures.ts";

const tmp = mkdtempSync(join(tmpdir(), "webcard-cap-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(FIXTURES)("webcard cap --json $file", (f) => {
  test("reports the package AID, applet AIDs, LFDB size and SHA-256 of the README", () => {
    const r = webcard(["cap", join(FIXTURES_DIR, f.file), "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.package.aid).toBe(f.packageAid);
    expect(out.format).toBe(f.format);
    expect(out.applets.map((a: { aid: string }) => a.aid)).toEqual(f.applets);
    expect(out.imports.map((i: { aid: string; version: string }) => `${i.aid} ${i.version}`)).toEqual(f.imports);
    expect(out.lfdb.size).toBe(f.lfdbSize);
    expect(out.lfdb.sha256).toBe(f.sha256);
    expect(out.lfdb.sha1).toMatch(/^[0-9a-f]{40}$/);
  });
});

test("the human form is a short aligned block with import names", () => {
  const r = webcard(["cap", join(FIXTURES_DIR, "pysim_test_javacard.cap")]);
  expect(r.code).toBe(0);
  const lines = r.stdout.trimEnd().split("\n");
  expect(lines[0]).toBe("Package     D07002CA44  v1.0  org.toorcamp.HelloSTK");
  expect(lines).toContain("Applets     D07002CA44900101  HelloSTK");
  expect(lines).toContain("            A0000000090003FFFFFFFF8910710002  2.6  sim.toolkit");
  expect(lines).toContain("Load size   397 bytes (Load File Data Block)");
  expect(lines).toContain("SHA-256     2adb0cbbaf6e155764e504d8d2f37389619583883d3ad0ae28dbfb6e1e7bdecd");
  expect(lines.every((l) => l.length < 100)).toBe(true);
});

test("a built CAP reads back through the CLI, over 64 KB too", () => {
  const path = join(tmp, "big.cap");
  writeFileSync(path, writeCap({
    packageAid: fromHex("A000000647AA"),
    packageName: "demo.big",
    applets: [{ aid: fromHex("A000000647AA01"), className: "Big" }],
    padding: 70_000,
    format: "2.2",
  }));
  const out = JSON.parse(webcard(["cap", path, "--json"]).stdout);
  expect(out.package).toEqual({ aid: "A000000647AA", name: "demo.big", version: "1.0" });
  expect(out.applets).toEqual([{ aid: "A000000647AA01", className: "Big", installMethodOffset: 19 }]);
  expect(out.format).toBe("2.2");
  expect(out.lfdb.size).toBeGreaterThan(65_536);
});

test("an extended file: the CAP AID, every package, the load size and hash of its LFDB (docs/cap-formats.md)", () => {
  const path = join(tmp, "two.cap");
  const spec = {
    capAid: fromHex("A0000006472F00CA"),
    packages: [
      { packageAid: fromHex("A0000006472F00C1"), packageName: "org.example.one", applets: [{ aid: fromHex("A0000006472F00C101"), className: "One" }], padding: 70_000 },
      { packageAid: fromHex("A0000006472F00C2"), packageName: "org.example.two", packageVersion: { major: 2, minor: 1 }, applets: [{ aid: fromHex("A0000006472F00C201"), className: "Two" }] },
    ],
  };
  writeFileSync(path, writeExtendedCap(spec));
  const out = JSON.parse(webcard(["cap", path, "--json"]).stdout);
  expect(out.format).toBe("2.3");
  expect(out.layout).toBe("extended");
  expect(out.loadFileAid).toBe("A0000006472F00CA");
  expect(out.cap).toEqual({ aid: "A0000006472F00CA", version: "1.0", methodBlocks: 4 });
  expect(out.package).toBeNull();
  expect(out.packages).toEqual([
    { aid: "A0000006472F00C1", name: "org.example.one", version: "1.0" },
    { aid: "A0000006472F00C2", name: "org.example.two", version: "2.1" },
  ]);
  expect(out.applets.map((a: { aid: string; installMethodBlock: number }) => [a.aid, a.installMethodBlock])).toEqual([["A0000006472F00C101", 0], ["A0000006472F00C201", 3]]);
  // The documented rule: Header, Directory, Import, Applet, Class, Method, StaticField, Export, ConstantPool, RefLocation, StaticResources, as they stand.
  const zip = unzipSync(new Uint8Array(readFileSync(path)));
  const order = ["Header.cap", "Directory.cap", "Import.cap", "Applet.cap", "Class.cap", "Method.capx", "StaticField.cap", "ConstantPool.cap", "RefLocation.capx"];
  const lfdb = Buffer.concat(order.map((n) => zip[`org/example/one/javacard/${n}`]!));
  expect(out.lfdb.size).toBe(lfdb.length);
  expect(out.lfdb.sha256).toBe(createHash("sha256").update(lfdb).digest("hex"));
  const human = webcard(["cap", path]).stdout;
  expect(human).toContain("CAP AID     A0000006472F00CA  v1.0  (extended: 2 packages, 4 method blocks)");
  expect(human).toContain("            A0000006472F00C2  v2.1  org.example.two");
  expect(human).toContain("CAP format  2.3 extended");
});

describe("errors are one line and exit 1", () => {
  test.each([
    ["a missing file", () => join(tmp, "nothere.cap"), "webcard: Cannot read CAP file", ": no such file"],
    ["a text file", () => (writeFileSync(join(tmp, "x.cap"), "not a cap"), join(tmp, "x.cap")), "webcard: Cannot read CAP file ", "x.cap: not a ZIP or IJC load file (give the .cap file made by the Java Card converter)"],
    ["a cut-off CAP", () => (writeFileSync(join(tmp, "cut.cap"), readFileSync(join(FIXTURES_DIR, "kaoh_helloworld.cap")).subarray(0, 900)), join(tmp, "cut.cap")), "webcard: Cannot read CAP file ", "cut.cap: the ZIP archive is damaged or cut short (no end of central directory record)"],
    ["a directory", () => tmp, "webcard: Cannot read CAP file", ": it is a directory"],
  ])("%s", (_name, make, start, end) => {
    const r = webcard(["cap", make()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.length).toBe(1);
    expect(lines[0]!.startsWith(start)).toBe(true);
    expect(lines[0]!.endsWith(end)).toBe(true);
  });

  test("with --json the error is also a JSON object on stdout", () => {
    const r = webcard(["cap", join(tmp, "nothere.cap"), "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false });
  });

  test("no file argument is a usage error (exit 2)", () => {
    const r = webcard(["cap"]);
    expect(r.code).toBe(2);
  });
});
