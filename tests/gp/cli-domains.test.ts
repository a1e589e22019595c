/**
 * The security domain commands as a user runs them (subprocesses on one
 * simulated card's state file): domain create, put-key --sd (key set and
 * DAP key), load --sd with --dap-key, install, store-data, move, card
 * lock/unlock/terminate, delete-key, dap sign/verify, delete; `list --json`
 * after the steps that change the registry. Bad input fails in one line.
 */
import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { tempTrees } from "../harness/temp-tree.ts";
import { webcard } from "../harness/cli.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";

const trees = tempTrees("webcard-cli-sd-");
afterAll(() => trees.remove());
const dir = trees.tree({});
const STATE = join(dir, "card.sqlite");
const CAP = join(FIXTURE_DIR, "kaoh_helloworld.cap");
const SSD = "A00000015153504101";
const ISD = "A000000151000000";
const NEW = "00112233445566778899AABBCCDDEEFF";
const DAP = join(dir, "dap.pem");
const DAP_PUB = join(dir, "dap-pub.pem");
for (const args of [["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", DAP], ["pkey", "-in", DAP, "-pubout", "-out", DAP_PUB]]) {
  const r = spawnSync("openssl", args);
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
}

const sim = ["--sim", STATE];
const onSsd = [...sim, "--sd", SSD, "--key", NEW];
const json = (args: string[]) => {
  const r = webcard([...args, "--json"]);
  expect({ args: args.join(" "), stderr: r.stderr, code: r.code }).toEqual({ args: args.join(" "), stderr: "", code: 0 });
  return JSON.parse(r.stdout);
};
const apps = () => json(["list", ...sim]).apps as { aid: string; domain?: string; lifecycle: string; privileges: string[] }[];

test("a technician's session with a supplementary security domain, step by step", () => {
  json(["domain", "create", SSD, "--privs", "authorized-management,dap-verification", ...sim]);
  expect(apps().find((a) => a.aid === SSD)).toMatchObject({ lifecycle: "selectable" });

  json(["put-key", ...sim, "--sd", SSD, "--new-key", NEW, "--new-key-version", "0x30"]);
  expect(apps().find((a) => a.aid === SSD)).toMatchObject({ lifecycle: "personalized" });
  json(["put-key", ...onSsd, "--public", DAP_PUB]);

  // The SSD verifies DAPs: without one the load is refused in one line, with one it goes in.
  const refused = webcard(["load", CAP, ...onSsd]);
  expect(refused.code).toBe(1);
  expect(refused.stderr.trim().split("\n")).toHaveLength(1);
  const signed = webcard(["dap", "sign", CAP, "--dap-key", DAP, "--dap-domain", SSD, "--json"]);
  const sig = JSON.parse(signed.stdout).signature as string;
  expect(webcard(["dap", "verify", CAP, "--dap-key", DAP_PUB, "--dap-domain", SSD, "--signature", sig]).code).toBe(0);
  expect(webcard(["dap", "verify", CAP, "--dap-key", DAP_PUB, "--signature", "00" + sig.slice(2)]).code).toBe(1);
  json(["load", CAP, ...onSsd, "--dap-key", DAP]);
  const files = json(["list", ...sim]).loadFiles as { aid: string; domain?: string }[];
  expect(files.find((f) => f.aid === "D0D1D2D3D4D501")).toMatchObject({ domain: SSD });

  json(["install", CAP, ...onSsd, "--via", "gp"]);
  expect(apps().find((a) => a.aid === "D0D1D2D3D4D50101")).toMatchObject({ domain: SSD });
  json(["store-data", "D0D1D2D3D4D50101", ...onSsd, "--data", "5F200401020304", "--ber-tlv"]);
  json(["store-data", SSD, ...onSsd, "--data", "4504CAFEBABE", "--ber-tlv"]);

  json(["move", "D0D1D2D3D4D50101", "--to", ISD, ...onSsd]);
  expect(apps().find((a) => a.aid === "D0D1D2D3D4D50101")).toMatchObject({ domain: ISD });

  json(["card", "lock", ...sim]);
  expect((json(["list", ...sim]).isd as { lifecycle: string }[])[0]!.lifecycle).toBe("card-locked");
  json(["card", "unlock", ...sim]);
  const noConfirm = webcard(["card", "terminate", ...sim]);
  expect(noConfirm.code).toBe(2);
  expect(noConfirm.stderr).toContain("--yes-i-understand-terminate");
  const simRefuses = webcard(["card", "terminate", "--yes-i-understand-terminate", ...sim]);
  expect(simRefuses.code).toBe(1);

  const inUse = webcard(["delete-key", "0x30", ...onSsd]);
  expect(inUse.code).toBe(1);
  expect(inUse.stderr).toContain("6985");

  json(["delete", "D0D1D2D3D4D50101", ...sim]);
  json(["delete", "D0D1D2D3D4D501", "--force", ...onSsd]);
  const refusedByDelete = webcard(["delete", SSD, ...sim]);
  expect(refusedByDelete.code).toBe(1);
  json(["domain", "delete", SSD, ...sim]);
  expect(apps().filter((a) => a.aid === SSD || a.aid.startsWith("D0D1D2"))).toEqual([]);
}, 120_000);

test("bad input is one line and exit 2, before the card is touched", () => {
  for (const args of [
    ["domain", "make", SSD, ...sim],
    ["domain", "create", "12", ...sim],
    ["move", SSD, ...sim],
    ["store-data", SSD, ...sim],
    ["store-data", SSD, "--data", "XYZ", ...sim],
    ["card", "explode", ...sim],
    ["delete-key", "300", ...sim],
    ["dap", "sign", CAP],
    ["load", CAP, "--dap-key", join(dir, "missing.pem"), ...sim],
    ["list", "--sd", SSD, "--isd", ISD, ...sim],
  ]) {
    const r = webcard(args);
    expect({ args: args.join(" "), code: r.code, lines: r.stderr.trim().split("\n").length }).toEqual({ args: args.join(" "), code: 2, lines: 1 });
  }
});

test("create from a loaded package, --create-only, info --tag, uninstall by CAP file", () => {
  const state = ["--sim", join(dir, "create.sqlite")];
  json(["load", CAP, ...state]);
  json(["create", "D0D1D2D3D4D50102", "--package", "D0D1D2D3D4D501", "--applet", "D0D1D2D3D4D50101", ...state]);
  json(["create", "D0D1D2D3D4D50103", "--package", "D0D1D2D3D4D501", "--applet", "D0D1D2D3D4D50101", "--create-only", ...state]);
  const listed = json(["list", ...state]).apps as { aid: string; lifecycle: string }[];
  expect(listed.filter((a) => a.aid.startsWith("D0D1D2")).map((a) => [a.aid, a.lifecycle])).toEqual([
    ["D0D1D2D3D4D50102", "selectable"],
    ["D0D1D2D3D4D50103", "installed"],
  ]);
  const cplc = webcard(["info", "--tag", "9F7F", ...state]);
  expect(cplc.code).toBe(0);
  expect(cplc.stdout.trim()).toMatch(/^9F7F2A[0-9A-F]{84}$/);
  const missing = webcard(["info", "--tag", "DF7E", ...state]);
  expect({ code: missing.code, lines: missing.stderr.trim().split("\n").length }).toEqual({ code: 1, lines: 1 });
  expect(missing.stderr).toContain("6A88");
  json(["uninstall", CAP, ...state]);
  const after = json(["list", ...state]);
  expect((after.apps as { aid: string }[]).filter((a) => a.aid.startsWith("D0D1D2"))).toEqual([]);
  expect((after.loadFiles as { aid: string }[]).filter((f) => f.aid === "D0D1D2D3D4D501")).toEqual([]);
}, 60_000);
