/** Mutual authentication from the stack's host side against the simulated card, SCP02 and SCP03, every level. */
import { describe, test, expect } from "bun:test";
import { concat, fromHex, toHex } from "../../src/stack/bytes.ts";
import { CommandApdu } from "../../src/stack/apdu.ts";
import { defaultKeys, StaticKeys } from "../../src/stack/gp/keys.ts";
import { openSecureChannel } from "../../src/stack/gp/secure-channel.ts";
import type { SecurityLevel } from "../../src/stack/gp/security-level.ts";
import { putKeyCommand } from "../../src/stack/gp/put-key.ts";
import { parseRegistryEntries } from "../../src/stack/gp/registry.ts";
import { scp02SessionKeys } from "../../src/stack/gp/scp02.ts";
import { kcvHex } from "../../src/stack/crypto/kcv.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { fixture } from "./fixtures.ts";
import { cmd, getStatusAll, installSequence } from "./helpers.ts";

const LEVELS: Record<2 | 3, SecurityLevel[]> = { 2: ["clear", "mac", "enc", "rmac"], 3: ["clear", "mac", "enc", "rmac", "renc"] };

function card(scp: 2 | 3, log: string[] = []) {
  return createSimulatedCard({ scp, log: (l) => log.push(l) });
}

/** The install sequence re-cut into LOAD blocks that fit the level. */
function sequenceFor(level: number) {
  return installSequence(fixture("kaoh_helloworld.cap"), level);
}

for (const scp of [2, 3] as const) {
  describe(`SCP0${scp}`, () => {
    for (const level of LEVELS[scp]) {
      test(`mutual authentication at level ${level}, then a full install`, async () => {
        const log: string[] = [];
        const c = card(scp, log);
        const t = inProcessTransport(c);
        const sc = await openSecureChannel(t, { keys: defaultKeys(scp === 2 ? "3DES" : "AES"), scp, level });
        expect(sc.scp).toBe(scp);
        expect(sc.i).toBe(scp === 2 ? 0x55 : 0x70);
        const sws: string[] = [];
        for (const a of sequenceFor(sc.maxCommandData)) {
          const r = await sc.transmit(a);
          sws.push(toHex(r.subarray(r.length - 2)));
        }
        if (level === "clear") {
          // Authenticated without C-MAC: content management still needs C-MAC.
          expect(sws[0]).toBe("6982");
        } else {
          expect(sws.every((s) => s === "9000")).toBe(true);
          const apps = await getStatusAll(c, 0x40, (x) => sc.transmit(x));
          expect(parseRegistryEntries(apps.data, "apps").map((e) => toHex(e.aid))).toEqual(["D0D1D2D3D4D50101"]);
        }
        c.close();
      });
    }

    test("content management without a secure channel answers 6982 with a reason in the log", async () => {
      const log: string[] = [];
      const c = card(scp, log);
      c.powerOn();
      const seq = sequenceFor(247);
      for (const a of [seq[0]!, cmd(0x80, 0xe4, 0, 0x80, fromHex("4F050102030405")), cmd(0x80, 0xf0, 0x80, 0x7f)]) {
        expect(toHex(await c.process(a))).toBe("6982");
      }
      expect(log.at(-1)).toContain("needs a secure channel with at least C-MAC");
      // GET STATUS too (a SECURED card shows its registry to an authenticated terminal only).
      expect(toHex(await c.process(fromHex("80F24002024F0000")))).toBe("6982");
      c.close();
    });

    test("a wrong C-MAC closes the session", async () => {
      const c = card(scp);
      const t = inProcessTransport(c);
      await openSecureChannel(t, { keys: defaultKeys(scp === 2 ? "3DES" : "AES"), level: "mac" });
      const forged = concat(fromHex("84F24002 0A 4F00"), new Uint8Array(8));
      forged[4] = 10;
      expect(toHex(await t.transmit(forged))).toBe("6982");
      expect(toHex(await t.transmit(fromHex("80F24002024F0000")))).toBe("6982");
      c.close();
    });
  });
}

test("failed EXTERNAL AUTHENTICATE attempts are counted and lock the ISD at the limit, across power cycles", async () => {
  const log: string[] = [];
  const c = createSimulatedCard({ maxAuthFailures: 3, log: (l) => log.push(l) });
  c.powerOn();
  const init = fromHex("8050000008000102030405060700");
  const badAuth = fromHex("848201001000000000000000000000000000000000");
  for (let i = 0; i < 3; i++) {
    expect(toHex(await c.process(init))).toEndWith("9000");
    expect(toHex(await c.process(badAuth))).toBe("6300");
    c.reset();
  }
  expect(toHex(await c.process(init))).toBe("6983");
  expect(log.at(-1)).toContain("the ISD is locked after 3 failed EXTERNAL AUTHENTICATE");
  await expect(openSecureChannel(inProcessTransport(c), { keys: defaultKeys("AES") })).rejects.toThrow("6983");
  c.close();
});

test("a successful authentication resets the failure count", async () => {
  const c = createSimulatedCard({ maxAuthFailures: 2 });
  c.powerOn();
  const init = fromHex("8050000008000102030405060700");
  expect(toHex(await c.process(init))).toEndWith("9000");
  expect(toHex(await c.process(fromHex("848201001000000000000000000000000000000000")))).toBe("6300");
  await openSecureChannel(inProcessTransport(c), { keys: defaultKeys("AES") });
  expect(toHex(await c.process(init))).toEndWith("9000");
  expect(toHex(await c.process(fromHex("848201001000000000000000000000000000000000")))).toBe("6300");
  expect(toHex(await c.process(init))).toEndWith("9000"); // one failure since the success: not locked
  c.close();
});

describe("PUT KEY", () => {
  for (const scp of [2, 3] as const) {
    test(`SCP0${scp}: a new key set replaces the factory keys, KCVs are checked`, async () => {
      const c = card(scp);
      const type = scp === 2 ? "3DES" : "AES";
      const sc = await openSecureChannel(inProcessTransport(c), { keys: defaultKeys(type), level: "mac" });
      const k = fromHex("00112233445566778899AABBCCDDEEFF");
      const keys = new StaticKeys({ enc: k, mac: k, dek: k, version: 1, type });
      const put = putKeyCommand({ keys, dek: sc.dek, dekType: type });
      // A corrupted KCV is refused with 9485 and changes nothing.
      const bad = put.data.slice();
      bad[bad.length - 1]! ^= 0xff;
      expect(toHex(await sc.transmit(put.with({ data: bad }).toBytes()))).toBe("9485");
      // The session survives a refusal; the right command succeeds and answers version + KCVs.
      const sc2 = await openSecureChannel(inProcessTransport(c), { keys: defaultKeys(type), level: "mac" });
      const r = await sc2.transmit(putKeyCommand({ keys, dek: sc2.dek, dekType: type }).toBytes());
      expect(toHex(r)).toBe(`01${keys.kcvs.enc}${keys.kcvs.mac}${keys.kcvs.dek}9000`);
      // The factory keys no longer open a session; the new ones do.
      await expect(openSecureChannel(inProcessTransport(c), { keys: defaultKeys(type) })).rejects.toThrow();
      const sc3 = await openSecureChannel(inProcessTransport(c), { keys, level: "mac" });
      expect(sc3.keyVersion).toBe(1);
      const info = await sc3.transmit(new CommandApdu({ cla: 0x80, ins: 0xca, p1: 0, p2: 0xe0, ne: 256 }).toBytes());
      expect(toHex(info)).toStartWith(`E012C00401018${scp === 2 ? "0" : "8"}10`);
      c.close();
    });
  }
});

describe("every i the card offers (SCP02 15 and 55, SCP03 00, 10 and 70)", () => {
  const CASES: [2 | 3, number, number][] = [
    [2, 0x15, 28],
    [2, 0x55, 28],
    [3, 0x00, 29],
    [3, 0x10, 32],
    [3, 0x70, 32],
  ];
  for (const [scp, i, length] of CASES) {
    const hexI = toHex(Uint8Array.of(i));
    test(`SCP0${scp} i=${hexI}: announced in card data, INITIALIZE UPDATE of ${length} bytes, C-MAC + C-DEC install`, async () => {
      const c = createSimulatedCard({ scp, i: { [scp]: i } });
      c.powerOn();
      const type = scp === 2 ? "3DES" : "AES";
      // Card recognition data: the SCP OID 1.2.840.114283.4.<scp>.<i>.
      expect(toHex(await c.process(fromHex("80CA006600")))).toContain(`06092A864886FC6B040${scp}${hexI}`);
      const init = toHex(await c.process(fromHex("8050000008010203040506070800")));
      expect(init.slice(-4)).toBe("9000");
      expect(init.length / 2 - 2).toBe(length);
      expect(init.slice(22, 24)).toBe(`0${scp}`);
      if (scp === 3) expect(init.slice(24, 26)).toBe(hexI);
      // SCP02 does not announce i in INITIALIZE UPDATE: the terminal takes it from the card data, as above.
      const sc = await openSecureChannel(inProcessTransport(c), { keys: defaultKeys(type), level: "enc", ...(scp === 2 ? { scp02i: i } : {}) });
      expect(sc.i).toBe(i);
      const sws: string[] = [];
      for (const a of sequenceFor(sc.maxCommandData)) sws.push(toHex((await sc.transmit(a)).subarray(-2)));
      expect(sws.every((s) => s === "9000")).toBe(true);
      // R-MAC and R-ENC only where i offers them (SCP03: bits 20 and 40).
      if (scp === 3 && !(i & 0x20)) await expect(openSecureChannel(inProcessTransport(c), { keys: defaultKeys(type), level: "rmac" })).rejects.toThrow();
      if (scp === 3 && i & 0x40) await openSecureChannel(inProcessTransport(c), { keys: defaultKeys(type), level: "renc" });
      c.close();
    });
  }
});

test("card-side known answer (REFERENCE.md section 4): at sequence counter 0000 the SCP02 card decrypts PUT KEY with the session DEK of KCV 85272E", async () => {
  const c = card(2);
  const statics = defaultKeys("3DES");
  const dek = scp02SessionKeys(statics, fromHex("0000")).dek;
  expect(kcvHex(dek, "3DES")).toBe("85272E");
  await openSecureChannel(inProcessTransport(c), { keys: statics, level: "mac" });
  const sc = await openSecureChannel(inProcessTransport(c), { keys: statics, level: "mac" });
  // The second session runs at sequence 0001: a key set encrypted with the 0000 DEK is refused there.
  const k = fromHex("00112233445566778899AABBCCDDEEFF");
  const keys = new StaticKeys({ enc: k, mac: k, dek: k, version: 1, type: "3DES" });
  expect(toHex(await sc.transmit(putKeyCommand({ keys, dek, dekType: "3DES" }).toBytes()))).not.toEndWith("9000");
  c.close();
  const fresh = card(2);
  const first = await openSecureChannel(inProcessTransport(fresh), { keys: statics, level: "mac" });
  const r = toHex(await first.transmit(putKeyCommand({ keys, dek, dekType: "3DES" }).toBytes()));
  expect(r).toBe(`01${keys.kcvs.enc}${keys.kcvs.mac}${keys.kcvs.dek}9000`);
  fresh.close();
});
