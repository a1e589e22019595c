/**
 * Fuzz test (seeded, bounded): random and mutated APDUs never crash the
 * card (no exception, no 6F00, always a status word), and without an
 * authenticated session they never change its persistent state (digest of
 * every table, security counters aside), nor do state-changing commands
 * inside a secure channel whose bytes were altered on the way.
 */
import { test, expect } from "bun:test";
import { concat, fromHex, toHex } from "../../src/stack/bytes.ts";
import { CommandApdu } from "../../src/stack/apdu.ts";
import { defaultKeys, StaticKeys } from "../../src/stack/gp/keys.ts";
import { openSecureChannel } from "../../src/stack/gp/secure-channel.ts";
import { putKeyCommand } from "../../src/stack/gp/put-key.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { FIXTURES, fixture } from "./fixtures.ts";
import { installSequence } from "./helpers.ts";
import { packageState } from "./registry-check.ts";
import { mutate, rng, type Rng } from "../harness/random.ts";


const CLAS = [0x00, 0x80, 0x84, 0x04, 0x0c, 0x01, 0x81, 0x90, 0xff, 0x40, 0xe0];
const INSES = [0xa4, 0xca, 0xcb, 0xf2, 0xe6, 0xe8, 0xe4, 0xf0, 0xd8, 0x50, 0x82, 0x70, 0xc0, 0xe2, 0x00, 0xb0];

const CORPUS: Uint8Array[] = [
  ...installSequence(fixture("kaoh_helloworld.cap")),
  ...installSequence(fixture("gppro_Empty_0102030405_2.2.1.cap")),
  fromHex("00A4040008A000000151000000"),
  fromHex("00A4040000"),
  fromHex("80F24002024F0000"),
  fromHex("80F22002024F0000"),
  fromHex("80F21002024F0000"),
  fromHex("80CA9F7F00"),
  fromHex("80CA00E000"),
  fromHex("8050000008000102030405060700"),
  fromHex("848201001000000000000000000000000000000000"),
  fromHex("80E40080074F050102030405"),
  fromHex("80F04080084F05D0D1D2D3D4D50101"),
  fromHex("80F0807F00"),
  fromHex("80D8008143018810AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA03AABBCC8810AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA03AABBCC8810AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA03AABBCC00"),
];


function randomApdu(r: Rng): Uint8Array {
  switch (r.int(4)) {
    case 0:
      return r.bytes(r.int(12)); // tiny and malformed
    case 1: {
      const data = r.bytes(r.int(260));
      const le = r.int(3) === 0 ? [] : [r.int(256)];
      return concat(r.pick(CLAS), r.pick(INSES), r.int(256), r.int(256), data.length & 0xff, data, ...le);
    }
    case 2: {
      // Extended length, sometimes lying about Lc.
      const data = r.bytes(r.int(600));
      const lc = r.int(4) === 0 ? r.int(65536) : data.length;
      return concat(r.pick(CLAS), r.pick(INSES), r.int(256), r.int(256), 0, lc >> 8, lc & 0xff, data);
    }
    default:
      return mutate(r, r.pick(CORPUS));
  }
}


async function exchange(card: { process(c: Uint8Array): Uint8Array | Promise<Uint8Array> }, a: Uint8Array): Promise<Uint8Array> {
  const resp = await card.process(a);
  if (resp.length < 2) throw new Error(`Response without SW to ${toHex(a)}`);
  return resp;
}

test("30,000 random and mutated APDUs on a secured card: no crash, no state change", async () => {
  const log: string[] = [];
  const card = createSimulatedCard({ log: (l) => log.push(l) });
  card.powerOn();
  const before = card.stateDigest();
  const r = rng(0x5eed);
  let unknown = 0;
  const sws = new Map<string, number>();
  for (let i = 0; i < 30_000; i++) {
    if (r.int(500) === 0) card.reset();
    const resp = await exchange(card, randomApdu(r));
    const sw = toHex(resp.subarray(resp.length - 2));
    sws.set(sw, (sws.get(sw) ?? 0) + 1);
    if (sw === "6F00") unknown++;
  }
  expect(log.filter((l) => l.startsWith("error:"))).toEqual([]);
  expect(unknown).toBe(0);
  expect(card.stateDigest()).toBe(before);
  // The fuzzer reached the card's interesting answers, not only the front door.
  for (const sw of ["9000", "6982", "6A86", "6700", "6E00", "6D00", "6881"]) expect(sws.get(sw) ?? 0).toBeGreaterThan(0);
  card.close();
}, 60_000);

test("20,000 mutated install APDUs on an open card: no crash, the registry stays consistent", async () => {
  const log: string[] = [];
  const card = createSimulatedCard({ open: true, log: (l) => log.push(l) });
  card.powerOn();
  const r = rng(0xc0ffee);
  const caps = FIXTURES.map(fixture);
  const sequences = caps.map((c) => installSequence(c));
  let unknown = 0;
  let sent = 0;
  while (sent < 20_000) {
    const k = r.int(caps.length);
    const cap = caps[k]!;
    // The real sequence in order, each APDU mutated one time in twelve, then often a DELETE to start over.
    const run = sequences[k]!.map((a) => (r.int(12) === 0 ? mutate(r, a) : a));
    if (r.int(2) === 0) run.push(concat(fromHex("80E48000"), 2 + cap.packageAid.length, 0x4f, cap.packageAid.length, cap.packageAid));
    for (const a of run) {
      if (r.int(300) === 0) card.reset();
      const resp = await exchange(card, a);
      sent++;
      if (toHex(resp.subarray(resp.length - 2)) === "6F00") unknown++;
    }
  }
  expect(log.filter((l) => l.startsWith("error:"))).toEqual([]);
  expect(unknown).toBe(0);
  // The mutations did not stop every load: packages were loaded (and refused) along the way.
  expect(log.filter((l) => l.startsWith("LOAD:") && l.includes("loaded")).length).toBeGreaterThan(0);
  expect(log.filter((l) => l.startsWith("refused: LOAD")).length).toBeGreaterThan(0);
  card.reset();
  for (const cap of caps) expect((await packageState(card, cap)).state).not.toBe("inconsistent");
  card.close();
}, 60_000);

test("3,000 state-changing commands inside a secure channel, mutated on the wire: all refused, state unchanged", async () => {
  const log: string[] = [];
  const card = createSimulatedCard({ log: (l) => log.push(l) });
  const raw = inProcessTransport(card);
  let tamper: ((wire: Uint8Array) => Uint8Array) | undefined;
  const wire: Transport = { ...raw, transmit: (c) => raw.transmit(tamper ? tamper(c) : c) };
  const keys = defaultKeys("AES");
  // Something on the card for the commands to change: HelloWorld, installed through a real session.
  const hello = fixture("kaoh_helloworld.cap");
  const setup = await openSecureChannel(wire, { keys, level: "mac" });
  for (const a of installSequence(hello, setup.maxCommandData)) expect(toHex((await setup.transmit(a)).subarray(-2))).toBe("9000");
  const before = card.stateDigest();
  const del = (aid: Uint8Array) => concat(fromHex("80E40080"), 2 + aid.length, 0x4f, aid.length, aid);
  const commands: Uint8Array[] = [
    del(hello.packageAid),
    del(hello.applets[0]!.aid),
    concat(fromHex("80F04080"), hello.applets[0]!.aid.length, hello.applets[0]!.aid),
    fromHex("80F0807F"),
    installSequence(fixture("gppro_Empty_0102030405_2.2.1.cap"))[0]!,
    putKeyCommand({ keys: new StaticKeys({ enc: keys.enc, mac: keys.enc, dek: keys.enc, version: 1, type: "AES" }), dek: keys.dek, dekType: "AES" }).toBytes(),
  ];
  const r = rng(0x5ec);
  let sent = 0;
  let unknown = 0;
  for (let n = 0; n < 3000; n++) {
    tamper = undefined;
    const sc = await openSecureChannel(wire, { keys, level: r.int(2) === 0 ? "mac" : "enc" });
    tamper = (c) => {
      // Mutate the part the C-MAC covers (header, Lc, data), never only the trailing Le; never send the original.
      const hasLe = CommandApdu.parse(c).ne !== undefined;
      const body = c.subarray(0, c.length - (hasLe ? 1 : 0));
      for (;;) {
        const m = concat(mutate(r, body), hasLe ? c.subarray(c.length - 1) : new Uint8Array(0));
        if (toHex(m) !== toHex(c)) return m;
      }
    };
    const resp = await sc.transmit(r.pick(commands));
    sent++;
    const sw = toHex(resp.subarray(-2));
    if (sw === "6F00") unknown++;
    expect(sw).not.toBe("9000");
  }
  expect(sent).toBe(3000);
  expect(unknown).toBe(0);
  expect(log.filter((l) => l.startsWith("error:"))).toEqual([]);
  expect(card.stateDigest()).toBe(before);
  // The same commands unmutated do change the card: the test could fail.
  tamper = undefined;
  const sc = await openSecureChannel(wire, { keys, level: "mac" });
  expect(toHex(await sc.transmit(commands[0]!))).toEndWith("9000");
  expect(card.stateDigest()).not.toBe(before);
  card.close();
}, 60_000);
