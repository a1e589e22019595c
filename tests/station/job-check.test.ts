/**
 * `webcard job check`: a good job in JSON and in TOML says what it will do
 * (keys as check values only); a bad one gets one line per mistake, each
 * with its place, and exit code 1.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-job-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
copyFileSync(join(FIXTURE_DIR, "kaoh_helloworld.cap"), join(dir, "hello.cap"));
writeFileSync(join(dir, "cards.csv"), 'identity,name,pin\n01,Ann,1234\n02,"Bo, Jr",5678\n');
const MASTER = "00112233445566778899AABBCCDDEEFF";

const good = {
  name: "batch",
  caps: [{ file: "hello.cap" }],
  install: [{ cap: "hello.cap", instance: "D0D1D2D3D4D50102", privileges: "card-reset" }],
  keys: { card: { key: "default" }, rotate: { master: "env:STATION_MASTER", kdf: "kdf3", version: 2 } },
  data: { csv: "cards.csv" },
  personalize: [{ "store-data": { to: "isd", tlv: { "5F20": "{name:ascii}", DF20: "{pin}" } } }],
  checks: { select: ["D0D1D2D3D4D50102"] },
};

const TOML = `name = "batch"
[[caps]]
file = "hello.cap"
[[install]]
cap = "hello.cap"
instance = "D0D1D2D3D4D50102"
privileges = "card-reset"
[keys.card]
key = "default"
[keys.rotate]
master = "env:STATION_MASTER"
kdf = "kdf3"
version = 2
[data]
csv = "cards.csv"
[[personalize]]
[personalize.store-data]
to = "isd"
tlv = { 5F20 = "{name:ascii}", DF20 = "{pin}" }
[checks]
select = ["D0D1D2D3D4D50102"]
`;

describe("webcard job check", () => {
  test("a good job, in JSON and in TOML, says what it will do; key material never shows", () => {
    writeFileSync(join(dir, "job.json"), JSON.stringify(good));
    writeFileSync(join(dir, "job.toml"), TOML);
    const outs = ["job.json", "job.toml"].map((f) => webcard(["job", "check", join(dir, f), "--json"], { STATION_MASTER: MASTER }));
    for (const r of outs) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain(MASTER);
      const s = JSON.parse(r.stdout);
      expect(s.install).toEqual([{ cap: "hello.cap", applet: "D0D1D2D3D4D50101", instance: "D0D1D2D3D4D50102" }]);
      expect(s.data).toEqual({ csv: "cards.csv", rows: 2, match: "order" });
      expect(s.keys.rotate).toEqual({ master: { enc: expect.stringMatching(/^[0-9A-F]{6}$/), mac: expect.any(String), dek: expect.any(String) }, kdf: "kdf3", version: 2 });
    }
    // The same job in either syntax: the same plan.
    const [a, b] = outs.map((r) => JSON.parse(r.stdout));
    expect({ ...a, hash: 0 }).toEqual({ ...b, hash: 0 });
  });

  test("every mistake is one line with its place, and nothing else is done", () => {
    writeFileSync(join(dir, "bad.csv"), "identity,pin\n01,12x4\n02,5678\n");
    const bad = {
      ...good,
      colour: "blue",
      identity: "serial",
      caps: [{ file: "hello.cap", sha256: "00".repeat(32) }, { file: "missing.cap" }],
      install: [{ cap: "other.cap" }, { cap: "hello.cap", instance: "A000", privileges: "super-powers" }],
      keys: { card: { key: "0011" }, rotate: { master: "env:NOT_SET_ANYWHERE", kdf: "none", version: 300 } },
      data: { csv: "bad.csv" },
      personalize: [{ "store-data": { to: "isd", data: "DF20{pinn}" } }, { apdu: { commands: ["8010{pin}"] } }],
    };
    writeFileSync(join(dir, "bad.json"), JSON.stringify(bad));
    const r = webcard(["job", "check", join(dir, "bad.json")]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    const expected = [
      "bad.json: colour: unknown field 'colour'",
      "bad.json: identity: must be cplc, iccid or tag:XXXX",
      "bad.json: caps[0].sha256: the file's SHA-256 is",
      "bad.json: caps[1].file: Cannot read CAP file",
      "bad.json: install[0].cap: names no file of caps",
      "bad.json: install[1].cap: names no file of caps",
      "bad.json: install[1].instance: Instance AID A000 has 2 bytes",
      "bad.json: install[1].privileges: Unknown privilege 'super-powers'",
      "bad.json: keys.card.key: Key has 2 bytes",
      "bad.json: keys.rotate.version: must be a whole number from 1 to 127",
      "bad.json: keys.rotate.master: environment variable NOT_SET_ANYWHERE is not set",
      "bad.json: keys.rotate.kdf: must be emv or visa2",
      "bad.json: personalize[0].store-data.data: {pinn} is no column of bad.csv",
      "bad.json: personalize[1].apdu.commands[0]: bad.csv:2: column 'pin' is not hex",
      "webcard: The job has 14 mistakes: nothing was done",
    ];
    expect(lines.length).toBe(expected.length);
    for (const e of expected) expect(lines.some((l) => l.startsWith(e))).toBe(true);
  });

  test("a file that does not parse is one line; so is an unknown action", () => {
    writeFileSync(join(dir, "broken.toml"), "name = = 1\n");
    const r = webcard(["job", "check", join(dir, "broken.toml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^broken\.toml: is not valid TOML: .+\nwebcard: The job has 1 mistake: nothing was done\n$/);
    const u = webcard(["job", "frobnicate", join(dir, "job.json")]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/Unknown job action 'frobnicate'/);
  });
});
