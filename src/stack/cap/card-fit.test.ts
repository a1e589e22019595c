import { test, expect } from "bun:test";
import { javaCardOfFramework, whyCardCannotTake, type ListedPackage } from "./card-fit.ts";
import { javaCardApi } from "./javacard-api.ts";
import { fromHex } from "../bytes.ts";

const FRAMEWORK = fromHex("A0000000620101");
const LANG = fromHex("A0000000620001");
const card = (release: string): ListedPackage[] => javaCardApi(release).map((p) => ({ aid: p.aid, version: { major: p.major, minor: p.minor } }));
const needs = (formatVersion: string, frameworkMinor = 2, extra: { aid: Uint8Array; major: number; minor: number }[] = []) => ({
  formatVersion,
  imports: [{ aid: FRAMEWORK, major: 1, minor: frameworkMinor }, { aid: LANG, major: 1, minor: 0 }, ...extra],
});

test("javacard.framework's version names the release; an unknown newer minor is at least the last known", () => {
  expect(javaCardOfFramework(1, 0)).toBe("2.1.1");
  expect(javaCardOfFramework(1, 6)).toBe("3.0.5");
  expect(javaCardOfFramework(1, 7)).toBe("3.0.5");
  expect(javaCardOfFramework(1, 8)).toBe("3.1");
  expect(javaCardOfFramework(1, 9)).toBe("3.2");
  expect(javaCardOfFramework(1, 12)).toBe("3.2");
  expect(javaCardOfFramework(2, 0)).toBeUndefined();
});

test("a CAP 2.3 file on a card that lists a 3.0.5 framework: refused, naming format and release", () => {
  const why = whyCardCannotTake(needs("2.3"), card("3.0.5"));
  expect(why).toBe(
    "the file is CAP format 2.3, which needs Java Card 3.1 or later; the card is Java Card 3.0.5 (its javacard.framework is 1.6) and takes CAP 2.1, 2.2",
  );
  expect(whyCardCannotTake(needs("2.2"), card("2.1.1"))).toContain("CAP format 2.2, which needs Java Card 2.2.1 or later");
  expect(whyCardCannotTake(needs("2.3"), card("3.1"))).toBeUndefined();
  expect(whyCardCannotTake(needs("2.3"), card("3.2"))).toBeUndefined();
  expect(whyCardCannotTake(needs("2.1"), card("3.2"))).toBeUndefined();
});

test("an import missing or too old is named with its version", () => {
  expect(whyCardCannotTake(needs("2.2", 8), card("3.0.5"))).toBe(
    "the card has imported package A0000000620101 1.8 (javacard.framework) only in version 1.6 (Java Card 3.0.5)",
  );
  const lib = { aid: fromHex("A000000647239999"), major: 1, minor: 0 };
  expect(whyCardCannotTake(needs("2.2", 2, [lib]), card("3.0.5"))).toBe("the card lacks imported package A000000647239999 1.0");
  // A different major is not binary compatible (JCVM 3.1 section 4.5.2).
  expect(whyCardCannotTake(needs("2.2", 2, [{ ...lib, major: 2 }]), [...card("3.0.5"), { aid: lib.aid, version: { major: 1, minor: 5 } }])).toContain(
    "only in version 1.5",
  );
});

test("a card that lists none of the imports, or no versions, is not judged", () => {
  expect(whyCardCannotTake(needs("2.3", 9), [])).toBeUndefined();
  expect(whyCardCannotTake(needs("2.3", 9), [{ aid: fromHex("A000000151000000") }])).toBeUndefined();
  expect(whyCardCannotTake(needs("2.3", 9), [{ aid: FRAMEWORK }, { aid: LANG }])).toBeUndefined();
});
