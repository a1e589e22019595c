import { test, expect } from "bun:test";
import { cac } from "cac";
import { flagName, longNames, protectValues, restoreParsed } from "./argv.ts";

/** Parse as src/cli.ts does: the pre-pass, cac, then the marks off. */
function parse(argv: string[], declare: (cli: ReturnType<typeof cac>) => void) {
  const cli = cac("t");
  declare(cli);
  const declared = [cli.globalCommand, ...cli.commands].flatMap((c) => c.options);
  cli.parse(["bun", "t", ...protectValues(argv, longNames(declared))], { run: false });
  restoreParsed(cli, [...cli.globalCommand.options, ...(cli.matchedCommand?.options ?? [])]);
  return { args: cli.args, options: cli.options };
}

const install = (cli: ReturnType<typeof cac>) =>
  cli
    .command("install <file>")
    .option("--key <hex>", "")
    .option("--isd <aid>", "")
    .option("--applet <aid>", "", { type: [String] })
    .option("--force", "")
    .option("-r, --reader <reader>", "")
    .option("--sim [state]", "");

test("hex values stay strings exactly as typed, in both option forms", () => {
  const { options } = parse(["install", "x.cap", "--key", "0102030405060708090A0B0C0D0E0F10", "--isd=0102030405"], install);
  expect(options.key).toBe("0102030405060708090A0B0C0D0E0F10");
  expect(options.isd).toBe("0102030405");
});

test("a number-like value after a flag stays a string argument", () => {
  const { args, options } = parse(["install", "--force", "0011223344"], install);
  expect(args).toEqual(["0011223344"]);
  expect(options.force).toBe(true);
});

test("a repeatable option is always a list; a repeated single option keeps its last value", () => {
  const one = parse(["install", "x", "--applet", "0102030405"], install);
  expect(one.options.applet).toEqual(["0102030405"]);
  const two = parse(["install", "x", "--applet=0102030405", "--applet", "A0000001", "-r", "1", "-r", "02"], install);
  expect(two.options.applet).toEqual(["0102030405", "A0000001"]);
  expect(two.options.reader).toBe("02");
  expect(two.options.r).toBe("02");
});

test("an optional value: absent is true, given is the string", () => {
  expect(parse(["install", "x", "--sim"], install).options.sim).toBe(true);
  expect(parse(["install", "x", "--sim", "007"], install).options.sim).toBe("007");
});

test("arguments after -- are passed through untouched", () => {
  expect(protectValues(["a", "--", "12"])).toEqual(["a", "--", "12"]);
  expect(protectValues(["-r", "-1"])).toEqual(["-r", "-1"]);
});

test("a repeatable option given both ways keeps every value, in order", () => {
  const fetch = (cli: ReturnType<typeof cac>) => cli.command("fetch <path>").option("-H, --header <header>", "", { type: [String] });
  const { options } = parse(["fetch", "/", "-H", "A: 1", "--header", "B: 2", "-H=C: 3"], fetch);
  expect(options.header).toEqual(["A: 1", "B: 2", "C: 3"]);
});

test("a letter two commands use for different options is left as typed", () => {
  const long = longNames([
    { names: ["d", "data"], config: {} },
    { names: ["d", "debug"], config: {} },
    { names: ["r", "reader"], config: {} },
  ]);
  expect([...long]).toEqual([["r", "reader"]]);
  expect(protectValues(["-r", "2", "-d", "x", "-rx"], long)).toEqual(["--reader", "\u00002", "-d", "x", "-rx"]);
});

test("option names with one-letter words or digits read camel-cased all the way (cac stops at yesI-understandTerminate)", () => {
  expect(flagName("yesI-understandTerminate")).toBe("yesIUnderstandTerminate");
  expect(flagName("scp11-key")).toBe("scp11Key");
  expect(flagName("newKeyVersion")).toBe("newKeyVersion");
  const declared = [{ names: ["yesI-understandTerminate"], config: {} }, { names: ["scp11-cert"], config: { type: [String] } }];
  const parsed = { args: [], options: { "yesI-understandTerminate": true, "scp11-cert": ["a.gp", "b.gp"] } as Record<string, unknown> };
  restoreParsed(parsed, declared);
  expect(parsed.options.yesIUnderstandTerminate).toBe(true);
  expect(parsed.options.scp11Cert).toEqual(["a.gp", "b.gp"]);
  // cac checks the parsed names against the declared ones after this: both spellings are known.
  expect(declared.map((o) => o.names)).toEqual([
    ["yesI-understandTerminate", "yesIUnderstandTerminate"],
    ["scp11-cert", "scp11Cert"],
  ]);
});
