import { test, expect } from "bun:test";
import { fromHex } from "../../stack/bytes.ts";
import { CardRefusal } from "../refusal.ts";
import { loadFileLayout } from "./load.ts";

test("the C4 header is found after DAP blocks, and only once enough bytes arrived", () => {
  expect(loadFileLayout(fromHex("C4"))).toBeUndefined();
  expect(loadFileLayout(fromHex("C482"))).toBeUndefined();
  expect(loadFileLayout(fromHex("C4820100"))).toEqual({ start: 4, length: 256 });
  expect(loadFileLayout(fromHex("C40501"))).toEqual({ start: 2, length: 5 });
  expect(loadFileLayout(fromHex("E2054F0101C300C481F7"))).toEqual({ start: 10, length: 247 });
  expect(loadFileLayout(fromHex("E2054F01"))).toBeUndefined();
});

test("anything else is refused with 6A80", () => {
  for (const bad of ["01000F", "C480", "C48400000001"]) {
    let error: unknown;
    try {
      loadFileLayout(fromHex(bad));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CardRefusal);
    expect((error as CardRefusal).sw).toBe(0x6a80);
  }
});
