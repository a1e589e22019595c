/**
 * `put-key --new-key kdf3:MASTER` (and emv:/visa2: under SCP02) rotates the
 * ISD's key set to this card's diversified keys in one command; the next
 * session authenticates with `--key kdf3:MASTER` and no longer with MASTER
 * itself. The KDF3 ENC key's check value is recomputed with openssl (AES-CMAC
 * over GlobalPlatformPro's KDF3 template, then the SCP03 KCV).
 */
import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { tempTrees } from "../harness/temp-tree.ts";
import { webcard } from "../harness/cli.ts";

const trees = tempTrees("webcard-put-key-kdf-");
afterAll(() => trees.remove());
const dir = trees.tree({});
const MASTER = "00112233445566778899AABBCCDDEEFF";

const ok = (args: string[]) => {
  const r = webcard([...args, "--json"]);
  expect({ args: args.join(" "), stderr: r.stderr, code: r.code }).toEqual({ args: args.join(" "), stderr: "", code: 0 });
  return JSON.parse(r.stdout);
};

function openssl(args: string[], input: Buffer): Buffer {
  const r = spawnSync("openssl", args, { input });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** KDF3 (counter 01 | 00 00 00 | key type 01 ENC | 00 | KDD) with openssl's AES-CMAC, then the SCP03 KCV (AES-ECB of 16 x 01, 3 bytes). */
function kdf3EncKcv(master: string, kdd: string): string {
  const key = openssl(["mac", "-cipher", "AES-128-CBC", "-macopt", `hexkey:${master}`, "CMAC"], Buffer.from(`010000000100${kdd}`, "hex")).toString().trim();
  return openssl(["enc", "-aes-128-ecb", "-K", key, "-nopad"], Buffer.alloc(16, 1)).subarray(0, 3).toString("hex").toUpperCase();
}

test("SCP03: put-key --new-key kdf3:MASTER, then the diversified keys open the session and MASTER alone does not", () => {
  const sim = ["--sim", join(dir, "scp03.sqlite")];
  const put = ok(["put-key", ...sim, "--new-key", `kdf3:${MASTER}`, "--new-key-version", "1"]);
  expect(put.diversified.kdf).toBe("kdf3");
  expect(put.diversified.kdd).toMatch(/^[0-9A-F]{20}$/);
  expect(put.versionsOnCard).toEqual([1]);
  const list = ok(["list", ...sim, "--key", `kdf3:${MASTER}`]);
  expect(list.channel.kcv).toEqual(put.kcv);
  const plain = webcard(["list", ...sim, "--key", MASTER, "--kdf", "none"]);
  expect({ code: plain.code, lines: plain.stderr.trim().split("\n").length }).toEqual({ code: 1, lines: 1 });
  expect(plain.stderr).toContain("Wrong key");
  expect(put.kcv.enc).toBe(kdf3EncKcv(MASTER, put.diversified.kdd));
});

test("SCP02: put-key --new-key emv:MASTER puts the EMV CPS diversified 3DES keys", () => {
  const sim = ["--sim", join(dir, "scp02.sqlite"), "--scp", "02"];
  const put = ok(["put-key", ...sim, "--new-key", `emv:${MASTER}`, "--new-key-version", "0x20"]);
  expect(put.diversified.kdf).toBe("emv");
  expect(ok(["list", ...sim, "--key", `emv:${MASTER}`]).channel.kcv).toEqual(put.kcv);
  const plain = webcard(["list", ...sim, "--key", MASTER, "--kdf", "none"]);
  expect({ code: plain.code, lines: plain.stderr.trim().split("\n").length }).toEqual({ code: 1, lines: 1 });
});
