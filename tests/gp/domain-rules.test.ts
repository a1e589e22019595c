/**
 * One refusal per rule the security domains enforce, on an open in-process
 * card (no secure channel needed, so each rule is tested alone): the status
 * word and the reason in the card's log, and nothing changed.
 */
import { expect, test } from "bun:test";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import type { CommandApdu } from "../../src/stack/apdu.ts";
import { deleteAid, select, setStatus } from "../../src/stack/gp/commands.ts";
import { installForExtradition, installForInstall, installForLoad, installForMakeSelectable, installForPersonalization, installForRegistryUpdate } from "../../src/stack/gp/install.ts";
import { deleteKey, putPublicKey } from "../../src/stack/gp/key-commands.ts";
import { storeData } from "../../src/stack/gp/store-data.ts";
import { fixture } from "../card/fixtures.ts";
import { installSequence } from "../card/helpers.ts";

const ISD = fromHex("A000000151000000");
const SSD = fromHex("A00000015153504101");
const SSD2 = fromHex("A00000015153504102");
const SD_PKG = fromHex("A0000001515350");
const SD_MOD = fromHex("A000000151535041");
const CAP = fixture("kaoh_helloworld.cap");
const APPLET = fromHex("D0D1D2D3D4D50101");

function card() {
  const log: string[] = [];
  const c = createSimulatedCard({ open: true, log: (l) => log.push(l) });
  c.powerOn();
  const sw = async (cmd: CommandApdu | Uint8Array) => {
    const r = await c.process(cmd instanceof Uint8Array ? cmd : cmd.toBytes());
    return toHex(r.subarray(r.length - 2));
  };
  return { c, log, sw };
}

/** A card with the applet installed by the ISD, an SSD with Authorized Management and one still INSTALLED. */
async function setup() {
  const k = card();
  for (const a of installSequence(CAP)) expect(await k.sw(a)).toBe("9000");
  expect(await k.sw(installForInstall({ packageAid: SD_PKG, moduleAid: SD_MOD, instanceAid: SSD, privileges: 0x804000 }))).toBe("9000");
  expect(await k.sw(installForInstall({ packageAid: SD_PKG, moduleAid: SD_MOD, instanceAid: SSD2, privileges: 0x800000, selectable: false }))).toBe("9000");
  return k;
}

async function refused(k: Awaited<ReturnType<typeof setup>>, cmd: CommandApdu, sw: string, reason: string) {
  const before = k.c.stateDigest();
  expect(await k.sw(cmd)).toBe(sw);
  expect(k.log.at(-1)).toContain(reason);
  expect(k.c.stateDigest()).toBe(before);
}

test("an SSD works on its own content only", async () => {
  const k = await setup();
  expect(await k.sw(select(SSD))).toBe("9000");
  await refused(k, installForLoad({ packageAid: fromHex("A0000000AA01"), securityDomainAid: ISD }), "6985", "can only load into itself");
  await refused(k, deleteAid(APPLET), "6985", "is not associated with A00000015153504101");
  await refused(k, installForInstall({ packageAid: SD_PKG, moduleAid: SD_MOD, instanceAid: fromHex("A00000015153504103"), privileges: 0x800000 }), "6985", "only the ISD creates security domains");
  await refused(k, installForRegistryUpdate({ aid: APPLET, privileges: 0 }), "6985", "only the ISD updates the registry");
  await refused(k, installForPersonalization(APPLET), "6985", "is not associated with");
  await refused(k, setStatus("isd", 0x7f, ISD), "6985", "only the ISD changes the card's life cycle");
  await refused(k, installForExtradition(ISD, APPLET), "6985", "is not associated with");
});

test("the ISD: an INSTALLED SD takes no load, an SD cannot go below itself, a security domain privilege stays as it is", async () => {
  const k = await setup();
  expect(await k.sw(select(ISD))).toBe("9000");
  await refused(k, installForLoad({ packageAid: fromHex("A0000000AA01"), securityDomainAid: SSD2 }), "6985", "is not selectable yet");
  expect(await k.sw(installForMakeSelectable(SSD2))).toBe("9000");
  expect(await k.sw(installForExtradition(SSD, SSD2))).toBe("9000");
  await refused(k, installForExtradition(SSD2, SSD), "6985", "lies below it");
  await refused(k, installForRegistryUpdate({ aid: APPLET, privileges: 0x800000 }), "6A80", "cannot be granted or taken by registry update");
  await refused(k, installForLoad({ packageAid: fromHex("A0000000AA01"), securityDomainAid: fromHex("A0000000FFFF01") }), "6A88", "is not on the card");
});

test("SET STATUS 60 locks an SSD with its applications; a locked SSD cannot be selected", async () => {
  const k = await setup();
  expect(await k.sw(installForExtradition(SSD, APPLET))).toBe("9000");
  expect(await k.sw(setStatus("domain-and-apps", 0x80, SSD))).toBe("9000");
  expect(await k.sw(select(SSD))).toBe("6A82");
  expect(await k.sw(select(APPLET))).toBe("6A82");
  expect(await k.sw(select(ISD))).toBe("9000");
  expect(await k.sw(setStatus("domain-and-apps", 0x00, SSD))).toBe("9000");
  expect(await k.sw(select(APPLET))).toBe("9000");
});

test("STORE DATA: blocks in order, the card's own objects stay the card's, DGI to an SD is refused", async () => {
  const k = await setup();
  expect(await k.sw(select(SSD))).toBe("9000");
  await refused(k, storeData(1, fromHex("4501AA"), 0x90), "6A86", "block number 1, expected 0");
  await refused(k, storeData(0, fromHex("9F7F01AA"), 0x90), "6A80", "computed by the card");
  await refused(k, storeData(0, fromHex("0101020A0B"), 0x88), "6A80", "not DGI");
  await refused(k, storeData(0, fromHex("4501AA"), 0x98), "6A86", "reserved");
  await refused(k, storeData(0, fromHex("4501AA"), 0xf0), "6A80", "in clear only");
});

test("keys: DELETE key of a key that is not there, a public key that is not on P-256", async () => {
  const k = await setup();
  expect(await k.sw(select(SSD))).toBe("9000");
  await refused(k, deleteKey({ version: 0x42 }), "6A88", "no key with version 42");
  const point = new Uint8Array(65).fill(7);
  point[0] = 4;
  await refused(k, putPublicKey({ kind: "ec", point }, 0x73), "6A80", "the public key is not valid");
});
