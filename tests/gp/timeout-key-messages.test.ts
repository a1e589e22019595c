/**
 * Issue 12's option and message items as a user meets them: --timeout is
 * checked on every target (a simulated card, a reader, the dashboard) before
 * anything is opened; a wrong key names the key set version the card
 * answered INITIALIZE UPDATE with, and never the key.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcard } from "../harness/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "webcard-timeout-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function usage(r: ReturnType<typeof webcard>, text: string) {
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toContain(text);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
}

describe("--timeout is checked on every target", () => {
  const state = join(dir, "never.sqlite");
  test.each([
    ["list --sim", ["list", "--sim", state]],
    ["info --sim", ["info", "--sim", state]],
    ["apdu --sim", ["apdu", "00A4040000", "--sim", state]],
    ["list --reader", ["list", "--reader", "no such reader"]],
    ["ui", ["ui", "--port", "0"]],
  ])("%s", (_, args) => {
    for (const bad of ["abc", "0", "-1"]) usage(webcard([...args, `--timeout=${bad}`]), `--timeout must be a positive number of seconds, got '${bad}'`);
    // Refused before the state file was made.
    expect(existsSync(state)).toBe(false);
  });

  test("a good --timeout is taken on a simulated card", () => {
    const r = webcard(["list", "--sim", join(dir, "ok.sqlite"), "--timeout", "2.5"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("a wrong key", () => {
  const state = join(dir, "keys.sqlite");
  const wrong = "00112233445566778899AABBCCDDEEFF";
  test("names the key set version the card answered with, never the key", () => {
    let r = webcard(["list", "--sim", state, "--key", wrong]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("Wrong key: the card's cryptogram does not match");
    expect(r.stderr).toContain("the card answered with key set version 255 (0xFF)");
    expect(r.stderr).not.toContain(wrong);
    expect(webcard(["put-key", "--sim", state, "--new-key", "404142434445464748494A4B4C4D4E4F", "--new-key-version", "2"]).code).toBe(0);
    r = webcard(["list", "--sim", state, "--key", wrong]);
    expect(r.stderr).toContain("the card answered with key set version 2 (0x02)");
  });
});
