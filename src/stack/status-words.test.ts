import { test, expect } from "bun:test";
import { describeSw, SW } from "./status-words.ts";
import { check } from "./check.ts";
import { ResponseApdu } from "./apdu.ts";
import { SwError } from "./errors.ts";

test.each([
  [0x9000, "9000 (Success)"],
  [0x6982, "6982 (Security status not satisfied)"],
  [0x6a84, "6A84 (Not enough memory space)"],
  [0x6110, "6110 (16 more bytes available)"],
  [0x6c00, "6C00 (Wrong Le: exact length is 256)"],
  [0x63c2, "63C2 (Verification failed, 2 tries left)"],
  [0x1234, "1234 (Unknown status)"],
])("describeSw(%p)", (sw, text) => {
  expect(describeSw(sw)).toBe(text);
});

test("check passes 9000 and allowed SWs, throws SwError otherwise", () => {
  const r = ResponseApdu.of(SW.WARNING_MORE_DATA);
  expect(check(r, "GET STATUS", SW.WARNING_MORE_DATA)).toBe(r);
  expect(check(ResponseApdu.of(0x9000), "SELECT").sw).toBe(0x9000);
  try {
    check(ResponseApdu.of(0x6985), "DELETE");
    throw new Error("not thrown");
  } catch (e) {
    expect(e).toBeInstanceOf(SwError);
    expect((e as SwError).sw).toBe(0x6985);
    expect((e as SwError).operation).toBe("DELETE");
    expect((e as SwError).message).toBe("DELETE failed with 6985 (Conditions of use not satisfied)");
  }
});
