import { test, expect, describe } from "bun:test";
import { fromHex, toHex } from "../bytes.ts";
import { installForLoad, installForInstall, installForMakeSelectable } from "./install.ts";
import { installParams } from "./install-params.ts";
import { parsePrivileges } from "./privileges.ts";

const PKG = fromHex("0102030405");
const APPLET = fromHex("0102030405060708");
const ISD = fromHex("A000000151000000");

describe("INSTALL against the gppro_Empty golden APDUs (fixtures README)", () => {
  test("[for load]", () => {
    expect(installForLoad({ packageAid: PKG, securityDomainAid: ISD }).toString()).toBe(
      "80E602001205010203040508A00000015100000000000000",
    );
  });

  test("[for install and make selectable] with no privileges and default parameters", () => {
    expect(installForInstall({ packageAid: PKG, moduleAid: APPLET, instanceAid: APPLET }).toString()).toBe(
      "80E60C001E050102030405080102030405060708080102030405060708010002C9000000",
    );
  });
});

test("[for install] only uses P1 04", () => {
  const apdu = installForInstall({ packageAid: PKG, moduleAid: APPLET, instanceAid: APPLET, selectable: false });
  expect(apdu.p1).toBe(0x04);
});

test("privileges beyond byte 1 are sent as three bytes", () => {
  const apdu = installForInstall({
    packageAid: PKG,
    moduleAid: APPLET,
    instanceAid: APPLET,
    privileges: parsePrivileges("security-domain,global-delete"),
  });
  // ... 08 instance | 03 801000 | 02 C900 | 00
  expect(toHex(apdu.data)).toEndWith("01020304050607080380100002C90000");
});

test("[for make selectable] with card reset makes an instance default selected", () => {
  expect(installForMakeSelectable(APPLET, parsePrivileges("default-selected")).toString()).toBe(
    "80E608000F00000801020304050607080104000000",
  );
});

describe("install parameters", () => {
  test.each([
    ["", "C900"],
    ["C900", "C900"],
    ["C903010203", "C903010203"],
    ["010203", "C903010203"],
    ["C9", "C901C9"], // a lone C9 byte is data, not a field
    ["C902AABBEF00", "C902AABBEF00"],
  ])("%p becomes %p", (raw, field) => {
    expect(toHex(installParams(fromHex(raw)))).toBe(field);
  });
});
