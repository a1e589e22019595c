import { describe, test, expect } from "bun:test";
import { TransportError, UsageError } from "../../stack/errors.ts";
import { chooseReader } from "./choose-reader.ts";

const readers = [
  { name: "ACS ACR39U ICC Reader 00 00", cardPresent: false },
  { name: "Virtual PCD 00 00", cardPresent: true },
  { name: "Virtual PCD 00 01", cardPresent: false },
];

describe("chooseReader", () => {
  test.each([
    ["Virtual PCD 00 01", "Virtual PCD 00 01"],
    ["acr39", "ACS ACR39U ICC Reader 00 00"],
    ["00 01", "Virtual PCD 00 01"],
    ["1", "ACS ACR39U ICC Reader 00 00"],
    ["3", "Virtual PCD 00 01"],
  ])("-r %p picks %p", (choice, name) => {
    expect(chooseReader(readers, choice, undefined)).toBe(name);
  });

  test("WEBCARD_READER applies when -r is absent, and -r wins over it", () => {
    expect(chooseReader(readers, undefined, "acr")).toBe("ACS ACR39U ICC Reader 00 00");
    expect(chooseReader(readers, "2", "acr")).toBe("Virtual PCD 00 00");
  });

  test("by default, the only reader holding a card", () => {
    expect(chooseReader(readers, undefined, undefined)).toBe("Virtual PCD 00 00");
  });

  test("ambiguity is a usage error that lists the readers", () => {
    const two = readers.map((r) => ({ ...r, cardPresent: true }));
    expect(() => chooseReader(two, undefined, undefined)).toThrow(UsageError);
    expect(() => chooseReader(two, undefined, undefined)).toThrow("several readers hold a card, choose one with -r: 1: ACS ACR39U ICC Reader 00 00 (card); 2: Virtual PCD 00 00 (card); 3: Virtual PCD 00 01 (card)");
    expect(() => chooseReader(readers, "virtual", undefined)).toThrow("'virtual' matches several readers");
    expect(() => chooseReader(readers, "nope", undefined)).toThrow("no reader matches 'nope'; readers: 1: ACS ACR39U ICC Reader 00 00; 2: Virtual PCD 00 00 (card); 3: Virtual PCD 00 01");
    expect(() => chooseReader(readers, "4", undefined)).toThrow("no reader number 4");
    const none = readers.map((r) => ({ ...r, cardPresent: false }));
    expect(() => chooseReader(none, undefined, undefined)).toThrow("no card in any reader; readers: 1: ACS ACR39U ICC Reader 00 00; 2: Virtual PCD 00 00; 3: Virtual PCD 00 01");
    expect(() => chooseReader(none, undefined, undefined)).toThrow(TransportError); // exit 1: nothing wrong with the command
  });

  test("the listing of an ambiguity numbers readers as -r counts them", () => {
    const two = readers.map((r, i) => ({ ...r, cardPresent: i > 0 }));
    expect(() => chooseReader(two, undefined, undefined)).toThrow("choose one with -r: 2: Virtual PCD 00 00 (card); 3: Virtual PCD 00 01 (card)");
    expect(() => chooseReader(readers, "pcd", undefined)).toThrow("be more precise: 2: Virtual PCD 00 00 (card); 3: Virtual PCD 00 01");
  });

  test("one reader without a card is still chosen (connecting says there is no card)", () => {
    expect(chooseReader([{ name: "Only", cardPresent: false }], undefined, undefined)).toBe("Only");
  });

  test("no readers at all is a transport error", () => {
    expect(() => chooseReader([], "1", undefined)).toThrow(TransportError);
  });
});
