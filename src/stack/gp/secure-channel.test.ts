import { describe, expect, test } from "bun:test";
import { concat, fromHex, toHex } from "../bytes.ts";
import { CommandApdu, ResponseApdu } from "../apdu.ts";
import { SecurityError, SwError, UsageError } from "../errors.ts";
import { send, type Transport } from "../transport/transport.ts";
import { defaultKeys, diversify, parseKeyOption, type StaticKeys } from "./keys.ts";
import { CardSecureChannel, type CardKeySet } from "./scp-card.ts";
import { openSecureChannel } from "./secure-channel.ts";
import type { SecurityLevel } from "./security-level.ts";

const KDD = fromHex("00010203040506070809");

/** An in-memory card: INITIALIZE UPDATE / EXTERNAL AUTHENTICATE through CardSecureChannel, other commands echoed reversed. */
function memoryCard(options: { scp: 2 | 3; i: number; keys?: StaticKeys; extendedLength?: boolean; kdd?: Uint8Array }) {
  const k = options.keys ?? defaultKeys(options.scp === 3 ? "AES" : "3DES");
  const keySet: CardKeySet = { version: 0x30, scp: options.scp, enc: k.enc, mac: k.mac, dek: k.dek };
  const channel = new CardSecureChannel({ kdd: options.kdd ?? KDD, i: options.i });
  const log = { sent: [] as string[], received: [] as string[], authAttempts: 0 };
  let seq = 1;
  let tamperNextResponse = false;
  const transport: Transport & { tamperNextResponse(): void } = {
    name: "memory card",
    extendedLength: options.extendedLength ?? false,
    tamperNextResponse: () => {
      tamperNextResponse = true;
    },
    async transmit(bytes) {
      log.sent.push(toHex(bytes));
      const cmd = CommandApdu.parse(bytes);
      let out: Uint8Array;
      if (cmd.ins === 0x50) {
        out = ResponseApdu.of(0x9000, channel.initializeUpdate(cmd.data, keySet, seq++)).toBytes();
      } else if (cmd.ins === 0x82) {
        log.authAttempts++;
        out = ResponseApdu.of(channel.externalAuthenticate(bytes) ? 0x9000 : 0x6982).toBytes();
      } else if (!channel.isOpen) {
        out = ResponseApdu.of(0x6982).toBytes();
      } else {
        const plain = channel.unwrapCommand(bytes);
        if (typeof plain === "number") {
          out = ResponseApdu.of(plain).toBytes();
        } else {
          log.received.push(toHex(plain));
          const p = CommandApdu.parse(plain);
          const sw = p.ins === 0xa4 ? 0x6a82 : 0x9000;
          out = channel.wrapResponse(ResponseApdu.of(sw, sw === 0x9000 ? concat(p.data.slice().reverse(), 0x42) : undefined).toBytes());
        }
      }
      if (tamperNextResponse && out.length > 2) {
        tamperNextResponse = false;
        out = out.slice();
        out[0]! ^= 0x01;
      }
      return out;
    },
  };
  return { transport, channel, log };
}

const COMMANDS = [
  new CommandApdu({ cla: 0x80, ins: 0xf2, p1: 0x80, p2: 0x02, data: fromHex("4F00"), ne: 256 }),
  new CommandApdu({ cla: 0x80, ins: 0xca, p1: 0x00, p2: 0x66, ne: 256 }),
  new CommandApdu({ cla: 0x80, ins: 0xe8, p1: 0x00, p2: 0x00, data: new Uint8Array(239).map((_, n) => n) }),
  new CommandApdu({ cla: 0x80, ins: 0xe4, p1: 0x00, p2: 0x80, data: fromHex("4F07A0000000620001") }),
];

const MATRIX: [2 | 3, number, SecurityLevel[]][] = [
  [2, 0x15, ["clear", "mac", "enc", "rmac"]],
  [2, 0x55, ["clear", "mac", "enc", "rmac"]],
  [3, 0x00, ["clear", "mac", "enc"]],
  [3, 0x10, ["clear", "mac", "enc"]],
  [3, 0x70, ["clear", "mac", "enc", "rmac", "renc"]],
];

describe("mutual authentication and secure messaging, terminal against card", () => {
  for (const [scp, i, levels] of MATRIX) {
    for (const level of levels) {
      test(`SCP0${scp} i=${i.toString(16).padStart(2, "0")} ${level}`, async () => {
        const card = memoryCard({ scp, i });
        const sc = await openSecureChannel(card.transport, { keys: defaultKeys(), level });
        expect(sc.scp).toBe(scp);
        expect(sc.keyVersion).toBe(0x30);
        expect(toHex(sc.kdd)).toBe(toHex(KDD));
        expect(card.channel.isOpen).toBe(true);
        expect(card.channel.level).toBe({ clear: 0, mac: 1, enc: 3, rmac: 0x13, renc: 0x33 }[level]);
        if (scp === 3) expect(sc.i).toBe(i);
        for (const cmd of COMMANDS) {
          const resp = await send(sc, cmd);
          expect(resp.sw).toBe(0x9000);
          expect(toHex(resp.data)).toBe(toHex(concat(cmd.data.slice().reverse(), 0x42)));
          const wire = card.log.sent.at(-1)!;
          expect(wire.slice(0, 2)).toBe(level === "clear" ? "80" : "84");
          if ((level === "enc" || level === "rmac" || level === "renc") && cmd.data.length > 4) {
            expect(wire).not.toContain(toHex(cmd.data));
          }
          expect(card.log.received.at(-1)).toBe(toHex(cmd.toBytes()));
        }
        // An error SW passes through, and the session stays in step afterwards.
        expect((await send(sc, new CommandApdu({ cla: 0x00, ins: 0xa4, p1: 4, p2: 0, data: fromHex("A0000000") }))).sw).toBe(0x6a82);
        expect((await send(sc, COMMANDS[1]!)).sw).toBe(0x9000);
      });
    }
  }

  test("SCP03 with AES-256 keys and KDF3 diversification on both sides", async () => {
    const master = parseKeyOption("0F".repeat(32));
    const card = memoryCard({ scp: 3, i: 0x70, keys: diversify(master, "kdf3", KDD) });
    const sc = await openSecureChannel(card.transport, { keys: master, kdf: "kdf3", level: "renc" });
    expect((await send(sc, COMMANDS[2]!)).sw).toBe(0x9000);
  });

  test("SCP02 with EMV-diversified card keys", async () => {
    const card = memoryCard({ scp: 2, i: 0x55, keys: diversify(defaultKeys(), "emv", KDD) });
    const sc = await openSecureChannel(card.transport, { keys: defaultKeys(), kdf: "emv", level: "enc" });
    expect(sc.kcvs.enc).toBe("C33013");
    expect((await send(sc, COMMANDS[0]!)).sw).toBe(0x9000);
  });
});

describe("failures are caught", () => {
  test("wrong key: SecurityError, and no EXTERNAL AUTHENTICATE is ever sent", async () => {
    for (const scp of [2, 3] as const) {
      const card = memoryCard({ scp, i: scp === 2 ? 0x55 : 0x00 });
      const err = await openSecureChannel(card.transport, { keys: parseKeyOption("11".repeat(16)) }).catch((e) => e);
      expect(err).toBeInstanceOf(SecurityError);
      expect(err.message).toContain("Card cryptogram does not match");
      expect(err.message).toContain("repeated failures can lock the card");
      expect(card.log.authAttempts).toBe(0);
      expect(card.log.sent.length).toBe(1);
    }
  });

  test("wrong diversification is a wrong key too", async () => {
    const card = memoryCard({ scp: 2, i: 0x55 });
    await expect(openSecureChannel(card.transport, { keys: defaultKeys(), kdf: "visa2" })).rejects.toThrow(SecurityError);
  });

  test("a tampered host cryptogram or EXTERNAL AUTHENTICATE MAC is refused by the card", async () => {
    for (const offset of [5, 5 + 8]) {
      const card = memoryCard({ scp: 3, i: 0x00 });
      const inner = card.transport;
      const tampering: Transport = {
        async transmit(bytes) {
          if (bytes[1] === 0x82) {
            bytes = bytes.slice();
            bytes[offset]! ^= 0x80;
          }
          return inner.transmit(bytes);
        },
      };
      const err = await openSecureChannel(tampering, { keys: defaultKeys() }).catch((e) => e);
      expect(err).toBeInstanceOf(SwError);
      expect(err.sw).toBe(0x6982);
      expect(card.channel.isOpen).toBe(false);
    }
  });

  test("a tampered card cryptogram stops before EXTERNAL AUTHENTICATE", async () => {
    const card = memoryCard({ scp: 2, i: 0x15 });
    const inner = card.transport;
    const tampering: Transport = {
      async transmit(bytes) {
        const r = (await inner.transmit(bytes)).slice();
        if (bytes[1] === 0x50) r[25]! ^= 0x01; // inside the card cryptogram
        return r;
      },
    };
    await expect(openSecureChannel(tampering, { keys: defaultKeys() })).rejects.toThrow("Card cryptogram does not match");
    expect(card.log.authAttempts).toBe(0);
  });

  test("a tampered command MAC closes the card's session; later commands fail", async () => {
    const card = memoryCard({ scp: 2, i: 0x55 });
    const inner = card.transport;
    let tamper = false;
    const tampering: Transport = {
      async transmit(bytes) {
        if (tamper) {
          bytes = bytes.slice();
          bytes[bytes.length - 1]! ^= 0x01;
          tamper = false;
        }
        return inner.transmit(bytes);
      },
    };
    const sc = await openSecureChannel(tampering, { keys: defaultKeys(), level: "mac" });
    tamper = true; // the last byte is the C-MAC's (no Le in this command)
    expect((await send(sc, COMMANDS[3]!)).sw).toBe(0x6982);
    expect(card.channel.isOpen).toBe(false);
    expect((await send(sc, COMMANDS[1]!)).sw).toBe(0x6982);
  });

  test("a replayed command is refused", async () => {
    const card = memoryCard({ scp: 3, i: 0x00 });
    const sc = await openSecureChannel(card.transport, { keys: defaultKeys(), level: "enc" });
    await send(sc, COMMANDS[0]!);
    const replay = fromHex(card.log.sent.at(-1)!);
    expect(toHex(await card.transport.transmit(replay))).toBe("6982");
    expect(card.channel.isOpen).toBe(false);
  });

  test("a tampered R-MAC response throws SecurityError", async () => {
    for (const [scp, i] of [[2, 0x55], [3, 0x70]] as const) {
      const card = memoryCard({ scp, i });
      const sc = await openSecureChannel(card.transport, { keys: defaultKeys(), level: "rmac" });
      card.transport.tamperNextResponse();
      await expect(send(sc, COMMANDS[0]!)).rejects.toThrow(SecurityError);
    }
  });

  test("R-MAC on a card whose i does not offer it is refused before authenticating", async () => {
    const card = memoryCard({ scp: 3, i: 0x10 });
    await expect(openSecureChannel(card.transport, { keys: defaultKeys(), level: "rmac" })).rejects.toThrow(UsageError);
    expect(card.log.authAttempts).toBe(0);
  });

  test("asking for the other protocol is a usage error before authenticating", async () => {
    const card = memoryCard({ scp: 3, i: 0x00 });
    await expect(openSecureChannel(card.transport, { keys: defaultKeys(), scp: 2 })).rejects.toThrow("use --scp 03");
    expect(card.log.authAttempts).toBe(0);
  });

  test("INITIALIZE UPDATE errors carry the SW", async () => {
    const t: Transport = { transmit: async () => fromHex("6A88") };
    await expect(openSecureChannel(t, { keys: defaultKeys(), keyVersion: 5 })).rejects.toThrow("6A88");
  });

  test("Lc limits: 247 plain bytes with C-MAC, 239 with encryption, unless extended length", async () => {
    const card = memoryCard({ scp: 2, i: 0x55 });
    const mac = await openSecureChannel(card.transport, { keys: defaultKeys(), level: "mac" });
    expect(mac.maxCommandData).toBe(247);
    expect((await send(mac, new CommandApdu({ cla: 0x80, ins: 0xe8, p1: 0, p2: 0, data: new Uint8Array(247) }))).sw).toBe(0x9000);
    await expect(send(mac, new CommandApdu({ cla: 0x80, ins: 0xe8, p1: 0, p2: 0, data: new Uint8Array(248) }))).rejects.toThrow("at most 247");
    const card3 = memoryCard({ scp: 3, i: 0x00 });
    const enc = await openSecureChannel(card3.transport, { keys: defaultKeys(), level: "enc" });
    expect(enc.maxCommandData).toBe(239);
    await expect(send(enc, new CommandApdu({ cla: 0x80, ins: 0xe8, p1: 0, p2: 0, data: new Uint8Array(240) }))).rejects.toThrow(UsageError);
    const ext = memoryCard({ scp: 3, i: 0x00, extendedLength: true });
    const big = await openSecureChannel(ext.transport, { keys: defaultKeys(), level: "enc" });
    expect((await send(big, new CommandApdu({ cla: 0x80, ins: 0xe8, p1: 0, p2: 0, data: new Uint8Array(1000) }))).sw).toBe(0x9000);
  });

  test("commands must be plain", async () => {
    const card = memoryCard({ scp: 3, i: 0x00 });
    const sc = await openSecureChannel(card.transport, { keys: defaultKeys() });
    await expect(sc.transmit(fromHex("84CA006600"))).rejects.toThrow(RangeError);
  });
});

describe("real cards' ways (stack/gp/quirks.ts)", () => {
  const master3 = parseKeyOption("0F".repeat(32));
  const cases: [string, 2 | 3, number, StaticKeys, "none" | "emv" | "visa2" | "kdf3"][] = [
    ["EMV CPS (G+D Sm@rtCafe)", 2, 0x15, defaultKeys(), "emv"],
    ["VISA2 (Gemalto)", 2, 0x55, defaultKeys(), "visa2"],
    ["KDF3 (Oberthur Cosmo)", 3, 0x70, master3, "kdf3"],
    ["none (gp23)", 3, 0x00, defaultKeys("AES"), "none"],
  ];
  for (const [name, scp, i, master, kdf] of cases) {
    test(`diversifiedKeys: the card's cryptogram chooses ${name}, with one EXTERNAL AUTHENTICATE`, async () => {
      const card = memoryCard({ scp, i, keys: diversify(master, kdf, KDD) });
      const sc = await openSecureChannel(card.transport, { keys: master });
      expect(sc.kdf).toBe(kdf);
      expect(sc.kdfFromCard).toBe(true);
      expect(card.log.authAttempts).toBe(1);
      expect(card.log.sent.filter((c) => c.startsWith("8050"))).toHaveLength(1);
    });
  }

  test("diversifiedKeys: an asked --kdf that does not match names the one that does, and sends nothing more", async () => {
    const card = memoryCard({ scp: 2, i: 0x55, keys: diversify(defaultKeys(), "emv", KDD) });
    const failure = openSecureChannel(card.transport, { keys: defaultKeys(), kdf: "visa2" });
    await expect(failure).rejects.toThrow(SecurityError);
    await failure.catch((e: SecurityError) => expect(e.hint).toBe("the card's cryptogram matches these keys with --kdf emv, not visa2"));
    expect(card.log.authAttempts).toBe(0);
  });

  test("diversifiedKeys: a KDD of all 00 (Feitian) makes EMV and VISA2 give the same keys, which is not ambiguous", async () => {
    const zero = new Uint8Array(10);
    const card = memoryCard({ scp: 2, i: 0x55, kdd: zero, keys: diversify(defaultKeys(), "emv", zero) });
    const sc = await openSecureChannel(card.transport, { keys: defaultKeys() });
    expect(["emv", "visa2"]).toContain(sc.kdf);
    expect(card.log.authAttempts).toBe(1);
  });

  test("diversifiedKeys: no derivation matches: one line listing what was tried, no EXTERNAL AUTHENTICATE", async () => {
    const card = memoryCard({ scp: 2, i: 0x55, keys: diversify(parseKeyOption("11".repeat(16)), "emv", KDD) });
    const failure = openSecureChannel(card.transport, { keys: defaultKeys() });
    await failure.catch((e: SecurityError) => expect(e.hint).toEndWith("diversification tried: none, emv, visa2"));
    await expect(failure).rejects.toThrow("Card cryptogram does not match");
    expect(card.log.authAttempts).toBe(0);
  });

  test("triesLeft: EXTERNAL AUTHENTICATE answered 63C2 says 2 tries are left", async () => {
    const card = memoryCard({ scp: 3, i: 0x00 });
    const counting: Transport = {
      async transmit(bytes) {
        const out = await card.transport.transmit(bytes);
        return bytes[1] === 0x82 ? fromHex("63C2") : out;
      },
    };
    const failure = openSecureChannel(counting, { keys: defaultKeys("AES") });
    await expect(failure).rejects.toThrow(SwError);
    await failure.catch((e: SwError) => expect(e.hint).toContain("the card says 2 tries are left before it locks"));
  });

  test("INITIALIZE UPDATE refused with 6D00 through a reader (SPTek SP44 contact, GlobalPlatformPro #15) says what to try", async () => {
    const t: Transport = { transmit: async () => fromHex("6D00") };
    const failure = openSecureChannel(t, { keys: defaultKeys() });
    await expect(failure).rejects.toThrow("6D00");
    await failure.catch((e: SwError) => expect(e.hint).toContain("try another reader, or the card's contactless interface"));
  });

  test("scp01: an SCP01 answer (Gemalto Cyberflex) is one line, and nothing follows INITIALIZE UPDATE", async () => {
    const sent: string[] = [];
    const cyberflex: Transport = {
      async transmit(bytes) {
        sent.push(toHex(bytes));
        return fromHex("0000600026101842A56B0101C3D8E4783663B864DC2C7B8F366375B49000");
      },
    };
    await expect(openSecureChannel(cyberflex, { keys: defaultKeys() })).rejects.toThrow("The card speaks SCP01, which webcard does not implement");
    expect(sent).toHaveLength(1);
  });

  test("scp02IFromCardData: an SCP02 i webcard does not implement is refused before EXTERNAL AUTHENTICATE", async () => {
    const card = memoryCard({ scp: 2, i: 0x55 });
    await expect(openSecureChannel(card.transport, { keys: defaultKeys(), scp02i: 0x1a })).rejects.toThrow("The card's SCP02 i=1A is not implemented");
    expect(card.log.authAttempts).toBe(0);
  });
});
