/**
 * PERFORM SECURITY OPERATION by command chaining (ISO/IEC 7816-4 5.3.3, GP
 * amendment F 7.3): a P-384 or P-521 OCE certificate does not fit a short
 * APDU, so a path without extended-length APDUs sends it in pieces (CLA 90,
 * then 80), and the card joins them; a chain that breaks the rules is
 * refused in one log line with the card unchanged.
 */
import { describe, expect, test } from "bun:test";
import { createSimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { CHAIN_LIMIT } from "../../src/card/core/scp11-session.ts";
import { ResponseApdu } from "../../src/stack/apdu.ts";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { CURVES, generateEcKey } from "../../src/stack/gp/scp11/curves.ts";
import { generateOce } from "../../src/stack/gp/scp11/oce.ts";
import { openScp11Channel } from "../../src/stack/gp/scp11/open.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";

const selectIsd = fromHex("00A4040008A00000015100000000");

function setup(curve = CURVES["P-521"]) {
  const ca = generateEcKey(curve);
  const log: string[] = [];
  const card = createSimulatedCard({ scp11: { curve, variants: ["a", "c"], ca }, log: (l) => log.push(l) });
  return { card, log, oce: generateOce({ ca }) };
}

/** A short-APDU-only path that records what it sends. */
function shortOnly(t: Transport, sent: Uint8Array[]): Transport {
  return { ...t, extendedLength: false, transmit: (b) => (sent.push(b), t.transmit(b)) };
}

async function send(t: Transport, hex: string): Promise<number> {
  return ResponseApdu.parse(await t.transmit(fromHex(hex))).sw;
}

const n = (x: number) => toHex(Uint8Array.of(x));

describe.each(["a", "c"] as const)("SCP11%s on P-521 over short APDUs only", (variant) => {
  test("the OCE certificate goes in chained pieces and the session opens", async () => {
    const { card, oce } = setup();
    expect(oce.certificate.length).toBeGreaterThan(255);
    const t = inProcessTransport(card);
    await t.transmit(selectIsd);
    const sent: Uint8Array[] = [];
    const ch = await openScp11Channel(shortOnly(t, sent), { variant, oce: { key: oce.key, certificates: [oce.certificate] } });
    const pso = sent.filter((c) => c[1] === 0x2a);
    expect(pso.map((c) => n(c[0]!))).toEqual(["90", "80"]);
    expect(pso.every((c) => c[4]! > 0 && c.length === 5 + c[4]!)).toBe(true); // short APDUs, no Le
    expect(toHex(new Uint8Array(pso.flatMap((c) => [...c.subarray(5)])))).toBe(toHex(oce.certificate));
    expect(ResponseApdu.parse(await ch.transmit(fromHex("80F28002024F0000"))).sw).toBe(0x9000);
  });
});

describe("chains the card refuses", () => {
  test(`a chained certificate over ${CHAIN_LIMIT} bytes: 6A80, one log line, card unchanged`, async () => {
    const { card, log } = setup();
    const before = card.stateDigest();
    const t = inProcessTransport(card);
    await t.transmit(selectIsd);
    const piece = "AB".repeat(255);
    let last = 0;
    for (let i = 0; i * 255 <= CHAIN_LIMIT; i++) last = await send(t, `902A0110FF${piece}`);
    expect(last).toBe(0x6a80);
    expect(log.filter((l) => l.startsWith("refused:"))).toEqual([`refused: PERFORM SECURITY OPERATION: 6A80 (Incorrect parameters in the command data field): chained certificate over ${CHAIN_LIMIT} bytes`]);
    expect(card.stateDigest()).toBe(before);
  });

  test("P1 P2 changed within a chain: 6A86", async () => {
    const { card, log } = setup();
    const t = inProcessTransport(card);
    await t.transmit(selectIsd);
    expect(await send(t, "902A011003010203")).toBe(0x9000);
    expect(await send(t, "802A811003040506")).toBe(0x6a86);
    expect(log.at(-1)).toContain("a chained command changed P1 P2 before the chain ended");
  });

  test("a new selection forgets a half-sent chain: the rest alone is not a certificate", async () => {
    const { card, oce } = setup();
    const t = inProcessTransport(card);
    await t.transmit(selectIsd);
    const cert = toHex(oce.certificate);
    expect(await send(t, `902A0110FF${cert.slice(0, 510)}`)).toBe(0x9000);
    await t.transmit(selectIsd);
    const rest = cert.slice(510);
    expect(await send(t, `802A0110${n(rest.length / 2)}${rest}`)).toBe(0x6a80);
  });

  test("another command in between ends the chain: the rest alone is not a certificate", async () => {
    const { card, oce } = setup();
    const t = inProcessTransport(card);
    await t.transmit(selectIsd);
    const cert = toHex(oce.certificate);
    expect(await send(t, `902A0110FF${cert.slice(0, 510)}`)).toBe(0x9000);
    expect(await send(t, "80CA006600")).toBe(0x9000);
    const rest = cert.slice(510);
    expect(await send(t, `802A0110${n(rest.length / 2)}${rest}`)).toBe(0x6a80);
  });

  test("a card without SCP11 takes no chaining: 6884", async () => {
    const card = createSimulatedCard();
    const t = inProcessTransport(card);
    await t.transmit(selectIsd);
    expect(await send(t, "902A011003010203")).toBe(0x6884);
  });
});
