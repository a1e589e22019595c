import { test, expect, describe } from "bun:test";
import { scriptedTransport } from "../../stack/transport/scripted.ts";
import { fromHex, toHex } from "../../stack/bytes.ts";
import { encodeTlv } from "../../stack/tlv.ts";
import { LoadTooLargeError } from "../../stack/gp/load.ts";
import type { Transport } from "../../stack/transport/transport.ts";
import type { GpSession } from "./session.ts";
import { blockSizeFor } from "./session.ts";
import { getStatusAll, list } from "./registry.ts";
import { load, type LoadFile, type LoadProgress } from "./load.ts";
import { installViaGp, planInstalls } from "./install.ts";
import { deleteAid, lock, unlock, makeDefault } from "./manage.ts";
import { discoverIsd } from "./discover.ts";
import { info } from "./info.ts";
import { DEFAULT_ISD_AIDS } from "../../stack/gp/constants.ts";

const ISD = "A000000151000000";
const tlv = (tag: number, ...hex: string[]) => toHex(encodeTlv(tag, fromHex(hex.join(""))));
const appEntry = (aid: string, lc = "07") => tlv(0xe3, tlv(0x4f, aid), tlv(0x9f70, lc), tlv(0xc5, "00"));
const fileEntry = (aid: string) => tlv(0xe3, tlv(0x4f, aid), tlv(0x9f70, "01"));

function session(channel: Transport, blockSize = 247): GpSession {
  return { channel, isd: fromHex(ISD), fci: {}, blockSize, level: "clear" };
}

const EMPTY: LoadFile = {
  packageAid: fromHex("0102030405"),
  applets: [{ aid: fromHex("0102030405060708") }],
  imports: [
    { aid: fromHex("A0000000620101"), major: 1, minor: 2 },
    { aid: fromHex("A0000000090003FFFFFFFF8910710002"), major: 2, minor: 6 },
  ],
  lfdb: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff),
};

describe("GET STATUS paging", () => {
  test("6310 fetches the next page with P2 03 until 9000", async () => {
    const t = scriptedTransport([
      { command: "80F24002024F0000", response: appEntry("A000000001") + appEntry("A000000002") + "6310" },
      { command: "80F24003024F0000", response: appEntry("A000000003") + "6310" },
      { command: "80F24003024F0000", response: appEntry("A000000004") + "9000" },
    ]);
    const apps = await getStatusAll(t, "apps");
    expect(apps.map((a) => toHex(a.aid))).toEqual(["A000000001", "A000000002", "A000000003", "A000000004"]);
    expect(t.remaining()).toBe(0);
  });

  test("6A88 is an empty subset, not an error", async () => {
    const t = scriptedTransport([{ command: "80F24002024F0000", response: "6A88" }]);
    expect(await getStatusAll(t, "apps")).toEqual([]);
  });

  test("6A86 on the tagged format falls back to the legacy format, paging with P2 01", async () => {
    const t = scriptedTransport([
      { command: "80F22002024F0000", response: "6A86" },
      { command: "80F22000024F0000", response: "0501020304050100" + "6310" },
      { command: "80F22001024F0000", response: "05A0000000620100" + "9000" },
    ]);
    const files = await getStatusAll(t, "load-files");
    expect(files.map((f) => toHex(f.aid))).toEqual(["0102030405", "A000000062"]);
  });

  test("a card that never stops answering 6310 is stopped", async () => {
    let n = 0;
    const t: Transport = {
      async transmit() {
        n++;
        return fromHex(appEntry("A000000001") + "6310");
      },
    };
    await expect(getStatusAll(t, "apps")).rejects.toThrow("after 128 GET STATUS pages");
    expect(n).toBe(128);
  });

  test("list falls back to load files without modules when P1 10 is refused", async () => {
    const t = scriptedTransport([
      { command: "80F28002024F0000", response: tlv(0xe3, tlv(0x4f, ISD), tlv(0x9f70, "0F"), tlv(0xc5, "9EFE80")) + "9000" },
      { command: "80F24002024F0000", response: "6A88" },
      { command: "80F21002024F0000", response: "6D00" },
      { command: "80F22002024F0000", response: fileEntry("A0000000620101") + "9000" },
    ]);
    const reg = await list(session(t));
    expect(reg.isd[0]!.kind).toBe("isd");
    expect(reg.apps).toEqual([]);
    expect(reg.loadFiles.map((f) => toHex(f.aid))).toEqual(["A0000000620101"]);
  });
});

describe("load", () => {
  test("more than 256 blocks is refused before any APDU is sent", async () => {
    const t = scriptedTransport([]);
    const big = { ...EMPTY, lfdb: new Uint8Array(256 * 247) }; // + C4 82 xxxx header = 257 blocks
    await expect(load(session(t), big)).rejects.toBeInstanceOf(LoadTooLargeError);
    expect(t.sent).toEqual([]);
    await expect(installViaGp(session(t), big)).rejects.toThrow("needs 257 LOAD blocks of 247 bytes");
    expect(t.sent).toEqual([]);
  });

  test("INSTALL [for load], then blocks, with progress after each", async () => {
    const t = scriptedTransport([
      { command: "80E602001205010203040508A00000015100000000000000", response: "009000" },
      { command: (c) => toHex(c).startsWith("80E80000F7C482012C000102"), response: "9000" },
      { command: (c) => toHex(c).startsWith("80E8800139"), response: "9000" },
    ]);
    const seen: LoadProgress[] = [];
    const r = await load(session(t), EMPTY, { onProgress: (p) => seen.push(p) });
    expect(r).toEqual({ blocks: 2, bytes: 304, blockSize: 247 });
    expect(seen).toEqual([
      { block: 1, blocks: 2, bytes: 247, totalBytes: 304 },
      { block: 2, blocks: 2, bytes: 304, totalBytes: 304 },
    ]);
  });

  test("a package already on the card says so and how to fix it", async () => {
    const t = scriptedTransport([{ command: (c) => c[1] === 0xe6, response: "6985" }]);
    await expect(load(session(t), EMPTY)).rejects.toThrow(
      "Package 0102030405 is already on the card (6985) (delete it first: webcard delete 0102030405 --force)".split(" (delete")[0]!,
    );
  });

  test("a refused LOAD names the imported package the card lacks", async () => {
    const t = scriptedTransport([
      { command: (c) => c[1] === 0xe6, response: "9000" },
      { command: (c) => c[1] === 0xe8 && c[3] === 0, response: "9000" },
      { command: (c) => c[1] === 0xe8 && c[3] === 1, response: "6A80" },
      { command: "80F22002024F0000", response: fileEntry("A0000000620101") + fileEntry("A0000000620001") + "9000" },
    ]);
    await expect(load(session(t), EMPTY)).rejects.toThrow(
      "LOAD refused with 6A80: the card lacks imported package A0000000090003FFFFFFFF8910710002 2.6",
    );
  });
});

describe("install choices", () => {
  const two: LoadFile = { ...EMPTY, applets: [{ aid: fromHex("0102030405060708") }, { aid: fromHex("0102030405060709") }] };

  test("every applet by default, instance = applet", () => {
    expect(planInstalls(two).map((p) => toHex(p.instanceAid))).toEqual(["0102030405060708", "0102030405060709"]);
  });

  test("chosen applets with instances, privileges and default", () => {
    const plan = planInstalls(two, {
      applets: [fromHex("0102030405060709")],
      instances: [fromHex("A0A0A0A0A0")],
      privileges: 0x800000,
      makeDefault: true,
    });
    expect(plan).toEqual([{ moduleAid: fromHex("0102030405060709"), instanceAid: fromHex("A0A0A0A0A0"), privileges: 0x840000 }]);
  });

  test("bad choices are usage errors", () => {
    expect(() => planInstalls(two, { applets: [fromHex("AABBCCDDEE")] })).toThrow("Applet AABBCCDDEE is not in this CAP");
    expect(() => planInstalls(two, { instances: [fromHex("A0A0A0A0A0")] })).toThrow("Got 1 instance AIDs for 2 applets");
    expect(() => planInstalls(two, { makeDefault: true })).toThrow("Only one application can be the default");
    expect(() => planInstalls({ ...EMPTY, applets: [] })).toThrow("has no applets");
  });

  test("installViaGp loads then installs with the golden INSTALL", async () => {
    const small = { ...EMPTY, lfdb: new Uint8Array(10) };
    const t = scriptedTransport([
      // The registry lookup: the package, then the planned instance, each by AID (not on the card: 6A88).
      { command: "80F2200207" + "4F050102030405" + "00", response: "6A88" },
      { command: "80F240020A" + "4F080102030405060708" + "00", response: "6A88" },
      { command: (c) => c[1] === 0xe6 && c[2] === 0x02, response: "9000" },
      { command: (c) => c[1] === 0xe8, response: "9000" },
      { command: "80E60C001E050102030405080102030405060708080102030405060708010002C9000000", response: "009000" },
    ]);
    const r = await installViaGp(session(t), small);
    expect(r.installed.map((i) => toHex(i.instanceAid))).toEqual(["0102030405060708"]);
    expect(r.load.blocks).toBe(1);
  });
});

describe("delete, lock, unlock, make default", () => {
  test("an unknown AID gives one clear line with the SW", async () => {
    const t = scriptedTransport([{ command: "80E40000074F05A0000000FF00", response: "6A88" }]);
    await expect(deleteAid(session(t), fromHex("A0000000FF"))).rejects.toThrow(
      "Application A0000000FF not found on the card (6A88)",
    );
  });

  test("a package with instances needs --force", async () => {
    const t = scriptedTransport([{ command: "80E40000074F05010203040500", response: "6985" }]);
    await expect(deleteAid(session(t), fromHex("0102030405"))).rejects.toMatchObject({
      message: "Cannot delete 0102030405: other objects depend on it (6985)",
      hint: expect.stringContaining("--force"),
    });
    const f = scriptedTransport([{ command: "80E40080074F05010203040500", response: "9000" }]);
    await deleteAid(session(f), fromHex("0102030405"), { force: true });
    expect(f.remaining()).toBe(0);
  });

  test("lock, unlock and make default send SET STATUS and INSTALL [for make selectable]", async () => {
    const t = scriptedTransport([
      { command: "80F04080080102030405060708", response: "9000" },
      { command: "80F04000080102030405060708", response: "9000" },
      { command: "80E608000F00000801020304050607080104000000", response: "9000" },
    ]);
    const aid = fromHex("0102030405060708");
    await lock(session(t), aid);
    await unlock(session(t), aid);
    await makeDefault(session(t), aid);
    expect(t.remaining()).toBe(0);
  });
});

describe("ISD discovery and info", () => {
  test("the default application's FCI is used when it is a security domain", async () => {
    const fci = tlv(0x6f, tlv(0x84, ISD), tlv(0xa5, tlv(0x73, tlv(0x06, "2A864886FC6B01")), tlv(0x9f65, "FF")));
    const t = scriptedTransport([{ command: "00A4040000", response: fci + "9000" }]);
    const isd = await discoverIsd(t);
    expect(toHex(isd.aid)).toBe(ISD);
    expect(isd.fci.maxCommandData).toBe(255);
  });

  test("else the default AIDs are tried in order", async () => {
    const t = scriptedTransport([
      { command: "00A4040000", response: "6A82" },
      { command: "00A4040008A00000015100000000", response: "6A82" },
      { command: "00A4040008A00000000300000000", response: "9000" },
    ]);
    const isd = await discoverIsd(t);
    expect(toHex(isd.aid)).toBe("A000000003000000");
    expect(isd.quirks).toEqual(["isdAtOtherAid", "selectWithoutFci"]);
  });

  test("no security domain at all is one clear line", async () => {
    const t = scriptedTransport([
      { command: "00A4040000", response: "6A82" },
      ...DEFAULT_ISD_AIDS.map(() => ({ command: () => true, response: "6A82" })),
      { command: "00A4040009A000000167413000FF00", response: "6A82" },
    ]);
    await expect(discoverIsd(t)).rejects.toThrow("No GlobalPlatform security domain answered on this card");
    expect(t.remaining()).toBe(0);
  });

  test("an explicit --isd that is absent", async () => {
    const t = scriptedTransport([{ command: "00A4040005A0000000AA00", response: "6A82" }]);
    await expect(discoverIsd(t, fromHex("A0000000AA"))).rejects.toThrow("Security domain A0000000AA not found on the card (6A82)");
  });

  test("info collects what the card has and skips what it lacks", async () => {
    const t = scriptedTransport([
      { command: "00A4040008A00000015100000000", response: "9000" },
      { command: "80CA9F7F00", response: "6A88" },
      { command: "00CA9F7F00", response: "9F7F2A" + "47".repeat(42) + "9000" },
      { command: "80CA004200", response: "42031234569000" },
      { command: "80CA004500", response: "6A88" },
      { command: "00CA004500", response: "6D00" },
      { command: "80CA006600", response: "6A88" },
      { command: "00CA006600", response: "6A88" },
      { command: "80CA00E000", response: "E006C00401308810" + "9000" },
    ]);
    const i = await info(t, { isd: fromHex(ISD) });
    expect(i.cplc?.[0]).toEqual({ name: "ICFabricator", hex: "4747" });
    expect(toHex(i.iin!)).toBe("123456");
    expect(i.cin).toBeUndefined();
    expect(i.keys).toEqual([{ id: 1, version: 0x30, components: [{ type: 0x88, length: 16 }] }]);
  });
});

test("block size: FCI 9F65 less the channel overhead, or explicit within bounds", () => {
  expect(blockSizeFor("clear")).toBe(255);
  expect(blockSizeFor("mac")).toBe(247);
  expect(blockSizeFor("enc")).toBe(239);
  expect(blockSizeFor("rmac")).toBe(239); // level 13 encrypts commands too
  expect(blockSizeFor("mac", 0x80)).toBe(120);
  expect(blockSizeFor("mac", 1024)).toBe(247);
  expect(blockSizeFor("enc", undefined, 200)).toBe(200);
  expect(() => blockSizeFor("enc", undefined, 240)).toThrow("Block size 240 does not fit a LOAD command at level enc: use 1 to 239");
});

test("an explicit block size over 255 needs an extended-length path", () => {
  expect(() => blockSizeFor("mac", undefined, 4000)).toThrow("use 1 to 247");
  expect(blockSizeFor("mac", undefined, 4000, true)).toBe(4000);
  expect(() => blockSizeFor("enc", undefined, 65_535, true)).toThrow("use 1 to 65519");
});
