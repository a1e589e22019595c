/**
 * Option handling and messages a technician meets: one line saying what is
 * wrong and where to look, and the card left as it was. Subprocesses on
 * simulated cards' state files.
 */
import { test, expect, afterAll } from "bun:test";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { webcard } from "../harness/cli.ts";

const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const hello = join(FIXTURES, "kaoh_helloworld.cap");
const dir = mkdtempSync(join(tmpdir(), "webcard-messages-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function oneLine(r: ReturnType<typeof webcard>, text: string, code: number) {
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toContain(text);
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: "" });
}

test("odd-length hex says so, for an AID, an APDU, --params and a key", () => {
  const state = join(dir, "hex.sqlite");
  oneLine(webcard(["delete", "0102030", "--sim", state]), "AID '0102030' is not hex: odd number of hex digits (7)", 2);
  oneLine(webcard(["apdu", "00A404000", "--reader", "none"]), "odd number of hex digits (9)", 2);
  oneLine(webcard(["install", hello, "--params", "123", "--sim", state]), "--params '123' is not hex: odd number of hex digits (3)", 2);
  const key = webcard(["list", "--sim", state, "--key", "404142434445464748494A4B4C4D4E4"]);
  oneLine(key, "odd number of hex digits (31)", 2);
  expect(key.stderr).not.toContain("404142");
});

test("an unknown option points to the command's own --help", () => {
  oneLine(webcard(["list", "--bogus"]), "webcard: Unknown option `--bogus` (see 'webcard list --help')", 2);
  oneLine(webcard(["install", "x.cap", "--bogus"]), "(see 'webcard install --help')", 2);
});

test("install --sim app.cap installs app.cap on the default simulated card", () => {
  const data = join(dir, "data");
  const r = webcard(["install", "--sim", hello], { XDG_DATA_HOME: data, HOME: dir });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  expect(r.stdout).toContain("Installed applet D0D1D2D3D4D50101");
  expect(existsSync(join(data, "webcard", "card.sqlite"))).toBe(true);
});

test("lock twice says it is already locked, unlock twice that it is not locked; the card is unchanged", () => {
  const state = join(dir, "lock.sqlite");
  expect(webcard(["install", hello, "--sim", state]).code).toBe(0);
  const list = () => webcard(["list", "--sim", state, "--json"]).stdout;
  expect(webcard(["lock", "D0D1D2D3D4D50101", "--sim", state]).stdout).toBe("Locked D0D1D2D3D4D50101\n");
  let before = list();
  oneLine(webcard(["lock", "D0D1D2D3D4D50101", "--sim", state]), "webcard: Application D0D1D2D3D4D50101 is already locked: nothing to do", 1);
  expect(list()).toBe(before);
  expect(webcard(["unlock", "D0D1D2D3D4D50101", "--sim", state]).stdout).toBe("Unlocked D0D1D2D3D4D50101\n");
  before = list();
  oneLine(webcard(["unlock", "D0D1D2D3D4D50101", "--sim", state]), "webcard: Application D0D1D2D3D4D50101 is not locked: nothing to do", 1);
  expect(list()).toBe(before);
});

test("list names the link application, hides the Java Card API packages unless --all, and names them there", () => {
  const state = join(dir, "list.sqlite");
  const plain = webcard(["list", "--sim", state]);
  expect(plain.code).toBe(0);
  expect(plain.stdout).toContain("APP: F05745424341524401 (selectable)\n     name: webcard link application (the card's web server)\n");
  expect(plain.stdout).not.toContain("A0000000620101");
  expect(plain.stdout).toMatch(/\n\(\d+ Java Card API packages not shown: --all lists them\)\n$/);
  const all = webcard(["list", "--all", "--sim", state]);
  expect(all.stdout).toContain("PKG: A0000000620101 (loaded)\n     name: javacard.framework\n     version: 1.6\n");
  expect(all.stdout).not.toContain("not shown");
});

test("--privs takes names or hex, and says what hex it takes", () => {
  const byName = JSON.parse(webcard(["install", hello, "--via", "gp", "--privs", "card-reset", "--sim", join(dir, "privs-name.sqlite"), "--json"]).stdout);
  const byHex = JSON.parse(webcard(["install", hello, "--via", "gp", "--privs", "04", "--sim", join(dir, "privs-hex.sqlite"), "--json"]).stdout);
  expect(byName.installed[0].privileges).toEqual(["card-reset"]);
  expect(byHex.installed[0].privileges).toEqual(["card-reset"]);
  oneLine(webcard(["install", hello, "--privs", "0400", "--sim", join(dir, "privs-bad.sqlite")]), "Privileges '0400' in hex are 1 or 3 bytes (2 or 6 hex digits)", 2);
});

test("fetch with a method a page does not take gets 405 and Allow; an unknown page 404", () => {
  const state = join(dir, "fetch.sqlite");
  const r = webcard(["fetch", "/loader", "-X", "DELETE", "-i", "--sim", state]);
  expect(r.stdout).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r?\n/);
  expect(r.stdout.toLowerCase()).toContain("allow: get, head");
  expect(r.stdout).toContain("DELETE is not allowed on /loader: use GET or HEAD");
  const post = webcard(["fetch", "/cgi-bin/load", "-i", "--sim", state]);
  expect(post.stdout).toMatch(/^HTTP\/1\.1 405 /);
  expect(post.stdout.toLowerCase()).toContain("allow: post");
  expect(webcard(["fetch", "/nothing", "-X", "PUT", "-i", "--sim", state]).stdout).toMatch(/^HTTP\/1\.1 404 /);
});

test("put-key says whether it added or replaced a key set and which versions the card holds then", () => {
  const state = join(dir, "keys.sqlite");
  const k2 = "00112233445566778899AABBCCDDEEFF";
  const added = webcard(["put-key", "--sim", state, "--new-key", k2, "--new-key-version", "2", "--replace-version", "0"]);
  expect(added.stdout).toBe("Key set version 2 added: KCV ENC 3544E0 MAC 3544E0 DEK 3544E0\nThe card now holds key set version 2 (before: version 255)\n");
  const more = webcard(["put-key", "--sim", state, "--key", k2, "--key-version", "2", "--new-key", "00112233445566778899AABBCCDDEEF0", "--new-key-version", "3", "--replace-version", "0"]);
  expect(more.stdout).toContain("Key set version 3 added");
  expect(more.stdout).toContain("The card now holds key set versions 2, 3 (before: version 2)");
  const replaced = webcard(["put-key", "--sim", state, "--key", k2, "--key-version", "2", "--new-key", "00112233445566778899AABBCCDDEEF1", "--new-key-version", "2", "--json"]);
  expect(JSON.parse(replaced.stdout)).toMatchObject({ ok: true, version: 2, replaced: 2, versionsBefore: [2, 3], versionsOnCard: [2, 3] });
  expect(replaced.stdout).not.toContain("00112233445566778899AABBCCDDEEF1");
});

test("--block-size is offered only by the commands that send LOAD", () => {
  for (const command of ["list", "delete", "lock", "unlock", "put-key"]) expect({ command, help: webcard([command, "--help"]).stdout.includes("--block-size") }).toEqual({ command, help: false });
  for (const command of ["install", "load"]) expect({ command, help: webcard([command, "--help"]).stdout.includes("--block-size") }).toEqual({ command, help: true });
});
