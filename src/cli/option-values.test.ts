import { test, expect } from "bun:test";
import { keysFrom, scpFrom, levelFrom, connectOptionsFrom } from "./option-values.ts";
import { installChoicesFrom } from "./commands/install.ts";
import { UsageError } from "../stack/errors.ts";
import { toHex } from "../stack/bytes.ts";

const OTHER = "00112233445566778899AABBCCDDEEFF";

test("key precedence: --key, then WEBCARD_KEY, then GP_KEY, then the test key", () => {
  expect(keysFrom({ key: "default" }, { WEBCARD_KEY: OTHER }).source).toBe("--key");
  expect(keysFrom({}, { WEBCARD_KEY: OTHER, GP_KEY: "default" })).toMatchObject({ source: "WEBCARD_KEY" });
  expect(keysFrom({}, { GP_KEY: OTHER })).toMatchObject({ source: "GP_KEY" });
  expect(keysFrom({}, {}).source).toBe("default");
  expect(keysFrom({}, {}).keys.kcvs.enc).toBe("8BAF47");
});

test("a bad key in the environment says which variable", () => {
  expect(() => keysFrom({}, { GP_KEY: "xyz" })).toThrow(/^GP_KEY: /);
});

test("--scp and --mode values", () => {
  expect(scpFrom(undefined)).toBeUndefined();
  expect(scpFrom("03")).toBe(3);
  expect(scpFrom("SCP02")).toBe(2);
  expect(() => scpFrom("04")).toThrow(UsageError);
  expect(levelFrom(undefined)).toBe("mac");
  expect(levelFrom("ENC")).toBe("enc");
  expect(() => levelFrom("loud")).toThrow("Unknown security level 'loud'");
});

test("R-ENC with SCP02 is refused as usage", () => {
  expect(() => connectOptionsFrom({ scp: "02", mode: "renc" }, {})).toThrow("R-ENC exists only in SCP03");
});

test("install choices: lists, privileges by name, raw parameters", () => {
  const c = installChoicesFrom({ applet: ["A000000001,A000000002"], privs: "security-domain,card-reset", params: "0102" });
  expect(c.applets?.map(toHex)).toEqual(["A000000001", "A000000002"]);
  expect(c.privileges).toBe(0x840000);
  expect(toHex(c.params!)).toBe("0102");
  expect(() => installChoicesFrom({ instance: ["A0"] })).toThrow(UsageError);
  expect(() => installChoicesFrom({ privs: "root" })).toThrow(UsageError);
});
