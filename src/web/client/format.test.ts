import { describe, expect, test } from "bun:test";
import { appendTrace, cardWebAddress, formatBytes, formatRate, progressText } from "./format.ts";

describe("the install progress line", () => {
  test("blocks, bytes with thousands separators, and the rate", () => {
    expect(progressText({ op: "op1", block: 3, blocks: 89, bytes: 741, totalBytes: 22306, rate: 1300 })).toBe("Block 3 of 89, 741 of 22,306 bytes, 1.3 KiB/s");
    expect(progressText({ op: "op1", block: 1, blocks: 1, bytes: 12, totalBytes: 12 })).toBe("Block 1 of 1, 12 of 12 bytes");
  });

  test("rates below 1 KiB/s in bytes, rounded; from 1 KiB/s in KiB/s with one decimal", () => {
    expect(formatRate(0.4)).toBe("0 B/s");
    expect(formatRate(1023.6)).toBe("1024 B/s");
    expect(formatRate(1024)).toBe("1.0 KiB/s");
    expect(formatRate(2_621_440)).toBe("2560.0 KiB/s");
    expect(formatBytes(1_234_567)).toBe("1,234,567");
  });
});

describe("the APDU trace", () => {
  test("lines are appended, the first without a newline before it", () => {
    expect(appendTrace("", "=> 00A4040000")).toBe("=> 00A4040000");
    expect(appendTrace("=> 00A4040000", "<= 9000")).toBe("=> 00A4040000\n<= 9000");
  });

  test("only the last lines are kept", () => {
    let text = "";
    for (let i = 1; i <= 5; i++) text = appendTrace(text, `line ${i}`, 3);
    expect(text).toBe("line 3\nline 4\nline 5");
  });
});

describe("the card's own pages", () => {
  test("a typed path goes under the frame's base, with one slash", () => {
    const base = "/card-web/f00d/Simulated%20card/";
    expect(cardWebAddress(base, "")).toBe(base);
    expect(cardWebAddress(base, "  /  ")).toBe(base);
    expect(cardWebAddress(base, "registry")).toBe(`${base}registry`);
    expect(cardWebAddress(base, "/cgi-bin/load?x=1")).toBe(`${base}cgi-bin/load?x=1`);
  });
});
