import { test, expect } from "bun:test";
import { resolveKeys, splitKeySpec } from "./keys.ts";
import { connectOptionsFrom } from "./option-values.ts";
import { UsageError } from "../stack/errors.ts";

const OTHER = "00112233445566778899AABBCCDDEEFF";
const OTHER_KCV = resolveKeys(OTHER, {}).keys.kcvs.enc;

test("GlobalPlatformPro's kdf prefix: emv:, visa2:, kdf3: before hex or default", () => {
  expect(splitKeySpec("emv:default")).toEqual({ key: "default", kdf: "emv" });
  expect(splitKeySpec(`KDF3:${OTHER}`)).toEqual({ key: OTHER, kdf: "kdf3" });
  expect(splitKeySpec(OTHER)).toEqual({ key: OTHER });
  // Hex with colon separators is not a prefix.
  expect(splitKeySpec("40:41:42")).toEqual({ key: "40:41:42" });
  expect(() => splitKeySpec("visa:default")).toThrow("Unknown key diversification 'visa'");
});

test("--key and WEBCARD_KEY carry the prefix's diversification", () => {
  expect(resolveKeys("visa2:default", {})).toMatchObject({ source: "--key", kdf: "visa2" });
  expect(resolveKeys(undefined, { WEBCARD_KEY: `emv:${OTHER}` })).toMatchObject({ source: "WEBCARD_KEY", kdf: "emv" });
  expect(resolveKeys(undefined, { WEBCARD_KEY: `emv:${OTHER}` }).keys.kcvs.enc).toBe(OTHER_KCV);
});

test("GP_KEY with GP_KEY_KDF and GP_KEY_VER, as GlobalPlatformPro reads them", () => {
  const r = resolveKeys(undefined, { GP_KEY: OTHER, GP_KEY_KDF: "emv", GP_KEY_VER: "0x20" });
  expect(r).toMatchObject({ source: "GP_KEY", kdf: "emv", keyVersion: 0x20 });
  expect(r.keys.kcvs.enc).toBe(OTHER_KCV);
  expect(() => resolveKeys(undefined, { GP_KEY: "emv:default", GP_KEY_KDF: "visa2" })).toThrow(/^GP_KEY: GP_KEY_KDF=visa2 disagrees/);
  expect(() => resolveKeys(undefined, { GP_KEY: OTHER, GP_KEY_VER: "200" })).toThrow(UsageError);
});

test("GP_KEY_ENC, GP_KEY_MAC and GP_KEY_DEK give three separate keys", () => {
  const r = resolveKeys(undefined, { GP_KEY_ENC: OTHER, GP_KEY_MAC: "default", GP_KEY_DEK: OTHER });
  expect(r.source).toBe("GP_KEY");
  expect(r.keys.kcvs).toEqual({ enc: OTHER_KCV, mac: "8BAF47", dek: OTHER_KCV });
  expect(() => resolveKeys(undefined, { GP_KEY_ENC: OTHER })).toThrow("all three of GP_KEY_ENC, GP_KEY_MAC and GP_KEY_DEK");
  expect(() => resolveKeys(undefined, { GP_KEY: OTHER, GP_KEY_ENC: OTHER, GP_KEY_MAC: OTHER, GP_KEY_DEK: OTHER })).toThrow(UsageError);
});

test("--key and WEBCARD_KEY win over the GP_KEY variables; nothing set is the test key", () => {
  const env = { GP_KEY: OTHER, GP_KEY_KDF: "emv", GP_KEY_VER: "5" };
  expect(resolveKeys("default", env)).toEqual({ keys: expect.anything(), source: "--key" });
  expect(resolveKeys(undefined, { ...env, WEBCARD_KEY: "default" }).kdf).toBeUndefined();
  expect(resolveKeys(undefined, {})).toMatchObject({ source: "default" });
});

test("the session options: --kdf and --key-version win, a disagreeing --kdf is usage", () => {
  expect(connectOptionsFrom({}, { GP_KEY: OTHER, GP_KEY_KDF: "visa2", GP_KEY_VER: "3" })).toMatchObject({ kdf: "visa2", keyVersion: 3 });
  expect(connectOptionsFrom({ kdf: "emv" }, { GP_KEY: OTHER, GP_KEY_KDF: "emv" }).kdf).toBe("emv");
  expect(() => connectOptionsFrom({ kdf: "emv" }, { GP_KEY: OTHER, GP_KEY_KDF: "visa2" })).toThrow("--kdf emv disagrees");
  // Nothing said: the card's cryptogram chooses (kdf-choice.ts).
  expect(connectOptionsFrom({}, {}).kdf).toBeUndefined();
});
