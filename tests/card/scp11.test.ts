/**
 * SCP11 end to end on the in-process simulated card: 11a, 11b and 11c with
 * P-256, P-384 and P-521, both levels, S8 and S16; content management through
 * the channel; and the refusals (certificate from another CA, expired, wrong
 * key usage, tampered receipt, replayed MUTUAL AUTHENTICATE), each in one line
 * with the card unchanged.
 */
import { describe, expect, test } from "bun:test";
import { createSimulatedCard, type SimulatedCard } from "../../src/card/sim.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { ResponseApdu } from "../../src/stack/apdu.ts";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { CERT_USAGE, parseCertificate, splitCertificates } from "../../src/stack/gp/scp11/certificate.ts";
import { CURVES, generateEcKey, type Curve } from "../../src/stack/gp/scp11/curves.ts";
import { generateOce } from "../../src/stack/gp/scp11/oce.ts";
import { openScp11Channel, type Scp11Options } from "../../src/stack/gp/scp11/open.ts";
import type { Scp11Variant } from "../../src/stack/gp/scp11/handshake.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { installSequence } from "./helpers.ts";
import { fixture, FIXTURES } from "./fixtures.ts";

const ISD = "A000000151000000";
const selectIsd = fromHex(`00A4040008${ISD}00`);

function setup(curve: Curve, macLength: 8 | 16 = 8) {
  const ca = generateEcKey(curve);
  const log: string[] = [];
  const card = createSimulatedCard({ scp11: { curve, variants: ["a", "b", "c"], ca, macLength }, log: (l) => log.push(l) });
  const oce = generateOce({ ca });
  return { ca, card, log, oce };
}

async function open(card: SimulatedCard, options: Scp11Options, wrap?: (t: Transport) => Transport): Promise<Awaited<ReturnType<typeof openScp11Channel>>> {
  const t = inProcessTransport(card);
  await t.transmit(selectIsd);
  return openScp11Channel(wrap ? wrap(t) : t, options);
}

async function send(t: Transport, hex: string): Promise<ResponseApdu> {
  return ResponseApdu.parse(await t.transmit(fromHex(hex)));
}

const variants: Scp11Variant[] = ["a", "b", "c"];
const matrix = Object.values(CURVES).flatMap((curve) =>
  variants.flatMap((variant) => (["mac", "enc"] as const).map((level) => ({ curve, variant, level, name: `SCP11${variant} ${curve.name} ${level}` }))),
);

describe.each(matrix)("$name", ({ curve, variant, level }) => {
  test("opens, verifies the card's chain, and the card answers GET STATUS under the channel", async () => {
    const { ca, card, oce } = setup(curve);
    const ch = await open(card, { variant, level, ca, ...(variant === "b" ? {} : { oce: { key: oce.key, certificates: [oce.certificate] } }) });
    expect(ch.verified).toBe(true);
    expect(ch.levelByte).toBe(level === "enc" ? 0x33 : 0x11);
    const r = await send(ch, "80F28002024F0000");
    expect(toHex(Uint8Array.of(r.sw >> 8, r.sw & 0xff))).toBe("9000");
    expect(toHex(r.data)).toContain(ISD);
  });
});

describe("SCP11 sessions", () => {
  test("S16 mode and AES-256 session keys", async () => {
    const { ca, card, oce } = setup(CURVES["P-256"], 16);
    const ch = await open(card, { variant: "a", level: "enc", ca, macLength: 16, keyLength: 32, oce: { key: oce.key, certificates: [oce.certificate] } });
    expect((await send(ch, "80F28002024F0000")).sw).toBe(0x9000);
  });

  test("a fixture installs, lists and deletes under SCP11a with encryption", async () => {
    const { ca, card, oce } = setup(CURVES["P-384"]);
    const ch = await open(card, { variant: "a", level: "enc", ca, oce: { key: oce.key, certificates: [oce.certificate] } });
    const cap = fixture(FIXTURES[0]!);
    for (const c of installSequence(cap, ch.maxCommandData)) expect((await send(ch, toHex(c))).sw).toBe(0x9000);
    const aid = toHex(cap.packageAid);
    const n = (x: number) => x.toString(16).padStart(2, "0");
    const search = `80F21002${n(aid.length / 2 + 2)}4F${n(aid.length / 2)}${aid}00`;
    const listed = await send(ch, search);
    expect(listed.sw).toBe(0x9000);
    expect(toHex(listed.data)).toContain(aid);
    const del = await send(ch, `80E40080${n(aid.length / 2 + 2)}4F${n(aid.length / 2)}${aid}00`);
    expect(del.sw).toBe(0x9000);
    expect((await send(ch, search)).sw).toBe(0x6a88);
  });

  test("the card's key information lists the SCP11 keys (B1 private scalar length, F0)", async () => {
    const { card } = setup(CURVES["P-384"]);
    const t = inProcessTransport(card);
    await t.transmit(selectIsd);
    const r = await send(t, "80CA00E000");
    expect(toHex(r.data)).toContain("C0061301B130F001");
  });

  test("without a CA key the card's key is used unverified, and says so", async () => {
    const { card } = setup(CURVES["P-256"]);
    const ch = await open(card, { variant: "b" });
    expect(ch.verified).toBe(false);
    expect((await send(ch, "80F28002024F0000")).sw).toBe(0x9000);
  });

  test("the card refuses content management before SCP11 authenticates, and SCP03 still works beside it", async () => {
    const { card } = setup(CURVES["P-256"]);
    const t = inProcessTransport(card);
    await t.transmit(selectIsd);
    expect((await send(t, "80F28002024F0000")).sw).toBe(0x6982);
    expect((await send(t, "8050000008" + "0102030405060708" + "00")).sw).toBe(0x9000);
  });
});

describe("SCP11 refusals: one line each, nothing changed on the card", () => {
  const curve = CURVES["P-256"];

  async function refused(make: (s: ReturnType<typeof setup>) => Promise<unknown>, cardLine: RegExp, hostMessage: RegExp) {
    const s = setup(curve);
    const before = s.card.stateDigest();
    const error = await make(s).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(hostMessage);
    expect(error!.message).not.toContain("\n");
    if (cardLine.source !== "^$") expect(s.log.filter((l) => l.startsWith("refused:")).join("\n")).toMatch(cardLine);
    expect(s.card.stateDigest()).toBe(before);
    // And the card still opens a proper session afterwards.
    const ch = await open(s.card, { variant: "a", ca: s.ca, oce: { key: s.oce.key, certificates: [s.oce.certificate] } });
    expect((await send(ch, "80F28002024F0000")).sw).toBe(0x9000);
  }

  test("an OCE certificate from another CA", async () => {
    await refused(
      ({ card, ca }) => {
        const other = generateOce({ ca: generateEcKey(curve) });
        return open(card, { variant: "a", ca, oce: { key: other.key, certificates: [other.certificate] } });
      },
      /PERFORM SECURITY OPERATION: 6A80.*not by the trusted CA/,
      /PERFORM SECURITY OPERATION.*6A80/,
    );
  });

  test("an expired OCE certificate", async () => {
    await refused(
      ({ card, ca }) => {
        const old = generateOce({ ca, days: -1 });
        return open(card, { variant: "c", ca, oce: { key: old.key, certificates: [old.certificate] } });
      },
      /PERFORM SECURITY OPERATION: 6A80.*expired/,
      /PERFORM SECURITY OPERATION.*6A80/,
    );
  });

  test("an OCE certificate with the wrong key usage", async () => {
    await refused(
      ({ card, ca }) => {
        const signer = generateOce({ ca, keyUsage: CERT_USAGE.SIGNATURE_VERIFICATION });
        return open(card, { variant: "a", ca, oce: { key: signer.key, certificates: [signer.certificate] } });
      },
      /PERFORM SECURITY OPERATION: 6A80.*key usage 82/,
      /PERFORM SECURITY OPERATION.*6A80/,
    );
  });

  test("a card certificate from another CA (the terminal refuses before sending anything)", async () => {
    await refused(
      ({ card, oce }) => open(card, { variant: "a", ca: generateEcKey(curve), oce: { key: oce.key, certificates: [oce.certificate] } }),
      /^$/,
      /not by the trusted CA/,
    );
  });

  test("a tampered receipt", async () => {
    await refused(
      ({ card, ca, oce }) =>
        open(card, { variant: "a", ca, oce: { key: oce.key, certificates: [oce.certificate] } }, (t) => ({
          ...t,
          async transmit(bytes) {
            const answer = await t.transmit(bytes);
            // Flip one bit of the receipt in the MUTUAL AUTHENTICATE answer (86 10 <receipt> 90 00).
            if (bytes[1] === 0x82) answer[answer.length - 3]! ^= 0x01;
            return answer;
          },
        })),
      /^$/,
      /receipt does not verify/,
    );
  });

  test("a replayed MUTUAL AUTHENTICATE (SCP11c, where a replay would otherwise rebuild the same keys)", async () => {
    const s = setup(curve);
    const recorded: Uint8Array[] = [];
    const ch = await open(s.card, { variant: "c", ca: s.ca, oce: { key: s.oce.key, certificates: [s.oce.certificate] } }, (t) => ({
      ...t,
      async transmit(bytes) {
        recorded.push(bytes.slice());
        return t.transmit(bytes);
      },
    }));
    // A content management command of that session, recorded too: the install's first command.
    const cap = fixture(FIXTURES[0]!);
    expect(ResponseApdu.parse(await ch.transmit(installSequence(cap)[0]!)).sw).toBe(0x9000);
    s.card.powerOff();
    const t = inProcessTransport(s.card);
    await t.transmit(selectIsd);
    // After power-on (which discards the unfinished load), before the replay.
    const before = s.card.stateDigest();
    const answers: string[] = [];
    for (const b of recorded) answers.push(toHex(await t.transmit(b)).slice(-4));
    // GET DATA and PERFORM SECURITY OPERATION pass (public data); MUTUAL AUTHENTICATE and the install do not.
    expect(answers).toEqual(["9000", "9000", "6982", "6982"]);
    expect(s.log.filter((l) => l.startsWith("refused: MUTUAL AUTHENTICATE"))).toEqual([
      "refused: MUTUAL AUTHENTICATE: 6982 (Security status not satisfied): this ePK.OCE opened a session before: a replayed authenticate command",
    ]);
    expect(s.card.stateDigest()).toBe(before);
  });

  test("a verified OCE certificate does not outlive a new selection", async () => {
    const s = setup(curve);
    const recorded: Uint8Array[] = [];
    await open(s.card, { variant: "a", ca: s.ca, oce: { key: s.oce.key, certificates: [s.oce.certificate] } }, (t) => ({
      ...t,
      async transmit(bytes) {
        recorded.push(bytes.slice());
        return t.transmit(bytes);
      },
    }));
    const [, pso] = recorded;
    const t = inProcessTransport(s.card);
    await t.transmit(selectIsd);
    expect(toHex(await t.transmit(pso!))).toBe("9000");
    // The OCE certificate was accepted, then the ISD selected again: MUTUAL AUTHENTICATE finds no OCE key.
    await t.transmit(selectIsd);
    expect(toHex(await t.transmit(recorded[2]!)).slice(-4)).toBe("6985");
    expect(s.log.at(-1)).toMatch(/no verified OCE certificate/);
  });

  test("the card's store holds its GP certificate chain", async () => {
    const { card } = setup(CURVES["P-521"]);
    const t = inProcessTransport(card);
    await t.transmit(selectIsd);
    const r = await send(t, "80CABF2106A60483021101" + "00");
    const [cert] = splitCertificates(r.data);
    expect(parseCertificate(cert!).publicKey.curve.name).toBe("P-521");
  });
});
