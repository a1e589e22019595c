/**
 * The simulated card answers as its profile says (docs/profiles.md): ATR,
 * ISD AID and FCI, INITIALIZE UPDATE layout, GET DATA, GET STATUS formats and
 * paging, T=0 procedure bytes. Each against gp23, the card before profiles.
 */
import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../../stack/bytes.ts";
import { createSimulatedCard, type SimulatedCard } from "../sim.ts";
import { profileNamed } from "./catalogue.ts";
import { parseTlvs } from "../../stack/tlv.ts";
import { withIsoResponses } from "../../stack/transport/get-response.ts";
import { inProcessTransport } from "../in-process.ts";
import type { Transport } from "../../stack/transport/transport.ts";

/** Raw: what the card answers, 61xx / 6Cxx included on T=0. */
async function raw(card: SimulatedCard, hex: string): Promise<string> {
  return toHex(await card.process(fromHex(hex)));
}

/** As a terminal sees it after ISO 7816-4 response handling (GET RESPONSE on 61xx, Le fixed on 6Cxx). */
async function send(card: SimulatedCard, hex: string): Promise<string> {
  let t = terminals.get(card);
  if (!t) terminals.set(card, (t = withIsoResponses(inProcessTransport(card))));
  return toHex(await t.transmit(fromHex(hex)));
}
const terminals = new WeakMap<SimulatedCard, Transport>();

function card(name: string, open = false): SimulatedCard {
  const c = createSimulatedCard({ profile: profileNamed(name), open });
  c.powerOn();
  return c;
}

describe("ATR, ISD and FCI", () => {
  test("gp23 keeps the card as it was", async () => {
    const c = card("gp23");
    expect(toHex(c.atr())).toStartWith("3B888001" + toHex(new TextEncoder().encode("WEBCARD1")));
    const fci = await send(c, "00A4040000");
    expect(fci).toStartWith("6F");
    expect(fci).toContain("8408A000000151000000");
    expect(fci).toContain("600C060A2A864886FC6B02020301"); // GP 2.3.1
    expect(fci).toEndWith("9F6501FF9000");
  });

  test("jcop242: its ATR, and its FCI in its order 9F65, 9F6E, 73 with GP 2.2 (apdu4j test.dump)", async () => {
    const c = card("jcop242");
    expect(toHex(c.atr())).toBe("3BF91300008131FE454A434F503234325232A3");
    const fci = await send(c, "00A4040000");
    expect(fci).toStartWith("6F648408A000000151000000A5589F6501FF9F6E06479120813B00734906072A864886FC6B01600B06092A864886FC6B020202");
    expect(fci).toEndWith("9000");
  });

  test("cosmo-v8: the 7-byte ISD AID; sce60: A000000003000000 with no 73 (minimal FCI)", async () => {
    expect(await send(card("cosmo-v8"), "00A4040000")).toStartWith("6F");
    expect(await send(card("cosmo-v8"), "00A4040007A000000151000000")).toContain("8407A0000001510000");
    expect(await send(card("sce60"), "00A4040000")).toBe("6F108408A000000003000000A5049F6501FF9000");
  });

  test("jcop3-secid sends no FCI when SELECT has no Le (fdsm PR#23), and its FCI with Le; gp23 sends it either way", async () => {
    expect(await raw(card("jcop3-secid"), "00A4040008A000000151000000")).toBe("9000");
    expect(await raw(card("jcop3-secid"), "00A4040008A00000015100000000")).toBe("6F108408A000000151000000A5049F6501FF9000");
    expect(await raw(card("gp23"), "00A4040008A000000151000000")).toStartWith("6F");
  });

  test("idcore30: its ISD A000000018434D00 answers the default SELECT, with 9F6E", async () => {
    expect(await send(card("idcore30"), "00A4040000")).toMatch(/^6F..8408A000000018434D00A5.*9F6E061291535602009F6501FF9000$/);
  });

  test("sysmo-usim: 9F65 FE (254) and the LOAD limit that goes with it", async () => {
    expect(await send(card("sysmo-usim"), "00A4040000")).toEndWith("9F6E01079F6501FE9000");
  });
});

describe("INITIALIZE UPDATE layout", () => {
  const layout = async (name: string) => {
    const r = await send(card(name), "80500000081122334455667788");
    return { length: r.length / 2 - 2, kdd: r.slice(0, 20), kvn: r.slice(20, 22), scp: r.slice(22, 24), i: r.slice(24, 26) };
  };
  test.each([
    ["jcop242", 28, "00002334008824964662", "01", "02"],
    ["feitian-a22", 28, "00000000000000000000", "FF", "02"],
    ["sysmo-isim", 28, undefined, "70", "02"],
    ["nokia-6131", 28, undefined, "2A", "02"],
    ["sce60", 29, "00001248950019F73870", "01", "03"],
    ["cosmo-v8", 32, "149480576000078C0100", "01", "03"],
  ] as const)("%s: %d bytes, KVN and SCP as the trace shows", async (name, length, kdd, kvn, scp) => {
    const l = await layout(name);
    expect(l.length).toBe(length);
    if (kdd) expect(l.kdd).toBe(kdd);
    expect([l.kvn, l.scp]).toEqual([kvn, scp]);
  });

  test("sysmo-isim: INITIALIZE UPDATE naming key version 03 answers 6A88 (GPP#253)", async () => {
    expect(await send(card("sysmo-isim"), "80500300081122334455667788")).toBe("6A88");
  });
});

describe("GET DATA", () => {
  test("CPLC: gp23's own, all FF on sysmo-usim, 6A88 on sysmo-isim and acosj", async () => {
    expect(await send(card("gp23"), "80CA9F7F00")).toStartWith("9F7F2A5743");
    expect(await send(card("sysmo-usim"), "80CA9F7F00")).toBe("9F7F2A" + "FF".repeat(42) + "9000");
    expect(await send(card("sysmo-isim"), "80CA9F7F00")).toBe("6A88");
    expect(await send(card("acosj"), "80CA9F7F00")).toBe("6A88");
  });

  test("sysmo-isim refuses CLA 00 with 6E00 (CoIMS#8); cosmo-v8 answers 6A88 to IIN and CIN (GPP#114)", async () => {
    expect(await send(card("sysmo-isim"), "00CA006600")).toBe("6E00");
    expect(await send(card("gp23"), "00CA006600")).toEndWith("9000");
    expect(await send(card("cosmo-v8"), "80CA004200")).toBe("6A88");
    expect(await send(card("cosmo-v8"), "80CA004500")).toBe("6A88");
  });

  test("sce60 reports its SCP03 keys as DES (type 80) in the key information, as the card does (GPP#66)", async () => {
    expect(await send(card("sce60"), "80CA00E000")).toBe("E012C00401018010C00402018010C00403018010" + "9000");
  });
});

describe("GET STATUS", () => {
  test("sce60 refuses the tagged format with 6A86 and answers the legacy one", async () => {
    const c = card("sce60", true);
    expect(await send(c, "80F28002024F0000")).toBe("6A86");
    expect(await send(c, "80F28000024F0000")).toBe("08A000000003000000" + "0F9E" + "9000");
  });

  test("sce32 refuses P1 10 with 6A81 (aram-applet#1) but answers P1 20", async () => {
    const c = card("sce32", true);
    expect(await send(c, "80F21002024F0000")).toBe("6A81");
    expect(await send(c, "80F22002024F0000")).toEndWith("9000");
  });

  test("sysmo-usim wraps every entry in one E3 (GPP#293)", async () => {
    const r = fromHex(await send(card("sysmo-usim", true), "80F22002024F0000"));
    const tlvs = parseTlvs(r.subarray(0, r.length - 2));
    expect(tlvs.map((t) => t.tag)).toEqual([0xe3]);
    expect(toHex(tlvs[0]!.value)).toContain("4F07A0000000620101"); // javacard.framework inside the one E3
    expect(toHex(tlvs[0]!.value)).toContain("4F07A0000000620102"); // and javacard.security
  });

  test("jcop4 cuts a page at the byte limit, splitting an entry (GPP#405); gp23 sends whole entries", async () => {
    const pages = async (name: string) => {
      const c = card(name, true);
      const first = fromHex(await send(c, "80F21002024F0000"));
      expect(toHex(first.subarray(-2))).toBe("6310");
      const second = fromHex(await send(c, "80F21003024F0000"));
      return { first: first.subarray(0, -2), second: second.subarray(0, -2) };
    };
    const jcop = await pages("jcop4");
    expect(jcop.first.length).toBe(256);
    expect(jcop.second[0]).not.toBe(0xe3);
    const gp = await pages("gp23");
    expect(gp.first.length).toBeLessThan(256);
    expect(gp.second[0]).toBe(0xe3);
  });
});

describe("T=0 (profiles with protocol T=0)", () => {
  test("case 4 with data out: 61xx, then GET RESPONSE; gp23 answers at once", async () => {
    const t0 = card("jcop4-t0");
    const r = await raw(t0, "80500000081122334455667788");
    expect(r).toBe("611C");
    const data = await raw(t0, "00C000001C");
    expect(data).toHaveLength((28 + 2) * 2);
    expect(data).toEndWith("9000");
    expect(await raw(card("gp23"), "80500000081122334455667788")).toHaveLength((32 + 2) * 2);
  });

  test("case 2 with the wrong Le: 6Cxx, and the same command with Le = xx gets the data", async () => {
    const t0 = card("jcop4-t0");
    expect(await raw(t0, "00A4040000")).toBe("6C12");
    expect(await raw(t0, "00A4040012")).toBe("6F108408A000000151000000A5049F6501FF9000");
  });

  test("GET RESPONSE in pieces: 61 with what is left; with nothing waiting 6985", async () => {
    const t0 = card("acosj");
    expect(await raw(t0, "00C0000010")).toBe("6985");
    const first = await raw(t0, "00A4040008A00000015100000000");
    expect(first).toMatch(/^61/);
    const n = parseInt(first.slice(2), 16);
    const part = await raw(t0, "00C0000010");
    expect(part).toBe(part.slice(0, 32) + (n - 16).toString(16).toUpperCase().padStart(2, "0").replace(/^/, "61"));
    const rest = await raw(t0, `00C00000${(n - 16).toString(16).padStart(2, "0")}`);
    expect(rest).toEndWith("9000");
  });

  test("extended-length APDUs do not exist on T=0: 6700", async () => {
    expect(await raw(card("jcop4-t0"), "80CA00000000009F7F")).toBe("6700");
  });
});

describe("life cycle and failure limit from the profile", () => {
  test("sce32 ships INITIALIZED (aram-applet#1), gp23 SECURED", async () => {
    expect(await send(card("sce32", true), "80F28002024F0000")).toContain("9F700107");
    expect(await send(card("gp23", true), "80F28002024F0000")).toContain("9F70010F");
  });
});

test("the failure limit comes from the profile: after authFailureLimit wrong EXTERNAL AUTHENTICATEs the ISD locks for good (6983)", async () => {
  const strict = createSimulatedCard({ profile: { ...profileNamed("jcop242"), name: "strict", authFailureLimit: 3 } });
  strict.powerOn();
  for (let n = 0; n < 3; n++) {
    expect(await raw(strict, "80500000081122334455667788")).toEndWith("9000");
    expect(await raw(strict, "848200001000000000000000000000000000000000")).toBe("6300");
  }
  expect(await raw(strict, "80500000081122334455667788")).toBe("6983");
  strict.close();
});
