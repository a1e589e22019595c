/** The T=0 face of a card (ISO/IEC 7816-3 section 10.3.4), over a card that answers fixed responses. */
import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../../stack/bytes.ts";
import type { VirtualCard } from "../virtual-card.ts";
import { withT0 } from "./t0.ts";

/** A card whose every answer is `answer` (hex), recording the commands it gets. */
function fixed(answer: string): VirtualCard & { got: string[] } {
  const got: string[] = [];
  return {
    got,
    atr: () => fromHex("3B00"),
    powerOn: () => {},
    powerOff: () => {},
    reset: () => {},
    process: (c) => {
      got.push(toHex(c));
      return fromHex(answer);
    },
  };
}

const send = async (card: VirtualCard, hex: string) => toHex(await card.process(fromHex(hex)));

describe("withT0", () => {
  test("a warning with data: 61xx, and the warning comes with the last GET RESPONSE", async () => {
    const c = withT0(fixed("0102036310"));
    expect(await send(c, "80F21002024F0000")).toBe("6103");
    expect(await send(c, "00C0000003")).toBe("0102036310");
  });

  test("warnings 'alone': the warning without data, then GET RESPONSE gives the data with 9000 (GPP#124)", async () => {
    const c = withT0(fixed("0102036310"), { warnings: "alone" });
    expect(await send(c, "80F21002024F0000")).toBe("6310");
    expect(await send(c, "00C0000000")).toBe("6C03");
    expect(await send(c, "00C0000003")).toBe("0102039000");
  });

  test("more than 256 bytes come in pieces: 61 00 means 256 wait", async () => {
    const c = withT0(fixed("AB".repeat(300) + "9000"));
    expect(await send(c, "80CA00E0024F00")).toBe("6100");
    expect(await send(c, "00C0000000")).toBe("AB".repeat(256) + "612C");
    expect(await send(c, "00C000002C")).toBe("AB".repeat(44) + "9000");
  });

  test("a new command forgets what waited; an error without data passes as it is", async () => {
    const c = withT0(fixed("6A88"));
    expect(await send(c, "80CA9F7F00")).toBe("6A88");
    expect(await send(c, "00C0000010")).toBe("6985");
  });

  test("a power cycle forgets what waited", async () => {
    const c = withT0(fixed("01029000"));
    expect(await send(c, "80E60200024F00")).toBe("6102");
    c.reset();
    expect(await send(c, "00C0000002")).toBe("6985");
  });
});
