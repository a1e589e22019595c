import { test, expect } from "bun:test";
import { rawOptionValues, rawOption, rawArg } from "./gp-argv.ts";

const argv = ["bun", "cli.ts", "install", "x.cap", "--key", "0102030405060708090A0B0C0D0E0F10", "--applet=0102030405", "--applet", "0102030406", "--force", "0011223344"];

test("hex option values come back exactly as typed", () => {
  expect(rawOption("key", argv)).toBe("0102030405060708090A0B0C0D0E0F10");
  expect(rawOptionValues("applet", argv)).toEqual(["0102030405", "0102030406"]);
  expect(rawOption("isd", argv)).toBeUndefined();
});

test("a positional the parser turned into a number is found in argv", () => {
  expect(rawArg(11223344, argv)).toBe("0011223344");
  expect(rawArg("x.cap", argv)).toBe("x.cap");
});
