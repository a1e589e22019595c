/**
 * The terminal's handling of real cards' ways (stack/gp/quirks.ts), each
 * against the public trace that shows it (REAL-CARDS.md, section or
 * appendix named in the test), through scripted transports.
 */
import { describe, expect, test } from "bun:test";
import { scriptedTransport } from "../../stack/transport/scripted.ts";
import { withIsoResponses } from "../../stack/transport/get-response.ts";
import { fromHex, toHex } from "../../stack/bytes.ts";
import { DEFAULT_ISD_AIDS } from "../../stack/gp/constants.ts";
import type { Quirk } from "../../stack/gp/quirks.ts";
import { discoverIsd } from "./discover.ts";
import { getStatusAll } from "./registry.ts";

const any = () => true;

describe("T=0 procedure bytes", () => {
  test("t0ResponseWaiting: INITIALIZE UPDATE answered 611C is followed by GET RESPONSE (SPTek SP44)", async () => {
    const t = scriptedTransport([
      { command: "8050000008D31CC4DE5E586FBC00", response: "611C" },
      { command: "00C000001C", response: "0000416804170A325DC801020004B1B79602B1CBE00CF4940C2562699000" },
    ]);
    const r = await withIsoResponses(t, { t0: true }).transmit(fromHex("8050000008D31CC4DE5E586FBC00"));
    expect(toHex(r)).toBe("0000416804170A325DC801020004B1B79602B1CBE00CF4940C2562699000");
  });

  test("t0ResponseWaiting: a legacy GET STATUS answered 610B lists the ISD (SPTek SP44)", async () => {
    const t = scriptedTransport([
      { command: "80F28002024F0000", response: "6A86" },
      { command: "80F28000024F0000", response: "610B" },
      { command: "00C000000B", response: "08A000000003000000019E9000" },
    ]);
    const isd = await getStatusAll(withIsoResponses(t, { t0: true }), "isd");
    expect(isd.map((e) => [toHex(e.aid), e.lifecycle])).toEqual([["A000000003000000", 1]]);
  });

  test("t0WarningWithoutData: 6310 with no data, GET RESPONSE, 6CFF, the data come with the warning (G+D UICC)", async () => {
    const t = scriptedTransport([
      { command: "81F220000A4F00112233445566778800", response: "6310" },
      { command: "01C0000000", response: "6CFF" },
      { command: "01C00000FF", response: "E3054F03A000009000" },
    ]);
    const r = await withIsoResponses(t, { t0: true }).transmit(fromHex("81F220000A4F00112233445566778800"));
    expect(toHex(r)).toBe("E3054F03A000006310");
    expect(t.remaining()).toBe(0);
  });

  test("t0WarningWithoutData: not on T=1, and a refused GET RESPONSE leaves the warning", async () => {
    const t1 = scriptedTransport([{ command: "80F220020A4F00112233445566778800", response: "6310" }]);
    expect(toHex(await withIsoResponses(t1).transmit(fromHex("80F220020A4F00112233445566778800")))).toBe("6310");
    const refused = scriptedTransport([
      { command: "80F220020A4F00112233445566778800", response: "6310" },
      { command: "00C0000000", response: "6D00" },
    ]);
    expect(toHex(await withIsoResponses(refused, { t0: true }).transmit(fromHex("80F220020A4F00112233445566778800")))).toBe("6310");
  });
});

describe("ISD discovery", () => {
  test("isdAtOtherAid: a minimal FCI at A000000003000000 is taken from the default SELECT (G+D Sm@rtCafe 3.2)", async () => {
    const t = scriptedTransport([{ command: "00A4040000", response: "6F108408A000000003000000A5049F6501FF9000" }]);
    const isd = await discoverIsd(t);
    expect(toHex(isd.aid)).toBe("A000000003000000");
    expect(isd.quirks).toEqual<Quirk[]>(["isdAtOtherAid"]);
    expect(isd.fci.maxCommandData).toBe(255);
  });

  test("isdDefaultSelectedOnly: a private ISD AID with a security domain's FCI (JCOP4, GlobalPlatformPro #255)", async () => {
    const t = scriptedTransport([{ command: "00A4040000", response: "6F108408D480424C4E53434DA5049F6501FF9000" }]);
    const isd = await discoverIsd(t);
    expect(toHex(isd.aid)).toBe("D480424C4E53434D");
    expect(isd.quirks).toEqual<Quirk[]>(["isdDefaultSelectedOnly"]);
  });

  test("isdAtOtherAid: a 7-byte ISD AID with card recognition data (Oberthur Cosmo 8.1)", async () => {
    const fci =
      "6F408407A0000001510000A535732F06072A864886FC6B01600C060A2A864886FC6B02020201630906072A864886FC6B03640B06092A864886FC6B0403709F6501FF";
    const isd = await discoverIsd(scriptedTransport([{ command: "00A4040000", response: `${fci}9000` }]));
    expect(toHex(isd.aid)).toBe("A0000001510000");
    expect(isd.fci.recognition?.scps).toEqual([{ scp: 3, i: 0x70 }]);
  });

  test("an applet's FCI from the default SELECT is not an ISD: the ISD AIDs are tried (Gemalto Optelio at A000000004000000)", async () => {
    const t = scriptedTransport([
      { command: "00A4040000", response: "6F0A8408D2760000850101009000" },
      ...DEFAULT_ISD_AIDS.slice(0, 4).map(() => ({ command: any, response: "6A82" })),
      { command: "00A4040008A00000000400000000", response: "6F108408A000000004000000A5049F6501FF9000" },
    ]);
    const isd = await discoverIsd(t);
    expect(toHex(isd.aid)).toBe("A000000004000000");
    expect(isd.quirks).toEqual<Quirk[]>(["isdAtOtherAid"]);
  });

  test("cardNotReady: SELECT refused with 6D00 everywhere (uninitialised ACOSJ) is one line naming the state", async () => {
    const t = scriptedTransport([{ command: "00A4040000", response: "6D00" }, ...DEFAULT_ISD_AIDS.map(() => ({ command: any, response: "6D00" }))]);
    await expect(discoverIsd(t)).rejects.toThrow("The card refuses SELECT itself (6D00): it is not an initialised GlobalPlatform card");
    expect(t.remaining()).toBe(0);
  });

  test("cardNotReady: an unfused JCOP answers its identify application with data and 6A82 (GlobalPlatformPro #121)", async () => {
    const t = scriptedTransport([
      { command: "00A4040000", response: "6A82" },
      ...DEFAULT_ISD_AIDS.map(() => ({ command: any, response: "6A82" })),
      { command: "00A4040009A000000167413000FF00", response: "02B10140000000004E58323530420003F44770006A82" },
    ]);
    await expect(discoverIsd(t)).rejects.toThrow("The card is an unfused NXP JCOP (pre-personalisation state): it has no security domain yet");
  });
});

describe("GET STATUS", () => {
  test("legacyGetStatus: P2 02 refused with 6A86 (G+D SCE 6.0), then the legacy format", async () => {
    const seen: string[] = [];
    const t = scriptedTransport([
      { command: "80F24002024F0000", response: "6A86" },
      { command: "80F24000024F0000", response: "07A00000006200010700" + "9000" },
    ]);
    const apps = await getStatusAll(t, "apps", undefined, (q) => seen.push(q));
    expect(apps.map((e) => toHex(e.aid))).toEqual(["A0000000620001"]);
    expect(seen).toEqual(["legacyGetStatus"]);
  });

  test("legacyGetStatus: P2 02 refused with 6A80 (sysmoISIM-SJA2), then the legacy format", async () => {
    const t = scriptedTransport([
      { command: "80F28002024F0000", response: "6A80" },
      { command: "80F28000024F0000", response: "08A000000003000000019E9000" },
    ]);
    expect((await getStatusAll(t, "isd")).map((e) => toHex(e.aid))).toEqual(["A000000003000000"]);
  });

  test("legacyGetStatus: a card that refuses both formats is refused with its first answer", async () => {
    const t = scriptedTransport([
      { command: "80F28002024F0000", response: "6A86" },
      { command: "80F28000024F0000", response: "6A86" },
    ]);
    await expect(getStatusAll(t, "isd")).rejects.toThrow("6A86");
  });

  test("getStatusSplitEntry: an entry cut across two pages is joined (JCOP4, GlobalPlatformPro #405)", async () => {
    const seen: string[] = [];
    const t = scriptedTransport([
      { command: "80F24002024F0000", response: "E30D4F07A00000015153509F7001" + "6310" },
      { command: "80F24003024F0000", response: "07E30D4F07A00000006200019F7001079000" },
    ]);
    const apps = await getStatusAll(t, "apps", undefined, (q) => seen.push(q));
    expect(apps.map((e) => [toHex(e.aid), e.lifecycle])).toEqual([
      ["A0000001515350", 7],
      ["A0000000620001", 7],
    ]);
    expect(seen).toEqual(["getStatusSplitEntry"]);
  });

  test("getStatusOneTemplate: every entry inside one E3 (sysmoUSIM-SJS1)", async () => {
    const seen: string[] = [];
    const t = scriptedTransport([
      { command: "80F24002024F0000", response: "E3204F07A00000015153509F700107C501004F07A00000006200019F700107C50100" + "9000" },
    ]);
    const apps = await getStatusAll(t, "apps", undefined, (q) => seen.push(q));
    expect(apps.map((e) => toHex(e.aid))).toEqual(["A0000001515350", "A0000000620001"]);
    expect(seen).toEqual(["getStatusOneTemplate"]);
  });

  test("getStatusCutWithout6310: a full page ending inside an entry with 9000 is one line (GlobalPlatformPro #327)", async () => {
    const entry = "E30D4F07A00000006200019F700107";
    const page = entry.repeat(16) + "E30D4F07A00000006200019F7001"; // 254 bytes, the last entry cut
    expect(fromHex(page).length).toBeGreaterThanOrEqual(0xfe);
    const t = scriptedTransport([{ command: "80F24002024F0000", response: page + "9000" }]);
    await expect(getStatusAll(t, "apps")).rejects.toThrow("GET STATUS (apps) ends inside an entry with 9000 instead of 6310");
  });
});

test("t0WarningWithoutData: a transport that says it is T=0 (a reader connection) gets the handling without being told", async () => {
  const script = scriptedTransport([
    { command: "80F220020A4F00112233445566778800", response: "6310" },
    { command: "00C0000000", response: "E3054F03A000009000" },
  ]);
  const reader = Object.assign(script, { protocol: "T=0" });
  expect(toHex(await withIsoResponses(reader).transmit(fromHex("80F220020A4F00112233445566778800")))).toBe("E3054F03A000006310");
});
