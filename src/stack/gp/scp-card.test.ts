import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../bytes.ts";
import { CommandApdu, ResponseApdu } from "../apdu.ts";
import type { Transport } from "../transport/transport.ts";
import { defaultKeys } from "./keys.ts";
import { CardSecureChannel, levelAllowed, type CardKeySet } from "./scp-card.ts";
import { scp02PseudoRandomChallenge, scp02SessionKeys } from "./scp02.ts";
import { scp03PseudoRandomChallenge } from "./scp03.ts";
import { openSecureChannel } from "./secure-channel.ts";

const KDD = fromHex("00010203040506070809");
const HOST = fromHex("0102030405060708");
const key = (scp: 2 | 3): CardKeySet => {
  const k = defaultKeys(scp === 3 ? "AES" : "3DES");
  return { version: 1, scp, enc: k.enc, mac: k.mac, dek: k.dek };
};

/** Relay to a CardSecureChannel, remembering the EXTERNAL AUTHENTICATE bytes. */
function relay(card: CardSecureChannel, keys: CardKeySet, seen: { auth?: Uint8Array }): Transport {
  return {
    async transmit(b) {
      if (b[1] === 0x50) return ResponseApdu.of(0x9000, card.initializeUpdate(b.subarray(5, 13), keys, 7)).toBytes();
      if (b[1] === 0x82) {
        seen.auth = b.slice();
        return ResponseApdu.of(card.externalAuthenticate(b) ? 0x9000 : 0x6982).toBytes();
      }
      const plain = card.unwrapCommand(b);
      return typeof plain === "number" ? ResponseApdu.of(plain).toBytes() : card.wrapResponse(fromHex("9000"));
    },
  };
}

describe("CardSecureChannel", () => {
  test("INITIALIZE UPDATE layouts: SCP02 28 bytes, SCP03 29 bytes, or 32 with the sequence counter", () => {
    const r2 = new CardSecureChannel({ kdd: KDD }).initializeUpdate(HOST, key(2), 0x0102);
    expect(r2.length).toBe(28);
    expect(toHex(r2.subarray(0, 14))).toBe("00010203040506070809010201 02".replace(" ", ""));
    const r3 = new CardSecureChannel({ kdd: KDD }).initializeUpdate(HOST, key(3), 5);
    expect(r3.length).toBe(29);
    expect(toHex(r3.subarray(10, 13))).toBe("010300");
    const r70 = new CardSecureChannel({ kdd: KDD, i: 0x70 }).initializeUpdate(HOST, key(3), 5);
    expect(r70.length).toBe(32);
    expect(toHex(r70.subarray(29))).toBe("000005");
  });

  test("pseudo-random card challenges follow the spec formulas", () => {
    const aid = fromHex("A000000151000000");
    const r55 = new CardSecureChannel({ kdd: KDD, i: 0x55 }).initializeUpdate(HOST, key(2), 3);
    const cmac = scp02SessionKeys(key(2), fromHex("0003")).cmac;
    expect(toHex(r55.subarray(14, 20))).toBe(toHex(scp02PseudoRandomChallenge(cmac, aid)));
    const r10 = new CardSecureChannel({ kdd: KDD, i: 0x10 }).initializeUpdate(HOST, key(3), 3);
    expect(toHex(r10.subarray(13, 21))).toBe(toHex(scp03PseudoRandomChallenge(key(3).enc, 3, aid)));
    const random = () => fromHex("AAAAAAAAAAAAAAAA");
    const r15 = new CardSecureChannel({ kdd: KDD, i: 0x15, random }).initializeUpdate(HOST, key(2), 3);
    expect(toHex(r15.subarray(14, 20))).toBe("AAAAAAAAAAAA");
  });

  test("one EXTERNAL AUTHENTICATE per INITIALIZE UPDATE; a replayed one fails", async () => {
    const card = new CardSecureChannel({ kdd: KDD, i: 0x00 });
    const seen: { auth?: Uint8Array } = {};
    const sc = await openSecureChannel(relay(card, key(3), seen), { keys: defaultKeys(), level: "enc" });
    expect(card.isOpen).toBe(true);
    expect(toHex(card.dek!)).toBe(toHex(sc.dek));
    expect(card.externalAuthenticate(seen.auth!)).toBe(false);
    expect(card.isOpen).toBe(false);
    expect(card.dek).toBeUndefined();
    expect(card.unwrapCommand(fromHex("84CA0066080000000000000000"))).toBe(0x6982);
  });

  test("the session DEK matches the terminal's for SCP02", async () => {
    const card = new CardSecureChannel({ kdd: KDD });
    const sc = await openSecureChannel(relay(card, key(2), {}), { keys: defaultKeys() });
    expect(toHex(card.dek!)).toBe(toHex(sc.dek));
    expect(toHex(sc.dek)).toBe(toHex(scp02SessionKeys(key(2), fromHex("0007")).dek));
  });

  test("a command without secure messaging under C-MAC closes the session", async () => {
    const card = new CardSecureChannel({ kdd: KDD });
    await openSecureChannel(relay(card, key(2), {}), { keys: defaultKeys() });
    expect(card.unwrapCommand(new CommandApdu({ cla: 0x80, ins: 0xca, p1: 0, p2: 0x66 }).toBytes())).toBe(0x6982);
    expect(card.isOpen).toBe(false);
  });

  test("garbage never throws", () => {
    const card = new CardSecureChannel({ kdd: KDD });
    expect(card.externalAuthenticate(fromHex("00"))).toBe(false);
    card.initializeUpdate(HOST, key(2), 1);
    expect(card.externalAuthenticate(fromHex("8482010010"))).toBe(false);
    expect(card.unwrapCommand(fromHex("84"))).toBe(0x6982);
    expect(toHex(card.wrapResponse(fromHex("9000")))).toBe("9000");
  });

  test("levels and i values", () => {
    expect(levelAllowed(2, 0x55, 0x13)).toBe(true);
    expect(levelAllowed(2, 0x55, 0x33)).toBe(false);
    expect(levelAllowed(3, 0x00, 0x13)).toBe(false);
    expect(levelAllowed(3, 0x70, 0x33)).toBe(true);
    expect(levelAllowed(3, 0x70, 0x02)).toBe(false);
    expect(() => new CardSecureChannel({ kdd: KDD, i: 0x15 }).initializeUpdate(HOST, key(3), 1)).toThrow(RangeError);
    expect(new CardSecureChannel({ kdd: KDD, i: { 2: 0x15, 3: 0x70 } }).initializeUpdate(HOST, key(3), 1)[12]).toBe(0x70);
  });
});
