/** The GP commands as a user meets them: subprocesses on a simulated card's state file. */
import { test, expect, describe, afterAll } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { webcard } from "../harness/cli.ts";
import { LINK_AID } from "../../src/stack/link/constants.ts";

const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures/cap");
const dir = mkdtempSync(join(tmpdir(), "webcard-gp-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Applications other than the simulated card's built-in web-card link application. */
function installedApps<A extends { aid: string }>(list: { apps: A[] }): A[] {
  return list.apps.filter((a) => a.aid !== toHex(LINK_AID));
}

/** A failure: exit 1, nothing on stdout, exactly one line on stderr. */
function expectOneLineFailure(r: ReturnType<typeof webcard>, text: string) {
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toContain(text);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
}

describe("install, list, delete on a simulated card's state file", () => {
  const state = join(dir, "card.sqlite");
  test("install prints what it loaded and installed", () => {
    const r = webcard(["install", join(FIXTURES, "kaoh_helloworld.cap"), "--via", "gp", "--sim", state]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("Loaded package D0D1D2D3D4D501 1.0: 250 bytes in 2 LOAD blocks of 247\nInstalled applet D0D1D2D3D4D50101\n");
    expect(r.code).toBe(0);
  });

  test("list --json shows the application and the package, with KCVs and no key", () => {
    const r = webcard(["list", "--sim", state, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(installedApps(j)).toEqual([
      expect.objectContaining({ aid: "D0D1D2D3D4D50101", lifecycle: "selectable", loadFile: "D0D1D2D3D4D501" }),
    ]);
    expect(j.loadFiles.find((f: { aid: string }) => f.aid === "D0D1D2D3D4D501").modules).toEqual(["D0D1D2D3D4D50101"]);
    expect(j.channel.kcv).toEqual({ enc: "504A77", mac: "504A77", dek: "504A77" });
    expect(r.stdout).not.toContain("404142434445464748494A4B4C4D4E4F");
  });

  test("lock and unlock", () => {
    expect(webcard(["lock", "D0D1D2D3D4D50101", "--sim", state]).stdout).toBe("Locked D0D1D2D3D4D50101\n");
    const locked = JSON.parse(webcard(["list", "--sim", state, "--json"]).stdout);
    expect(installedApps<{ aid: string; lifecycle: string }>(locked)[0]!.lifecycle).toBe("locked");
    expect(webcard(["unlock", "D0D1D2D3D4D50101", "--sim", state]).stdout).toBe("Unlocked D0D1D2D3D4D50101\n");
  });

  test("delete without --force is refused while an instance lives; with --force it goes", () => {
    expectOneLineFailure(webcard(["delete", "D0D1D2D3D4D501", "--sim", state]), "use --force");
    const r = webcard(["delete", "D0D1D2D3D4D501", "--force", "--sim", state]);
    expect(r.stdout).toBe("Deleted package D0D1D2D3D4D501 and its related objects\n");
    const j = JSON.parse(webcard(["list", "--sim", state, "--json"]).stdout);
    expect(installedApps(j)).toEqual([]);
  });

  test("a digits-only AID keeps its leading zero", () => {
    const r = webcard(["install", join(FIXTURES, "gppro_Empty_0102030405_2.2.1.cap"), "--via", "gp", "--sim", state, "--instance", "0102030405060709"]);
    expect(r.stdout).toContain("Installed applet 0102030405060708 as 0102030405060709");
    expect(webcard(["delete", "--force", "0102030405", "--sim", state]).stdout).toBe(
      "Deleted package 0102030405 and its related objects\n",
    );
  });
});

test("an SCP02 card with encryption, chosen on the command line", () => {
  const state = join(dir, "scp02.sqlite");
  const r = webcard(["install", join(FIXTURES, "omapi_T1_omapitest4.cap"), "--via", "gp", "--scp", "02", "--mode", "enc", "--sim", state, "--json"]);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.stdout);
  expect(j.channel).toMatchObject({ scp: "02", level: "enc", blockSize: 239, kcv: { enc: "8BAF47" } });
  expect(j.installed).toEqual([{ module: "A000000600020001EE05150101010101", instance: "A000000600020001EE05150101010101", privileges: [], lifeCycle: "selectable" }]);
});

describe("errors are one line and exit 1", () => {
  test("a load file over 256 blocks, before the card is even opened", () => {
    const big = join(dir, "big.cap");
    writeFileSync(
      big,
      writeCap({
        packageAid: fromHex("F000000001"),
        packageName: "com.example.big",
        applets: [{ aid: fromHex("F00000000101"), className: "Big" }],
        padding: 64_000,
      }),
    );
    const state = join(dir, "never.sqlite");
    const r = webcard(["install", big, "--via", "gp", "--sim", state]);
    expectOneLineFailure(r, "LOAD blocks of 247 bytes, more than the 256 that LOAD can number");
    expect(r.stderr).toContain("split the package");
    expect(existsSync(state)).toBe(false);
  });

  test("a wrong key stops after one attempt (GP_KEY honoured)", () => {
    const state = join(dir, "wrongkey.sqlite");
    const r = webcard(["list", "--sim", state], { GP_KEY: "00112233445566778899AABBCCDDEEFF" });
    expectOneLineFailure(r, "Wrong key: the card's cryptogram does not match, so webcard stopped after one attempt");
    expect(r.stderr).toContain("key from GP_KEY");
    expect(r.stderr).not.toContain("00112233445566778899AABBCCDDEEFF");
  });

  test("a corrupt CAP", () => {
    const bad = join(dir, "bad.cap");
    writeFileSync(bad, "this is not a CAP file");
    expectOneLineFailure(webcard(["install", bad, "--sim", join(dir, "x.sqlite")]), "bad.cap: not a ZIP or IJC load file");
  });

  test("an unknown AID", () => {
    expectOneLineFailure(
      webcard(["delete", "A0000000FF01", "--sim", join(dir, "unknown.sqlite")]),
      "webcard: Application A0000000FF01 not found on the card (6A88)",
    );
  });

  test("a CAP importing a package the card lacks (pysim)", () => {
    expectOneLineFailure(
      webcard(["install", join(FIXTURES, "pysim_test_javacard.cap"), "--via", "gp", "--sim", join(dir, "pysim.sqlite")]),
      "LOAD refused with 6A80: the card lacks imported package A0000000090003FFFFFFFF8910710002 2.6",
    );
  });

  test("bad usage exits 2", () => {
    const r = webcard(["install", join(FIXTURES, "kaoh_helloworld.cap"), "--mode", "loud", "--sim", join(dir, "u.sqlite")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("webcard: Unknown security level 'loud': use one of clear, mac, enc, rmac, renc");
  });
});

test("webcard demo installs through the web-card flow and prints its four steps, then the registry", () => {
  const r = webcard(["demo"]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  const lines = r.stdout.split("\n");
  // Each step, in order, as it happened on the link (session ids: 01-7F opened by the terminal, 81-FF by the card).
  const expected = [
    /^Built a sample applet with the CAP builder: package F0776562636172 /,
    /^Selected the card's link application and opened a secure channel in it: SCP03 security level 01 \(C-MAC\), default test keys KCV ENC [0-9A-F]{6} /,
    /^1\. Session 01, opened by the terminal .*loading page$/,
    /^ {5}=> GET \/loader HTTP\/1\.1 \(\d+ bytes\)$/,
    /^ {5}<= HTTP\/1\.1 202 Accepted \(\d+ bytes\)$/,
    /^2\. Session 81, opened by the card \(card agent 02 -> terminal agent 01\): the loader delivers its parameters$/,
    /^ {5}<= POST \/webcard\/loader-parameters HTTP\/1\.1 \(\d+ bytes\)$/,
    /^ {5}CAP versions 2\.1, 2\.2; free memory \d+ bytes; block size \d+; security level 01 \(C-MAC\)$/,
    /^ {5}nonce [0-9A-F]{32}; script \/cgi-bin\/load$/,
    /^3\. Session 02, opened by the terminal .*: OL posts the loading file to \/cgi-bin\/load$/,
    /^ {5}=> POST \/cgi-bin\/load HTTP\/1\.1 \(\d+ bytes\)$/,
    /^ {5}<= HTTP\/1\.1 200 OK \(\d+ bytes\)$/,
    /^4\. The card's CGI gateway ran \/cgi-bin\/load; .* orders to the card manager:$/,
    /^ {5}INSTALL \[for load\] F0776562636172$/,
    /^ {5}LOAD \d+ bytes$/,
    /^ {5}INSTALL \[for install and make selectable\] F077656263617201 as F077656263617201$/,
    /^ {3}package F0776562636172 loaded and installed \(2 EXCHANGE round trips after authentication\)$/,
    /^ {3}APP: F05745424341524401 \(selectable\)$/,
    /^ {3}APP: F077656263617201 \(selectable\)$/,
    /^ {3}PKG: F0776562636172 \(loaded\)$/,
    /^Done in [\d.]+ s\./,
  ];
  let at = 0;
  for (const re of expected) {
    const found = lines.findIndex((l, i) => i >= at && re.test(l));
    expect({ re: re.source, found: found >= 0 }).toEqual({ re: re.source, found: true });
    at = found + 1;
  }
  const j = JSON.parse(webcard(["demo", "--json"]).stdout);
  expect(j).toMatchObject({ ok: true, via: "web", channel: { scp: "03", level: "mac" }, result: { status: 200 }, exchanges: 2 });
  expect(j.installed).toEqual([{ applet: "F077656263617201", instance: "F077656263617201" }]);
  expect(j.steps.session1).toMatchObject({ id: "01", opener: "terminal", messages: [{ line: "GET /loader HTTP/1.1" }, { line: "HTTP/1.1 202 Accepted" }] });
  expect(j.steps.session2).toMatchObject({ id: "81", opener: "card", parameters: { capVersions: ["2.1", "2.2"], securityLevel: "01 (C-MAC)", script: "/cgi-bin/load" } });
  expect(j.steps.session2.parameters.nonce).toMatch(/^[0-9A-F]{32}$/);
  expect(j.steps.session3.messages[0].line).toBe("POST /cgi-bin/load HTTP/1.1");
  expect(j.steps.orders).toEqual(["INSTALL [for load] F0776562636172", `LOAD ${j.cap.lfdbBytes} bytes`, "INSTALL [for install and make selectable] F077656263617201 as F077656263617201"]);
  expect(j.registry.apps.map((a: { aid: string }) => a.aid)).toEqual(expect.arrayContaining(["F05745424341524401", "F077656263617201"]));
});

describe("keys and options as GlobalPlatformPro users and scripts give them", () => {
  const state = join(dir, "gpkeys02.sqlite");
  const HELLO = join(FIXTURES, "kaoh_helloworld.cap");

  test("GP_KEY_KDF is honoured: an EMV-diversified default key is not the card's key", () => {
    expect(webcard(["list", "--sim", state, "--scp", "02"]).code).toBe(0); // creates an SCP02 card with the test key
    const r = webcard(["list", "--sim", state], { GP_KEY: "default", GP_KEY_KDF: "emv" });
    expectOneLineFailure(r, "Wrong key");
    // The one INITIALIZE UPDATE answer shows which derivation would have matched (stack/gp/kdf-choice.ts).
    expect(r.stderr).toContain("key from GP_KEY; the card's cryptogram matches these keys with --kdf none, not emv");
  });

  test("--key=PREFIX:KEY and GP_KEY_ENC/_MAC/_DEK authenticate, KCVs only in the output", () => {
    const ok = webcard(["list", "--sim", state, "--key=none:404142434445464748494A4B4C4D4E4F", "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).channel.kcv).toEqual({ enc: "8BAF47", mac: "8BAF47", dek: "8BAF47" });
    const env = { GP_KEY_ENC: "default", GP_KEY_MAC: "default", GP_KEY_DEK: "404142434445464748494A4B4C4D4E4F" };
    const r = webcard(["list", "--sim", state], env);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/404142434445464748494A4B4C4D4E4F/i);
  });

  test("a disagreeing --kdf and key prefix is bad usage, before the card is opened", () => {
    const r = webcard(["list", "--sim", join(dir, "never2.sqlite"), "--key", "emv:default", "--kdf", "visa2"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("webcard: --kdf visa2 disagrees with the key's diversification 'emv' (from --key): give one of them");
    expect(existsSync(join(dir, "never2.sqlite"))).toBe(false);
  });

  test("info needs no key: a malformed WEBCARD_KEY does not stop it", () => {
    const r = webcard(["info", "--sim", state], { WEBCARD_KEY: "not-a-key" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ISD: A000000151000000");
  });

  test("--params that is not hex names the option", () => {
    const r = webcard(["install", HELLO, "--via", "gp", "--sim", state, "--params=XYZ"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("webcard: --params 'XYZ' is not hex: 'X' at digit 1 is not a hex digit; give raw applet parameters or a C9 field as hex digits");
  });

  test("a card that wants secure messaging for loading says so under --mode clear", () => {
    expectOneLineFailure(
      webcard(["load", HELLO, "--sim", state, "--mode", "clear"]),
      "INSTALL [for load] refused with 6982: the card wants secure messaging for loading (use --mode mac (or enc) instead of clear)",
    );
  });

  test("a repeated --via takes the last one", () => {
    const r = webcard(["install", HELLO, "--via", "web", "--via", "gp", "--sim", join(dir, "via.sqlite")]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Loaded package D0D1D2D3D4D501 1.0: 250 bytes in 2 LOAD blocks of 247");
  });
});

test("--mode rmac encrypts commands too: the 256-block check uses 239-byte blocks, before the card is opened", () => {
  const cap = join(dir, "rmac.cap");
  // About 62.2 KB of load file: 252 blocks of 247, 261 of 239.
  writeFileSync(cap, writeCap({ packageAid: fromHex("F000000002"), packageName: "com.example.rmac", applets: [{ aid: fromHex("F00000000201"), className: "R" }], padding: 62_000 }));
  const state = join(dir, "rmac.sqlite");
  const r = webcard(["load", cap, "--mode", "rmac", "--sim", state]);
  expectOneLineFailure(r, "LOAD blocks of 239 bytes, more than the 256 that LOAD can number");
  expect(existsSync(state)).toBe(false);
});

describe("installing a package that is already on the card", () => {
  const state = join(dir, "again.sqlite");
  const hello = join(FIXTURES, "kaoh_helloworld.cap");

  test("a package loaded without its instance (an install cut short) is installed from, without loading again", () => {
    expect(webcard(["load", hello, "--sim", state]).code).toBe(0);
    const r = webcard(["install", hello, "--via", "gp", "--sim", state]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toBe(
      "Package D0D1D2D3D4D501 1.0 is already on the card: installing from it without loading again (--force loads it anew)\nInstalled applet D0D1D2D3D4D50101\n",
    );
    const j = JSON.parse(webcard(["list", "--sim", state, "--json"]).stdout);
    expect(installedApps(j).map((a) => a.aid)).toEqual(["D0D1D2D3D4D50101"]);
  });

  test("with its instance there too, one line says --force replaces it, and nothing changes", () => {
    const before = webcard(["list", "--sim", state, "--json"]).stdout;
    expectOneLineFailure(
      webcard(["install", hello, "--via", "gp", "--sim", state]),
      "Package D0D1D2D3D4D501 and instance D0D1D2D3D4D50101 are already on the card (use --force to replace it",
    );
    expect(webcard(["list", "--sim", state, "--json"]).stdout).toBe(before);
  });

  test("a different version of the package is not installed from", () => {
    const v2 = join(dir, "hello-v2.cap");
    writeFileSync(
      v2,
      writeCap({
        packageAid: fromHex("D0D1D2D3D4D501"),
        packageName: "com.example.hello",
        packageVersion: { major: 2, minor: 0 },
        applets: [{ aid: fromHex("D0D1D2D3D4D50102"), className: "Hello2" }],
      }),
    );
    expectOneLineFailure(
      webcard(["install", v2, "--via", "gp", "--sim", state]),
      "Package D0D1D2D3D4D501 version 1.0 is already on the card; this file has version 2.0",
    );
  });

  test("--force deletes the old copy and its instances, then loads and installs anew", () => {
    const r = webcard(["install", hello, "--via", "gp", "--force", "--sim", state]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toBe(
      "Deleted the copy of package D0D1D2D3D4D501 already on the card (--force)\nLoaded package D0D1D2D3D4D501 1.0: 250 bytes in 2 LOAD blocks of 247\nInstalled applet D0D1D2D3D4D50101\n",
    );
  });

  test("--force works on the card's own loader too (the web path)", () => {
    const r = webcard(["install", hello, "--force", "--sim", state]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain("Deleted the copy of package D0D1D2D3D4D501 already on the card (--force)\n");
    expect(r.stdout).toContain("through the card's web server");
  });
});

describe("--java-card with --sim: the in-process card runs that Java Card release", () => {
  const cap23 = join(dir, "compact23.cap");
  writeFileSync(
    cap23,
    writeCap({ packageAid: fromHex("A000000647230001"), packageName: "org.example.jc31", applets: [{ aid: fromHex("A00000064723000101"), className: "H" }], format: "2.3" }),
  );

  test.each(["3.1", "3.2"])("a CAP 2.3 compact file installs on a Java Card %s card", (release) => {
    const state = join(dir, `jc${release}.sqlite`);
    const r = webcard(["install", cap23, "--via", "gp", "--sim", state, "--java-card", release]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Installed applet A00000064723000101");
    // The card lists the release's API: javacard.framework 1.8 on 3.1, 1.9 on 3.2.
    const j = JSON.parse(webcard(["list", "--sim", state, "--java-card", release, "--json"]).stdout);
    const framework = j.loadFiles.find((f: { aid: string }) => f.aid === "A0000000620101");
    expect(framework.version).toBe(release === "3.1" ? "1.8" : "1.9");
  });

  test.each([
    [["list", "--java-card", "3.1"], "use it with --sim"],
    [["list", "--sim", join(dir, "jc-bad.sqlite"), "--java-card", "9.9"], "Unknown Java Card version 9.9"],
  ])("a usage error in one line: %p", (args, text) => {
    const r = webcard(args as string[]);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(text as string);
    expect(r.code).toBe(2);
  });
});

describe("a file the card cannot take is refused before the LOAD, in one line naming the reason, on every path", () => {
  const build = (name: string, format: "2.2" | "2.3", imports?: { aid: Uint8Array; major: number; minor: number }[]) => {
    const file = join(dir, `${name}.cap`);
    const n = name.length;
    writeFileSync(
      file,
      writeCap({ packageAid: fromHex(`A0000006472310${n.toString(16).padStart(2, "0")}`), packageName: `org.example.${name}`, applets: [{ aid: fromHex(`A0000006472310${n.toString(16).padStart(2, "0")}01`), className: "H" }], format, ...(imports ? { imports } : {}) }),
    );
    return file;
  };
  const compact23 = build("fmt", "2.3");
  const framework = (minor: number) => [
    { aid: fromHex("A0000000620101"), major: 1, minor },
    { aid: fromHex("A0000000620001"), major: 1, minor: 0 },
  ];
  // A 2.3 file for Java Card 3.2 (javacard.framework 1.9), and a 2.2 file that imports 3.1's framework 1.8.
  const for32 = build("framework19", "2.3", framework(9));
  const newFramework = build("framework18", "2.2", framework(8));

  test.each(["gp", "web", "bridge"])("--via %s: CAP 2.3 on a Java Card 3.0.5 card; then it installs on a 3.1 card", (via) => {
    const state = join(dir, `old-${via}.sqlite`);
    const r = webcard(["install", compact23, "--via", via, "--sim", state, "--java-card", "3.0.5"]);
    expectOneLineFailure(r, "CAP format 2.3");
    expect(r.stderr).toContain(via === "web" ? "the loader takes 2.1,2.2" : "needs Java Card 3.1 or later; the card is Java Card 3.0.5");
    const list = JSON.parse(webcard(["list", "--sim", state, "--json"]).stdout);
    expect(list.loadFiles.map((f: { aid: string }) => f.aid)).not.toContain("A00000064723100" + "3");
    expect(installedApps(list)).toEqual([]);
    const ok = webcard(["install", compact23, "--via", via, "--sim", state, "--java-card", "3.1"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
  });

  test.each(["gp", "bridge"])("--via %s: a 2.3 file's import newer than the card's is named with both versions before the LOAD", (via) => {
    const state = join(dir, `imp-${via}.sqlite`);
    const r = webcard(["install", for32, "--via", via, "--sim", state, "--java-card", "3.1", "--trace"]);
    const line = r.stderr.split("\n").filter((l) => l.startsWith("webcard:"));
    expect(line).toHaveLength(1);
    expect(line[0]).toContain("the card has imported package A0000000620101 1.9 (javacard.framework) only in version 1.8 (Java Card 3.1)");
    // Nothing was sent to load: no INSTALL [for load] (80E602) and no LOAD (80E8) in the trace.
    expect(r.stderr).toMatch(/=> 84F2/); // the GET STATUS that read the registry
    expect(r.stderr).not.toMatch(/=> 8[04]E602/);
    expect(r.stderr).not.toMatch(/=> 8[04]E8/);
    expect(r.code).toBe(1);
  });

  test("--via gp: a 2.2 file's import newer than the card's: the card's refusal explained with both versions", () => {
    const r = webcard(["install", newFramework, "--via", "gp", "--sim", join(dir, "imp22-gp.sqlite"), "--java-card", "3.0.5"]);
    expectOneLineFailure(r, "LOAD refused with 6A80: the card has imported package A0000000620101 1.8 (javacard.framework) only in version 1.6 (Java Card 3.0.5)");
  });

  test("--via web: the card's own loader says which import it lacks", () => {
    const r = webcard(["install", newFramework, "--via", "web", "--sim", join(dir, "imp-web.sqlite"), "--java-card", "3.0.5"]);
    expectOneLineFailure(r, "the card lacks imported package A0000000620101 1.8");
  });
});
