/** `webcard run FILE.cap [APDU...]` as a user runs it: a subprocess, no reader, no state file. */
import { test, expect } from "bun:test";
import { resolve } from "node:path";
import { webcard } from "../harness/cli.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";

const HELLO = resolve(FIXTURE_DIR, "kaoh_helloworld.cap");

test("run installs the CAP, selects its applet and prints each exchange with the SW's meaning", () => {
  const r = webcard(["run", HELLO, "8010000000", "00CA000000"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(
    [
      "> 00A4040008D0D1D2D3D4D5010100",
      "< 48656C6C6F20576F726C6421 9000 (Success)",
      "> 8010000000",
      "< 48656C6C6F20576F726C6421 9000 (Success)",
      "> 00CA000000",
      "< 48656C6C6F20576F726C6421 9000 (Success)",
      "",
    ].join("\n"),
  );
});

test("run --json gives the exchanges; --trace-vm shows the applet's method calls on stderr", () => {
  const r = webcard(["run", HELLO, "80100000", "--json", "--trace-vm"]);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.exchanges.map((e: { sw: string }) => e.sw)).toEqual(["9000", "9000"]);
  expect(out.exchanges[1].response).toBe("48656C6C6F20576F726C6421");
  expect(r.stderr).toContain("vm: -> native javacard.framework.APDU.getBuffer()[B");
});

test("an uncaught exception is 6F00 and the card's log says which; bad input is one line", () => {
  const empty = webcard(["run", resolve(FIXTURE_DIR, "gppro_Empty_0102030405_2.2.1.cap")]);
  expect(empty.code).toBe(0);
  expect(empty.stdout).toContain("< 6F00 (No precise diagnosis)");
  expect(empty.stderr).toContain("uncaught javacard.security.CryptoException (reason 26214)");
  const bad = webcard(["run", HELLO, "80"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  const pysim = webcard(["run", resolve(FIXTURE_DIR, "pysim_test_javacard.cap")]);
  expect(pysim.code).toBe(1);
  expect(pysim.stderr).toContain("A0000000090003FFFFFFFF8910710002");
});
