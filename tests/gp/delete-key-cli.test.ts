/**
 * `webcard delete-key VERSION [--id N]`: the key version is an argument, so
 * it never clashes with webcard's own --version; `delete-key --version 0x30`
 * (GlobalPlatformPro users' habit) leaves 0x30 as the argument and sends the
 * same DELETE key (GP 2.3.1 11.2.2.2: D2 key version, D0 key identifier).
 */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { tempTrees } from "../harness/temp-tree.ts";
import { webcard } from "../harness/cli.ts";

const trees = tempTrees("webcard-delete-key-");
afterAll(() => trees.remove());
const dir = trees.tree({});

/** The plain DELETE key data the trace shows (the C-MAC stripped). */
const deleteData = (stderr: string) => /=> 84E40000([0-9A-F]{2})([0-9A-F]+)/.exec(stderr)?.slice(1);

test("the version as an argument, as --version N, and with --id", () => {
  const sim = ["--sim", join(dir, "card.sqlite")];
  expect(webcard(["put-key", ...sim, "--new-key", "00112233445566778899AABBCCDDEEFF", "--new-key-version", "0x30", "--replace-version", "0"]).code).toBe(0);
  const asArgument = webcard(["delete-key", "0x30", "--id", "3", ...sim, "--trace", "--key", "00112233445566778899AABBCCDDEEFF"]);
  // The card refuses (key 3 of the set in use), and the command the trace shows names D0 03 and D2 30.
  expect(asArgument.code).toBe(1);
  expect(deleteData(asArgument.stderr)?.[1]).toStartWith("D00103D20130");
  const asOption = webcard(["delete-key", "--version", "0x30", "--id", "3", ...sim, "--trace", "--key", "00112233445566778899AABBCCDDEEFF"]);
  expect(asOption.code).toBe(1);
  expect(deleteData(asOption.stderr)?.[1]).toStartWith("D00103D20130");
  const missing = webcard(["delete-key", ...sim]);
  expect({ code: missing.code, lines: missing.stderr.trim().split("\n").length }).toEqual({ code: 2, lines: 1 });
  const bad = webcard(["delete-key", "0x130", ...sim]);
  expect(bad.stderr).toBe("webcard: The key version must be 0 to 255 (or 0x00-0xFF), got '0x130'\n");
});
