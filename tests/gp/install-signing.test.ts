/**
 * `install --domain SD --dap-key FILE --dm-token-key FILE` as a user runs it
 * (subprocesses on one simulated card's state file), on the gp and bridge
 * paths: INSTALL [for load] names the SD and carries the hash (and a token),
 * LOAD the DAP block, INSTALL [for install] a token, and the instances end
 * up associated with the SD. The web path refuses in one line; auto takes
 * the bridge. A missing token or DAP is refused by the card and changes nothing.
 */
import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { tempTrees } from "../harness/temp-tree.ts";
import { webcard } from "../harness/cli.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";

const trees = tempTrees("webcard-install-signing-");
afterAll(() => trees.remove());
const dir = trees.tree({});
const CAP = join(FIXTURE_DIR, "kaoh_helloworld.cap");
const PKG = "D0D1D2D3D4D501";
const APPLET = "D0D1D2D3D4D50101";
const SSD = "A00000015153504101";
const NEW = "00112233445566778899AABBCCDDEEFF";
const key = (name: string, gen: string[]) => {
  const priv = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}-pub.pem`);
  for (const args of [["genpkey", ...gen, "-out", priv], ["pkey", "-in", priv, "-pubout", "-out", pub]]) {
    const r = spawnSync("openssl", args);
    if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
  }
  return { priv, pub };
};
const DAP = key("dap", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
const TOKEN = key("token", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]);

const ok = (args: string[]) => {
  const r = webcard([...args, "--json"]);
  expect({ args: args.join(" "), stderr: r.stderr, code: r.code }).toEqual({ args: args.join(" "), stderr: "", code: 0 });
  return JSON.parse(r.stdout);
};
/** Where the package and the applet are on the card: their security domains, or "absent". */
const where = (sim: string[]) => {
  const l = ok(["list", ...sim]);
  const app = (l.apps as { aid: string; domain?: string }[]).find((a) => a.aid === APPLET);
  const file = (l.loadFiles as { aid: string; domain?: string }[]).find((f) => f.aid === PKG);
  return { app: app ? app.domain : "absent", file: file ? file.domain : "absent" };
};

/** A card with an SSD (the given privileges, its own keys, a DAP key) and the ISD's token key. */
function cardWithSsd(name: string, privs: string): string[] {
  const sim = ["--sim", join(dir, `${name}.sqlite`)];
  ok(["domain", "create", SSD, "--privs", privs, ...sim]);
  ok(["put-key", ...sim, "--sd", SSD, "--new-key", NEW, "--new-key-version", "0x30"]);
  ok(["put-key", ...sim, "--sd", SSD, "--key", NEW, "--public", DAP.pub]);
  ok(["put-key", ...sim, "--public", TOKEN.pub, "--new-key-version", "0x70"]);
  return sim;
}

test("gp path through the ISD: --domain loads into the SSD with a DAP and moves the instance there", () => {
  const sim = cardWithSsd("gp", "authorized-management,dap-verification");
  // The SSD verifies DAPs: --domain without --dap-key is refused by the card, and nothing is left behind.
  const refused = webcard(["install", CAP, ...sim, "--via", "gp", "--domain", SSD]);
  expect({ code: refused.code, lines: refused.stderr.trim().split("\n").length }).toEqual({ code: 1, lines: 1 });
  expect(where(sim)).toEqual({ app: "absent", file: "absent" });
  const r = webcard(["install", CAP, ...sim, "--via", "gp", "--domain", SSD, "--dap-key", DAP.priv]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  expect(r.stdout).toContain(`Installed applet ${APPLET}`);
  expect(r.stdout).toContain(`Associated the new instances with security domain ${SSD} (INSTALL [for extradition])`);
  expect(where(sim)).toEqual({ app: SSD, file: SSD });
}, 120_000);

test("bridge path through an SSD with delegated management: tokens on INSTALL [for load] and [for install], a DAP on LOAD", () => {
  const sim = cardWithSsd("bridge", "delegated-management,dap-verification");
  const onSsd = [...sim, "--sd", SSD, "--key", NEW];
  // Without a token the ISD refuses the delegated load: one line, the card as it was.
  const noToken = webcard(["install", CAP, ...onSsd, "--via", "bridge", "--dap-key", DAP.priv]);
  expect({ code: noToken.code, lines: noToken.stderr.trim().split("\n").length }).toEqual({ code: 1, lines: 1 });
  expect(where(sim)).toEqual({ app: "absent", file: "absent" });
  const out = ok(["install", CAP, ...onSsd, "--via", "bridge", "--domain", SSD, "--dap-key", DAP.priv, "--dm-token-key", TOKEN.priv]);
  expect(out.path).toBe("bridge");
  expect(out.installed.map((i: { instance: string }) => i.instance)).toEqual([APPLET]);
  expect(where(sim)).toEqual({ app: SSD, file: SSD });
  // The same on the gp path with tokens: delete (through the ISD), then install again signed.
  ok(["delete", PKG, "--force", ...sim]);
  expect(where(sim)).toEqual({ app: "absent", file: "absent" });
  const gp = ok(["install", CAP, ...onSsd, "--via", "gp", "--dap-key", DAP.priv, "--dm-token-key", TOKEN.priv]);
  expect(gp.installed.map((i: { instance: string }) => i.instance)).toEqual([APPLET]);
  expect(where(sim)).toEqual({ app: SSD, file: SSD });
}, 120_000);

test("the card's own loader cannot carry them: --via web refuses in one line, auto takes the bridge", () => {
  const sim = cardWithSsd("web", "authorized-management,dap-verification");
  const web = webcard(["install", CAP, ...sim, "--via", "web", "--domain", SSD, "--dap-key", DAP.priv]);
  expect({ code: web.code, stderr: web.stderr }).toEqual({
    code: 2,
    stderr: "webcard: --domain, --dap-key, --dm-token-key and --hash need a GlobalPlatform path: the card's own loader (--via web) loads into the ISD only; use --via bridge or gp\n",
  });
  expect(where(sim)).toEqual({ app: "absent", file: "absent" });
  const auto = ok(["install", CAP, ...sim, "--domain", SSD, "--dap-key", DAP.priv]);
  expect(auto.path).toBe("bridge");
  expect(where(sim)).toEqual({ app: SSD, file: SSD });
}, 120_000);

test("a token key whose signatures do not fit INSTALL's one-byte token length is refused in one line, before the card", () => {
  const big = key("token-2048", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
  const sim = ["--sim", join(dir, "big-token.sqlite")];
  const r = webcard(["install", CAP, ...sim, "--via", "gp", "--dm-token-key", big.priv]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({
    code: 2,
    stderr: `webcard: --dm-token-key ${big.priv}: an RSA-2048 token is 256 bytes, INSTALL carries at most 255: use RSA 1024 or an EC P-256 key\n`,
  });
  expect(where(sim)).toEqual({ app: "absent", file: "absent" });
});

test("--dap-key without a domain signs for the ISD the session found, not A000000151000000 (a card whose ISD is A000000003000000)", () => {
  const sim = ["--sim", join(dir, "sce60.sqlite"), "--profile", "sce60"];
  const r = webcard(["install", CAP, ...sim, "--via", "gp", "--dap-key", DAP.priv, "--trace"]);
  expect({ code: r.code }).toEqual({ code: 0 });
  // The first LOAD block opens with the DAP block: E2 { 4F <the ISD's AID> C3 <signature> }.
  const firstLoad = r.stderr.split("\n").find((l) => /^=> 84E80000/.test(l)) ?? "";
  expect(firstLoad).toMatch(/^=> 84E80000..E2..4F08A000000003000000C3/);
}, 60_000);
