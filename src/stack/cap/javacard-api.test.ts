import { test, expect } from "bun:test";
import { capFormatsOf, JAVA_CARD_VERSIONS, javaCardApi, packageNameOf } from "./javacard-api.ts";
import { toHex } from "../bytes.ts";

function version(release: string, aid: string): string | undefined {
  const p = javaCardApi(release).find((x) => toHex(x.aid) === aid);
  return p && `${p.major}.${p.minor}`;
}

test.each([
  ["2.1.1", "1.0", "1.1"],
  ["2.2.1", "1.2", "1.2"],
  ["2.2.2", "1.3", "1.3"],
  ["3.0.1", "1.4", "1.4"],
  ["3.0.4", "1.5", "1.5"],
  ["3.0.5", "1.6", "1.6"],
  ["3.1", "1.8", "1.7"],
  ["3.2", "1.9", "1.8"],
])("Java Card %s ships javacard.framework %s and javacard.security %s", (release, framework, security) => {
  expect(version(release, "A0000000620101")).toBe(framework);
  expect(version(release, "A0000000620102")).toBe(security);
  expect(version(release, "A0000000620001")).toBe("1.0");
});

test("packages appear with the release that introduced them", () => {
  expect(version("2.1.1", "A0000000620209")).toBeUndefined();
  expect(version("2.2.2", "A0000000620209")).toBe("1.0");
  expect(version("2.1.1", "A000000062010101")).toBeUndefined();
  expect(version("2.2.1", "A000000062010101")).toBe("1.0");
  expect(version("3.0.5", "A000000062020801")).toBe("1.1");
  // 3.1 adds event, nio, time and the security.* packages, and raises util.intx to 1.1.
  expect(version("3.0.5", "A000000062020806")).toBeUndefined();
  expect(version("3.1", "A000000062020806")).toBe("1.0");
  expect(version("3.0.5", "A00000006202080101")).toBe("1.0");
  expect(version("3.1", "A00000006202080101")).toBe("1.1");
  expect(version("3.1", "A000000062020502")).toBe("1.0");
  expect(version("3.2", "A000000062020502")).toBe("1.1");
  expect(version("3.2", "A0000000620204")).toBe("1.1");
  expect(javaCardApi("3.2")).toHaveLength(24);
});

test("the CAP formats each release takes: 2.1, 2.2 from 2.2, 2.3 from 3.1 (JCVM 3.1 section 6.4)", () => {
  expect(capFormatsOf("3.0.5")).toEqual(["2.1", "2.2"]);
  expect(capFormatsOf("2.1.1")).toEqual(["2.1"]);
  expect(capFormatsOf("2.2.1")).toEqual(["2.1", "2.2"]);
  expect(capFormatsOf("3.1")).toEqual(["2.1", "2.2", "2.3"]);
  expect(capFormatsOf("3.2")).toEqual(["2.1", "2.2", "2.3"]);
});

test("versions only grow from one release to the next", () => {
  for (let i = 1; i < JAVA_CARD_VERSIONS.length; i++) {
    for (const p of javaCardApi(JAVA_CARD_VERSIONS[i - 1]!)) {
      const later = javaCardApi(JAVA_CARD_VERSIONS[i]!).find((x) => toHex(x.aid) === toHex(p.aid));
      expect(later).toBeDefined();
      expect(later!.major).toBe(p.major);
      expect(later!.minor).toBeGreaterThanOrEqual(p.minor);
    }
  }
});

test("names of well-known packages; unknown versions are a bug", () => {
  expect(packageNameOf("a0000000620101")).toBe("javacard.framework");
  expect(packageNameOf("A0000000090003FFFFFFFF8910710002")).toBe("sim.toolkit");
  expect(packageNameOf("0102030405")).toBeUndefined();
  expect(() => javaCardApi("4.0")).toThrow(RangeError);
});
