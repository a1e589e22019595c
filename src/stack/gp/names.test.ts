import { test, expect, describe } from "bun:test";
import { parsePrivileges, privilegeNames, encodePrivileges, decodePrivileges, PRIVILEGES } from "./privileges.ts";
import { lifecycleName, lifecycleValue } from "./lifecycle.ts";
import { toHex } from "../bytes.ts";

describe("privileges by name", () => {
  test.each([
    ["security-domain", 0x800000],
    ["SecurityDomain", 0x800000],
    ["card-reset", 0x040000],
    ["default-selected", 0x040000],
    ["CardReset", 0x040000],
    ["dap-verification", 0xc00000],
    ["delegated-management", 0xa00000],
    ["security-domain,card-lock,card-terminate", 0x980000],
    ["authorized-management", 0x004000],
    ["GlobalDelete,GlobalLock", 0x001800],
    ["contactless-activation", 0x000020],
    ["04", 0x040000],
    ["800000", 0x800000],
    ["", 0],
  ])("%p -> %p", (text, bits) => {
    expect(parsePrivileges(text)).toBe(bits);
  });

  test("an unknown name is refused and the error names some known ones", () => {
    expect(() => parsePrivileges("security-domain,superuser")).toThrow(/Unknown privilege 'superuser'.*card-reset/);
  });

  test("names come back from bits, DAP verification implying the domain bit", () => {
    expect(privilegeNames(0xc00000)).toEqual(["security-domain", "dap-verification"]);
    expect(privilegeNames(0x9e0000)).toEqual([
      "security-domain",
      "card-lock",
      "card-terminate",
      "card-reset",
      "cvm-management",
    ]);
    expect(privilegeNames(0)).toEqual([]);
  });

  test("every name round-trips", () => {
    for (const p of PRIVILEGES) expect(privilegeNames(parsePrivileges(p.name))).toContain(p.name);
  });

  test("one byte when bytes 2-3 are empty, else three; decoding both", () => {
    expect(toHex(encodePrivileges(0x040000))).toBe("04");
    expect(toHex(encodePrivileges(0x800400))).toBe("800400");
    expect(decodePrivileges(Uint8Array.of(0x04))).toBe(0x040000);
    expect(decodePrivileges(Uint8Array.of(0x80, 0x04, 0x00))).toBe(0x800400);
  });
});

describe("life cycle names", () => {
  test.each([
    ["card", 0x01, "op-ready"],
    ["card", 0x07, "initialized"],
    ["card", 0x0f, "secured"],
    ["card", 0x7f, "card-locked"],
    ["card", 0xff, "terminated"],
    ["load-file", 0x01, "loaded"],
    ["app", 0x03, "installed"],
    ["app", 0x07, "selectable"],
    ["app", 0x87, "locked"],
    ["app", 0x83, "locked"],
    ["domain", 0x0f, "personalized"],
    ["app", 0x1f, "selectable (application-specific 0x1F)"],
    ["app", 0x05, "0x05"],
  ] as const)("%s %p is %p", (kind, value, name) => {
    expect(lifecycleName(kind, value)).toBe(name);
  });

  test("names map back to bytes", () => {
    expect(lifecycleValue("card", "secured")).toBe(0x0f);
    expect(lifecycleValue("card", "CARD_LOCKED")).toBe(0x7f);
    expect(lifecycleValue("app", "selectable")).toBe(0x07);
    expect(lifecycleValue("app", "locked")).toBe(0x80);
    expect(lifecycleValue("load-file", "loaded")).toBe(0x01);
    expect(() => lifecycleValue("app", "sleeping")).toThrow("Unknown app life cycle state 'sleeping'");
  });
});
