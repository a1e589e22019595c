/**
 * `webcard rename-isd AID` (STORE DATA 4F to the ISD, as GlobalPlatformPro's
 * --rename-isd): the simulated card answers to the new AID, and the ISD keeps
 * its content (applications and packages associated with it), its data
 * objects (CPLC personalisation) and its keys (the token key, version 70).
 * An AID already in use is refused in one line and the card stays as it was.
 */
import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { tempTrees } from "../harness/temp-tree.ts";
import { webcard } from "../harness/cli.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";

const trees = tempTrees("webcard-rename-isd-");
afterAll(() => trees.remove());
const dir = trees.tree({});
const OLD = "A000000151000000";
const NEW = "A0000001510000AA";

const ok = (args: string[]) => {
  const r = webcard([...args, "--json"]);
  expect({ args: args.join(" "), stderr: r.stderr, code: r.code }).toEqual({ args: args.join(" "), stderr: "", code: 0 });
  return JSON.parse(r.stdout);
};

test("the ISD takes a new AID and keeps its content, data and keys", () => {
  const sim = ["--sim", join(dir, "card.sqlite")];
  const token = join(dir, "token.pem");
  const tokenPub = join(dir, "token-pub.pem");
  for (const args of [["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", token], ["pkey", "-in", token, "-pubout", "-out", tokenPub]]) {
    expect(spawnSync("openssl", args).status).toBe(0);
  }
  ok(["put-key", ...sim, "--public", tokenPub, "--new-key-version", "0x70"]);
  ok(["card", "set-perso", "--data", "4750000012345678", ...sim]);
  ok(["install", join(FIXTURE_DIR, "kaoh_helloworld.cap"), "--via", "gp", ...sim]);
  const before = ok(["list", ...sim]);
  const keysBefore = ok(["info", ...sim]).keys as { version: number }[];
  expect(keysBefore.some((k) => k.version === 0x70)).toBe(true); // the token key, kept in the ISD's key store

  expect(ok(["rename-isd", NEW, ...sim])).toMatchObject({ isd: NEW, before: OLD });
  const after = ok(["list", ...sim]);
  expect(after.isd.map((e: { aid: string }) => e.aid)).toEqual([NEW]);
  // Everything associated with the ISD follows it.
  const domainsOf = (l: typeof before) => (l.apps as { aid: string; domain?: string }[]).map((a) => [a.aid, a.domain]);
  expect(domainsOf(after)).toEqual(domainsOf(before).map(([aid, d]) => [aid, d === OLD ? NEW : d]));
  expect((after.loadFiles as { aid: string; domain?: string }[]).find((f) => f.aid === "D0D1D2D3D4D501")?.domain).toBe(NEW);
  expect(ok(["info", ...sim]).keys).toEqual(keysBefore);
  expect(webcard(["info", "--tag", "9F7F", ...sim]).stdout.trim().slice(-16)).toBe("4750000012345678");
  // SELECT of the old AID finds nothing now; of the new one, the ISD.
  expect(webcard(["apdu", ...sim, `00A4040008${OLD}`]).stdout).toContain("6A82");
  expect(webcard(["apdu", ...sim, `00A4040008${NEW}`]).stdout).toContain("9000");

  // An AID in use: one line, and the card keeps its name.
  const taken = webcard(["rename-isd", "D0D1D2D3D4D50101", ...sim]);
  expect({ code: taken.code, lines: taken.stderr.trim().split("\n").length }).toEqual({ code: 1, lines: 1 });
  expect(taken.stderr).toContain("another application, package or domain uses it");
  expect(ok(["list", ...sim]).isd.map((e: { aid: string }) => e.aid)).toEqual([NEW]);
  const short = webcard(["rename-isd", "A00001", ...sim]);
  expect({ code: short.code, lines: short.stderr.trim().split("\n").length }).toEqual({ code: 2, lines: 1 });
}, 120_000);
