/** `webcard doctor`: the report on a real card's trace, and on simulated cards as a user runs it. */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHex } from "../../src/stack/bytes.ts";
import { scriptedTransport } from "../../src/stack/transport/scripted.ts";
import { doctor } from "../../src/host/gp/doctor.ts";
import { shippedProfiles } from "../../src/card/profiles/catalogue.ts";
import { webcard } from "../harness/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-doctor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Several CLI subprocesses per test: a loaded machine must not turn them into a timeout.
setDefaultTimeout(120_000);

describe("doctor on the public trace of an NXP JCOP 2.4.2 (apdu4j test.dump, REAL-CARDS.md section 2)", () => {
  const FCI =
    "6F648408A000000151000000A5589F6501FF9F6E06479120813B00734906072A864886FC6B01600B06092A864886FC6B020202630906072A864886FC6B03640B06092A864886FC6B040255650B06092B8510864864020103660C060A2B060104012A026E0102";
  const script = () =>
    scriptedTransport([
      { command: "00A4040000", response: `${FCI}9000` },
      { command: "80CA9F7F00", response: "6A88" },
      { command: "00CA9F7F00", response: "6A88" },
      { command: "80CA004200", response: "6A88" },
      { command: "00CA004200", response: "6A88" },
      { command: "80CA004500", response: "6A88" },
      { command: "00CA004500", response: "6A88" },
      { command: "80CA006600", response: "6A88" },
      { command: "00CA006600", response: "6A88" },
      { command: "80CA00E000", response: "E012C00401018010C00402018010C004030180109000" },
      { command: "80CAFF2100", response: "6A88" },
    ]);

  test("ATR, ISD, SCP02 i=55, keys of version 01, Java Card 2, and the jcop242 profile first", async () => {
    const t = script();
    const r = await doctor(t, { atr: fromHex("3BF91300008131FE454A434F503234325232A3"), protocol: "T=1", profiles: shippedProfiles() });
    expect(t.remaining()).toBe(0);
    expect(r.atrInfo?.historicalText).toBe("JCOP242R2");
    expect(r.atrInfo?.bitsPerSecond).toBe(38400);
    expect(r.info?.fci.recognition?.scps).toEqual([{ scp: 2, i: 0x55 }]);
    expect(r.info?.keys?.map((k) => k.version)).toEqual([1, 1, 1]);
    expect(r.info?.refused?.["9F7F"]).toBe(0x6a88);
    expect(r.javaCard).toStartWith("2 ");
    expect(r.quirks).toEqual(["noCplc"]);
    expect(r.resembles[0]?.name).toBe("jcop242");
    expect(r.resembles[0]?.agrees).toContain("ATR");
  });
});

describe("webcard doctor on a simulated card (subprocess)", () => {
  const state = join(dir, "gp23.sqlite");

  test("text: the ATR decoded, the ISD, memory, Java Card, and the gp23 profile", () => {
    const r = webcard(["doctor", "--sim", state]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('historical bytes: 5745424341524431 "WEBCARD1"');
    expect(r.stdout).toContain("ISD: A000000151000000");
    expect(r.stdout).toContain("Memory: free non-volatile memory ");
    expect(r.stdout).toContain("Java Card: 3 ");
    expect(r.stdout).toMatch(/^Resembles: gp23 /m);
  });

  test("--json --init-update: one document with the INITIALIZE UPDATE identifiers and no EXTERNAL AUTHENTICATE", () => {
    const r = webcard(["doctor", "--sim", state, "--json", "--init-update", "--trace"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.atr.protocol).toBe("T=1");
    expect(j.isd).toBe("A000000151000000");
    expect(j.initUpdate).toMatchObject({ sw: "9000", scp: 3, i: "70", keyVersion: 0xff });
    expect(j.resembles[0].name).toBe("gp23");
    expect(r.stderr).toContain("=> 8050");
    expect(r.stderr).not.toContain("=> 8482");
  });

  test("a bad --isd is one line and the report still comes", () => {
    const r = webcard(["doctor", "--sim", state, "--isd", "A0000000AA"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Stopped: Security domain A0000000AA not found on the card (6A82)");
    expect(r.stdout).toMatch(/^Resembles: gp23 /m);
  });

  test("a bad --key-version is usage, before the card is opened", () => {
    const r = webcard(["doctor", "--sim", join(dir, "never.sqlite"), "--init-update", "--key-version", "300"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("--key-version must be a number from 0 to 127, got '300'");
  });
});

describe("webcard doctor on every profile (in-process)", () => {
  for (const p of shippedProfiles()) {
    test(`${p.name}: doctor names it`, () => {
      const r = webcard(["doctor", "--sim", join(dir, `doctor-${p.name}.sqlite`), "--profile", p.name, "--json"]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      const j = JSON.parse(r.stdout);
      expect(j.resembles[0].name).toBe(p.name);
      expect(j.resembles[0].agrees).toContain("ATR");
      expect(j.atr.protocol).toBe(p.protocol);
      expect(j.isd).toBe(p.isd.aid);
      expect(j.problem).toBeNull();
    });
  }
});

describe("resemblance", () => {
  test("every shipped profile, seen as a card shows itself without authentication, ranks first", async () => {
    const { rankProfiles } = await import("../../src/host/gp/resemblance.ts");
    const { parseAtr } = await import("../../src/stack/atr.ts");
    const { toHex } = await import("../../src/stack/bytes.ts");
    for (const p of shippedProfiles()) {
      const seen = {
        atr: p.atr.toUpperCase(),
        historical: toHex(parseAtr(fromHex(p.atr)).historical),
        protocol: p.protocol,
        isd: p.isd.aid,
        keyVersions: [Number.parseInt(p.keys.version, 16)],
        getData: Object.fromEntries(Object.entries(p.getData).map(([k, v]) => [k.toUpperCase(), v])),
      };
      const [first, second] = rankProfiles(seen, shippedProfiles());
      expect(first?.name).toBe(p.name);
      expect(first!.score).toBeGreaterThan(second!.score);
    }
  });
});

test("a card no profile has: the closest is named as such", async () => {
  const { doctorLines } = await import("../../src/cli/commands/doctor.ts");
  const t = scriptedTransport([
    { command: "00A4040000", response: "6F108408A000000003000000A5049F6501FF9000" },
    ...Array.from({ length: 11 }, () => ({ command: () => true, response: "6A88" })),
  ]);
  const r = await doctor(t, { atr: fromHex("3B6800000073C84000009000"), profiles: shippedProfiles() });
  const lines = doctorLines(r);
  expect(lines).toContain("  no profile has this card's ATR: the closest by the other facts, not this card");
  expect(lines).toContain("  protocol T=0 (card offers T=0)");
});
