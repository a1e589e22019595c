/**
 * A test per quirk (src/stack/gp/quirks.ts): the same command against the
 * gp23 card and against the profile that has the quirk, in-process
 * (`--sim STATE --profile NAME`), with the APDU trace showing what the
 * terminal did about it. The T=0 ones run through pcscd + vpcd as well
 * (tests/gp/quirks-pcsc.test.ts).
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { webcard } from "../harness/cli.ts";
import type { Quirk } from "../../src/stack/gp/quirks.ts";

const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const HELLO = join(FIXTURES, "kaoh_helloworld.cap");
const dir = mkdtempSync(join(tmpdir(), "webcard-quirks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Several CLI subprocesses per test: a loaded machine must not turn them into a timeout.
setDefaultTimeout(120_000);

let n = 0;
/** `webcard ARGS --sim <fresh state> --profile PROFILE --trace`. */
function on(profile: string, args: string[], state = join(dir, `${profile}-${n++}.sqlite`)) {
  return webcard([...args, "--sim", state, "--profile", profile, "--trace"]);
}

/** Trace lines: "=> HEX" commands and "<= DATA SW (meaning) ms" responses. */
function trace(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("=> ") || l.startsWith("<= "));
}

/** The command sent right after a response matching `response`. */
function after(lines: string[], response: RegExp): string | undefined {
  const i = lines.findIndex((l) => l.startsWith("<= ") && response.test(l));
  return i < 0 ? undefined : lines[i + 1];
}

/** A failure: exit `code` (1, or 2 for a choice the card cannot take), exactly one line on stderr besides the trace. */
function oneLine(r: ReturnType<typeof webcard>, code = 1): string {
  const lines = r.stderr.trim().split("\n").filter((l) => !l.startsWith("=> ") && !l.startsWith("<= "));
  expect(lines).toHaveLength(1);
  expect(r.code).toBe(code);
  return lines[0]!;
}

const cases: Record<Quirk, true> = {} as Record<Quirk, true>;
const covers = (q: Quirk) => (cases[q] = true);

describe("T=0 procedure bytes", () => {
  test("t0ResponseWaiting (sysmo-usim): INITIALIZE UPDATE answered 61xx, then GET RESPONSE; gp23 answers at once", () => {
    covers("t0ResponseWaiting");
    const gp23 = on("gp23", ["list"]);
    expect(gp23.code).toBe(0);
    expect(trace(gp23.stderr).some((l) => /^<= 61[0-9A-F]{2} /.test(l))).toBe(false);
    const r = on("sysmo-usim", ["list"]);
    expect(r.code).toBe(0);
    const lines = trace(r.stderr);
    const init = lines.findIndex((l) => l.startsWith("=> 8050"));
    expect(lines[init + 1]).toMatch(/^<= 611C /);
    expect(lines[init + 2]).toBe("=> 00C000001C");
  });

  test("t0WrongLe (sysmo-usim): GET DATA with Le 00 answered 6Cxx is sent again with Le xx; gp23 answers at once", () => {
    covers("t0WrongLe");
    const gp23 = on("gp23", ["info"]);
    expect(gp23.code).toBe(0);
    expect(trace(gp23.stderr).some((l) => /^<= 6C[0-9A-F]{2} /.test(l))).toBe(false);
    const r = on("sysmo-usim", ["info"]);
    expect(r.code).toBe(0);
    const lines = trace(r.stderr);
    const i = lines.indexOf("=> 80CA9F7F00");
    expect(lines[i + 1]).toMatch(/^<= 6C2D /);
    expect(lines[i + 2]).toBe("=> 80CA9F7F2D");
    expect(r.stdout).toContain("CPLC: ICFabricator=FFFF");
  });
});

test("t0NoExtendedLength (sysmo-usim): --block-size 1000 is one line on T=0 and nothing is loaded; gp23 takes it in extended-length APDUs", () => {
  covers("t0NoExtendedLength");
  const gp23 = on("gp23", ["install", HELLO, "--via", "gp", "--block-size", "1000"]);
  expect(gp23.code).toBe(0);
  const state = join(dir, "usim-extended.sqlite");
  const r = on("sysmo-usim", ["install", HELLO, "--via", "gp", "--block-size", "1000"], state);
  expect(oneLine(r, 2)).toContain("Block size 1000 does not fit a LOAD command at level mac: use 1 to 247");
  expect(trace(r.stderr).some((l) => l.startsWith("=> 80E6") || l.startsWith("=> 84E6"))).toBe(false);
});

describe("ISD discovery", () => {
  test("isdAtOtherAid (sce32, optelio): the ISD at A000000003000000 / A000000004000000 is found from the default SELECT", () => {
    covers("isdAtOtherAid");
    expect(JSON.parse(on("gp23", ["info", "--json"]).stdout).isd).toBe("A000000151000000");
    for (const [profile, aid] of [["sce32", "A000000003000000"], ["optelio", "A000000004000000"]] as const) {
      const r = on(profile, ["info", "--json"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).isd).toBe(aid);
      expect(trace(r.stderr)[0]).toBe("=> 00A4040000");
      // No SELECT by AID was needed (a T=0 card may have the default SELECT sent again with its Le, 00A40400xx).
      expect(trace(r.stderr).filter((l) => /^=> 00A40400[0-9A-F]{2}[0-9A-F]{10,}/.test(l))).toEqual([]);
    }
  });
});

describe("GET STATUS", () => {
  test("legacyGetStatus (nokia-6131, sce60): P2 02 refused with 6A86, asked again with P2 00; gp23 answers P2 02", () => {
    covers("legacyGetStatus");
    const gp23 = trace(on("gp23", ["list"]).stderr);
    expect(gp23.some((l) => /^=> 84F2..00/.test(l))).toBe(false);
    for (const profile of ["nokia-6131", "sce60"]) {
      const r = on(profile, ["list", "--json"]);
      expect(r.code).toBe(0);
      const lines = trace(r.stderr);
      const first = lines.findIndex((l) => /^=> 84F2..02/.test(l));
      expect(lines[first + 1]).toMatch(/^<= 6A86 /);
      expect(lines[first + 2]).toMatch(/^=> 84F2..00/);
      expect(JSON.parse(r.stdout).isd.length).toBe(1);
    }
  });

  test("getStatusWithoutModules (sce32): P1 10 refused with 6A81, the load files listed with P1 20", () => {
    covers("getStatusWithoutModules");
    const r = on("sce32", ["list", "--json"]);
    expect(r.code).toBe(0);
    expect(after(trace(r.stderr), /^<= 6A81 /)).toMatch(/^=> 84F220/);
    expect(JSON.parse(r.stdout).loadFiles.length).toBeGreaterThan(0);
  });

  test("getStatusOneTemplate (sysmo-usim) and maxBlockSize (9F65 FE): install, list and delete; LOAD blocks of 246, not gp23's 247", () => {
    covers("getStatusOneTemplate");
    covers("maxBlockSize");
    const gp23 = webcard(["install", HELLO, "--via", "gp", "--sim", join(dir, "gp23-block.sqlite"), "--profile", "gp23"]);
    expect(gp23.stdout).toContain("LOAD blocks of 247");
    const state = join(dir, "usim-block.sqlite");
    const r = on("sysmo-usim", ["install", HELLO, "--via", "gp"], state);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("LOAD blocks of 246");
    const list = on("sysmo-usim", ["list", "--json"], state);
    expect(JSON.parse(list.stdout).apps.map((a: { aid: string }) => a.aid)).toContain("D0D1D2D3D4D50101");
    expect(trace(list.stderr).some((l) => /^<= E3..4F/.test(l))).toBe(true);
    expect(on("sysmo-usim", ["delete", "D0D1D2D3D4D501", "--force"], state).code).toBe(0);
  });

  test("getStatusSplitEntry (jcop4): pages cut inside an entry list whole", () => {
    covers("getStatusSplitEntry");
    const r = on("jcop4", ["list", "--json", "--all"]);
    expect(r.code).toBe(0);
    expect(trace(r.stderr).some((l) => / 6310 /.test(l))).toBe(true);
    const gp23 = JSON.parse(on("gp23", ["list", "--json", "--all"]).stdout);
    expect(JSON.parse(r.stdout).loadFiles.length).toBeGreaterThan(1);
    expect(gp23.loadFiles.length).toBeGreaterThan(1);
  });
});

describe("GET DATA", () => {
  test("noCplc (sysmo-isim): CPLC answered 6A88 is reported, not an error; gp23 gives its CPLC", () => {
    covers("noCplc");
    expect(on("gp23", ["doctor"]).stdout).toContain("CPLC: ICFabricator=");
    const r = on("sysmo-isim", ["doctor"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("GET DATA 9F7F: not given (6A88)");
    expect(r.stdout).toContain("noCplc: ");
  });
});

describe("secure channel", () => {
  test("scp02IFromCardData (omni-ring): SCP02 i=15 from the FCI's card recognition data; the session opens", () => {
    covers("scp02IFromCardData");
    const r = on("omni-ring", ["list", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).channel.scp).toBe("02");
    expect(on("omni-ring", ["doctor"]).stdout).toContain("Secure channel: SCP02 i=15");
  });

  test("scp03IFromInitUpdate (sce60 i=00): no R-MAC offered, so --mode rmac stops before EXTERNAL AUTHENTICATE; gp23 (i=70) takes it", () => {
    covers("scp03IFromInitUpdate");
    expect(on("gp23", ["list", "--mode", "rmac"]).code).toBe(0);
    const r = on("sce60", ["list", "--mode", "rmac"]);
    expect(oneLine(r, 2)).toContain("The card's SCP03 i=00 does not offer level rmac");
    expect(trace(r.stderr).some((l) => l.startsWith("=> 8482"))).toBe(false);
    expect(on("sce60", ["list"]).code).toBe(0);
  });

  test("diversifiedKeys (sce32 EMV, optelio VISA2, cosmo-v8 KDF3): found from the one INITIALIZE UPDATE answer; gp23 needs none", () => {
    covers("diversifiedKeys");
    expect(on("gp23", ["list"]).stderr).not.toContain("Keys diversified");
    const keys: [string, string, string][] = [
      ["sce32", "default", "EMV"],
      ["optelio", "47454D5850524553534F53414D504C45", "VISA2"],
      ["cosmo-v8", "404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F", "KDF3"],
    ];
    for (const [profile, key, kdf] of keys) {
      const r = on(profile, ["list", "--key", key]);
      expect({ profile, code: r.code }).toEqual({ profile, code: 0 });
      expect(r.stderr).toContain(`Keys diversified with ${kdf}: found from the card's cryptogram`);
      const lines = trace(r.stderr);
      expect(lines.filter((l) => l.startsWith("=> 8050"))).toHaveLength(1);
      expect(lines.filter((l) => l.startsWith("=> 8482"))).toHaveLength(1);
    }
  });

  test("diversifiedKeys (sce32): a wrong --kdf is one line naming the right one, and no EXTERNAL AUTHENTICATE is sent", () => {
    const r = on("sce32", ["list", "--kdf", "visa2"]);
    expect(oneLine(r)).toContain("the card's cryptogram matches these keys with --kdf emv, not visa2");
    expect(trace(r.stderr).some((l) => l.startsWith("=> 8482"))).toBe(false);
  });

  test("keyVersionAbsent (sysmo-isim, keys at version 70): --key-version 3 is one line; 0 finds them", () => {
    covers("keyVersionAbsent");
    const r = on("sysmo-isim", ["list", "--key-version", "3"]);
    expect(oneLine(r)).toContain("6A88");
    expect(r.stderr).toContain("check --key-version");
    expect(on("sysmo-isim", ["list"]).code).toBe(0);
  });
});

test("every quirk a profile shows has its test here", () => {
  // Quirks no shipped profile shows are tested against traces in src/host/gp/quirks.test.ts and
  // src/stack/gp/secure-channel.test.ts: t0WarningWithoutData, isdDefaultSelectedOnly, selectWithoutFci,
  // cardNotReady, getStatusCutWithout6310, scp01, triesLeft.
  expect(Object.keys(cases).sort()).toEqual(
    [
      "t0ResponseWaiting", "t0WrongLe", "t0NoExtendedLength", "isdAtOtherAid", "legacyGetStatus", "getStatusWithoutModules", "getStatusOneTemplate",
      "maxBlockSize", "getStatusSplitEntry", "noCplc", "scp02IFromCardData", "scp03IFromInitUpdate", "diversifiedKeys", "keyVersionAbsent",
    ].sort(),
  );
});

test("docs/doctor.md lists every quirk of the catalogue", async () => {
  const { QUIRKS } = await import("../../src/stack/gp/quirks.ts");
  const doc = await Bun.file(resolve(import.meta.dir, "../../docs/doctor.md")).text();
  expect(Object.keys(QUIRKS).filter((q) => !doc.includes(`| \`${q}\` |`))).toEqual([]);
});
