/**
 * The ISD driven the way peers' tools drive it: GlobalPlatformPro's
 * discovery, registry listing (tagged and legacy GET STATUS, paging),
 * INSTALL [for load] with and without load parameters and hash, DELETE,
 * SET STATUS and make-default-selected; GPShell's load parameters. Byte
 * layouts follow GP 2.3.1 section 11; the sequences follow what those tools
 * send (GPSession.java, GPShell's library).
 */
import { test, expect } from "bun:test";
import { concat, fromHex, toHex } from "../../src/stack/bytes.ts";
import { parseRegistryEntries } from "../../src/stack/gp/registry.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { openSecureChannel } from "../../src/stack/gp/secure-channel.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { fixture } from "./fixtures.ts";
import { apdu, cmd, getStatusAll, installSequence, swOf } from "./helpers.ts";

const ISD = "A000000151000000";
const HELLO = fixture("kaoh_helloworld.cap");

function openCard(log: string[] = []) {
  const card = createSimulatedCard({ open: true, log: (l) => log.push(l) });
  card.powerOn();
  return card;
}

const lv = (b: Uint8Array) => concat(b.length, b);

/** INSTALL [for install and make selectable] of HelloWorld's applet as `instance`, as GlobalPlatformPro builds it. */
function installAs(instance: Uint8Array): Uint8Array {
  const applet = HELLO.applets[0]!.aid;
  return cmd(0x80, 0xe6, 0x0c, 0x00, concat(lv(HELLO.packageAid), lv(applet), lv(instance), lv(Uint8Array.of(0)), lv(fromHex("C900")), 0));
}

/** GP 2.1.1 legacy GET STATUS entries (GP 2.3.1 table 11-35), read the way GlobalPlatformPro reads them. */
function parseLegacy(data: Uint8Array, withModules: boolean): { aid: string; lifecycle: number; privileges: number; modules: string[] }[] {
  const out = [];
  let o = 0;
  while (o < data.length) {
    const n = data[o++]!;
    const aid = toHex(data.subarray(o, o + n));
    o += n;
    const lifecycle = data[o++]!;
    const privileges = data[o++]!;
    const modules: string[] = [];
    if (withModules) {
      const count = data[o++]!;
      for (let i = 0; i < count; i++) {
        const m = data[o++]!;
        modules.push(toHex(data.subarray(o, o + m)));
        o += m;
      }
    }
    if (o > data.length) throw new Error(`legacy entry for ${aid} runs past the data`);
    out.push({ aid, lifecycle, privileges, modules });
  }
  return out;
}

test("GlobalPlatformPro's discovery: SELECT with no AID answers the ISD's FCI", async () => {
  const card = openCard();
  const r = await apdu(card, "00A4040000");
  expect(swOf(r)).toBe("9000");
  expect(r).toStartWith(`6F4F8408${ISD}A5`);
  card.close();
});

test("GET STATUS in the legacy format (P2 00) lists the same registry as the tagged one", async () => {
  const card = openCard();
  for (const a of installSequence(HELLO)) expect(swOf(toHex(await card.process(a)))).toBe("9000");
  const legacy = async (p1: number) => {
    const parts: Uint8Array[] = [];
    let p2 = 0x00;
    for (;;) {
      const r = await card.process(cmd(0x80, 0xf2, p1, p2, fromHex("4F00"), 0));
      const sw = toHex(r.subarray(r.length - 2));
      expect(["9000", "6310"]).toContain(sw);
      parts.push(r.subarray(0, r.length - 2));
      if (sw === "9000") return concat(...parts);
      p2 = 0x01;
    }
  };
  expect(parseLegacy(await legacy(0x80), false)).toEqual([{ aid: ISD, lifecycle: 0x0f, privileges: 0x9e, modules: [] }]);
  expect(parseLegacy(await legacy(0x40), false)).toEqual([{ aid: "D0D1D2D3D4D50101", lifecycle: 0x07, privileges: 0x00, modules: [] }]);
  const files = parseLegacy(await legacy(0x20), false);
  // Load files have privileges 00 (GlobalPlatformPro refuses anything else).
  expect(files.every((f) => f.privileges === 0 && f.lifecycle === 0x01)).toBe(true);
  expect(files.map((f) => f.aid)).toContain(toHex(HELLO.packageAid));
  const withModules = parseLegacy(await legacy(0x10), true);
  expect(withModules.find((f) => f.aid === toHex(HELLO.packageAid))?.modules).toEqual(["D0D1D2D3D4D50101"]);
  // The tagged listing says the same.
  const tagged = parseRegistryEntries((await getStatusAll(card, 0x20)).data, "load-files").map((e) => toHex(e.aid));
  expect(tagged).toEqual(files.map((f) => f.aid));
  card.close();
});

test("GET STATUS pages fit a short response after R-MAC and R-ENC (SCP03 i=70)", async () => {
  const card = openCard();
  for (const a of installSequence(HELLO)) await card.process(a);
  // Instances whose tagged entries (32 bytes + AID) fill the first page to exactly 256 bytes, and more.
  const instances = [16, 16, 8, 8, 8, 8, 12, 5, 9].map((n, k) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? 0xf0 : k * 16 + i)));
  for (const i of instances) expect(swOf(toHex(await card.process(installAs(i))))).toBe("9000");
  const expected = [toHex(HELLO.applets[0]!.aid), ...instances.map(toHex)];
  for (const level of ["mac", "rmac", "renc"] as const) {
    const raw = inProcessTransport(card);
    const wire: number[] = [];
    const spy: Transport = { ...raw, transmit: async (c) => { const r = await raw.transmit(c); wire.push(r.length); return r; } };
    const sc = await openSecureChannel(spy, { keys: defaultKeys("AES"), level });
    wire.length = 0;
    const all = await getStatusAll(card, 0x40, (c) => sc.transmit(c));
    expect(all.sws.length).toBeGreaterThan(1);
    expect(parseRegistryEntries(all.data, "apps").map((e) => toHex(e.aid))).toEqual(expected);
    // A short R-APDU carries at most 256 data bytes (ISO/IEC 7816-3), MAC and padding included.
    expect(Math.max(...wire)).toBeLessThanOrEqual(258);
  }
  card.close();
});

test("INSTALL [for load] as GlobalPlatformPro sends it: with load parameters EF/C6 and a SHA-1 hash, or with neither", async () => {
  const log: string[] = [];
  const card = openCard(log);
  const aid = HELLO.packageAid;
  const isd = fromHex(ISD);
  const code = HELLO.lfdb.length;
  const params = Uint8Array.of(0xef, 0x04, 0xc6, 0x02, code >> 8, code & 0xff);
  const forLoad = cmd(0x80, 0xe6, 0x02, 0x00, concat(lv(aid), lv(isd), lv(HELLO.lfdbHash("sha1")), lv(params), 0));
  const seq = installSequence(HELLO);
  expect(swOf(toHex(await card.process(forLoad)))).toBe("9000");
  for (const a of seq.slice(1)) expect(swOf(toHex(await card.process(a)))).toBe("9000");
  // DELETE as GlobalPlatformPro sends it: 4F only, no token, P2 80 with the instances.
  expect(swOf(toHex(await card.process(cmd(0x80, 0xe4, 0x00, 0x80, concat(0x4f, lv(aid))))))).toBe("9000");
  // A wrong SHA-1 hash is caught at the last block.
  const badHash = HELLO.lfdbHash("sha1").slice();
  badHash[0]! ^= 1;
  expect(swOf(toHex(await card.process(cmd(0x80, 0xe6, 0x02, 0x00, concat(lv(aid), lv(isd), lv(badHash), 0, 0)))))).toBe("9000");
  const loads = seq.filter((a) => a[1] === 0xe8);
  const sws = [];
  for (const a of loads) sws.push(swOf(toHex(await card.process(a))));
  expect(sws.at(-1)).toBe("6A80");
  expect(log.join("\n")).toContain("hash");
  // GPShell's form: empty SD AID, load parameters with C6, C8 and C7 (volatile data, not counted in EEPROM).
  const gpshell = fromHex(`EF0CC602${code.toString(16).padStart(4, "0")}C8020100C7020100`);
  expect(swOf(toHex(await card.process(cmd(0x80, 0xe6, 0x02, 0x00, concat(lv(aid), 0, 0, lv(gpshell), 0)))))).toBe("9000");
  for (const a of seq.slice(1)) expect(swOf(toHex(await card.process(a)))).toBe("9000");
  card.close();
});

test("SET STATUS as GlobalPlatformPro sends it: applet lock P2 80 and unlock 00, card lock 7F and unlock 0F without data", async () => {
  const card = openCard();
  for (const a of installSequence(HELLO)) await card.process(a);
  const applet = HELLO.applets[0]!.aid;
  const select = cmd(0x00, 0xa4, 0x04, 0x00, applet);
  const status = async () => parseRegistryEntries((await getStatusAll(card, 0x40)).data, "apps")[0]!.lifecycle;
  expect(swOf(toHex(await card.process(cmd(0x80, 0xf0, 0x40, 0x80, applet))))).toBe("9000");
  expect(await status()).toBe(0x87);
  expect(swOf(toHex(await card.process(select)))).toBe("6A82");
  await apdu(card, `00A4040008${ISD}`);
  expect(swOf(toHex(await card.process(cmd(0x80, 0xf0, 0x40, 0x00, applet))))).toBe("9000");
  expect(await status()).toBe(0x07);
  expect(swOf(toHex(await card.process(select)))).toBe("9000");
  await apdu(card, `00A4040008${ISD}`);
  expect(swOf(await apdu(card, "80F0807F"))).toBe("9000");
  // A locked card selects only the ISD; content management waits for the unlock.
  expect(swOf(toHex(await card.process(select)))).toBe("6A82");
  await apdu(card, `00A4040008${ISD}`);
  expect(swOf(toHex(await card.process(installAs(fromHex("F001020304")))))).toBe("6985");
  expect(swOf(await apdu(card, "80F0800F"))).toBe("9000");
  expect(swOf(toHex(await card.process(installAs(fromHex("F001020304")))))).toBe("9000");
  card.close();
});
