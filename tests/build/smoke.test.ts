/**
 * Smoke test of the compiled executables, as users get them: built by
 * scripts/build.ts (once for the whole file), each copied alone into an
 * empty folder and run from there with a minimal environment (no Bun on the
 * PATH, no source tree).
 *
 * - The host's own binary (linux-x64 here): everything a user meets.
 * - The other Linux architecture's binary (linux-arm64 here) under QEMU's
 *   user-mode emulation, against the machine's own pcscd (pcsc-lite's client
 *   protocol is the same on both 64-bit little-endian architectures), with
 *   the host binary's `webcard sim` as the card. Where emulation is missing
 *   those tests are skipped; with CI=true that is a failure.
 *
 * A test of a command `--help` does not list is skipped, and a test fails then.
 */
import { test, expect, afterAll, describe } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildBinaries, cleanEnv, type BuiltSet } from "../../scripts/build/host-binary.ts";
import { runnerFor, type Emulation } from "../../scripts/build/emulation.ts";
import { TARGETS, hostTarget, type Target } from "../../scripts/build/targets.ts";
import { ensurePcscd, pcscUsable, CI } from "../harness/pcscd.ts";
import { argv, cardIn, commandsIn, peerSelects, run, scriptor, start, stop, withSim, type Subject } from "./binary-under-test.ts";
import pkg from "../../package.json" with { type: "json" };

const ROOT = resolve(import.meta.dir, "../..");
const FIXTURE = resolve(ROOT, "../shared/fixtures/cap/gppro_Empty_0102030405_2.2.1.cap");
/** The fixture's package and applet AIDs (fixtures README). */
const PACKAGE_AID = "0102030405";
const APPLET_AID = "0102030405060708";

const host = hostTarget();
/** The Linux binary of the other architecture, run under QEMU when this machine can. */
const foreign: Target | undefined =
  host?.os === "linux" ? TARGETS.find((t) => t.os === "linux" && t.arch !== host.arch) : undefined;
const emulation: Emulation = foreign ? runnerFor(foreign) : { missing: "the host is not Linux" };

let set: BuiltSet | undefined;
let buildError: unknown;
try {
  if (!host) throw new Error(`No release target for ${process.platform}-${process.arch}`);
  set = buildBinaries(emulation.runner ? [host, foreign!] : [host]);
} catch (error) {
  buildError = error;
}
afterAll(() => {
  if (set) rmSync(set.base, { recursive: true, force: true });
});

const native: Subject | undefined = set && { built: set.binaries.get(host!.name)!, runner: { prefix: [], via: "native", pcscMissing: undefined } };
const emulated: Subject | undefined = set && emulation.runner ? { built: set.binaries.get(foreign!.name)!, runner: emulation.runner } : undefined;

/** The commands each binary's --help lists (empty when it was not built). */
const help = native ? run(native, ["--help"]) : undefined;
const commands = commandsIn(help?.stdout ?? "");
const has = (name: string) => native !== undefined && commands.has(name);

const strace = ["/usr/bin/strace", "/bin/strace"].find((p) => existsSync(p));
const canStrace = native !== undefined && process.platform === "linux" && strace !== undefined;

/** sim on a vpcd reader, `install` of the fixture through pcscd by `client`, and `list` showing it. */
async function installThroughPcscd(client: Subject): Promise<void> {
  // Ready: the host binary sees the card and, when scriptor is there, the card answers.
  await withSim(native!, (name) => cardIn(native!, name) && (scriptor === undefined || peerSelects(name).ok), async (reader) => {
    const target = ["-r", reader.name, "--key", "default"];
    const install = run(client, ["install", FIXTURE, ...target], 120_000);
    expect({ code: install.code, stderr: install.stderr }).toMatchObject({ code: 0 });

    const list = run(client, ["list", ...target, "--json"], 60_000);
    expect({ code: list.code, stderr: list.stderr }).toMatchObject({ code: 0 });
    expect(list.stdout).toContain(PACKAGE_AID);
    expect(list.stdout).toContain(APPLET_AID);
  });
}

describe(`${host?.name ?? "host"} (this machine's own binary)`, () => {
  test("scripts/build.ts builds the host executable", () => {
    if (buildError) throw buildError;
    expect(native).toBeDefined();
    expect(readdirSync(native!.built.dir)).toEqual([native!.built.bin.slice(native!.built.dir.length + 1)]);
  });

  test.if(native !== undefined)("--version prints webcard <version>+<commit>", () => {
    const r = run(native!, ["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`webcard ${native!.built.stamp}\n`);
    expect(native!.built.stamp).toMatch(new RegExp(`^${pkg.version.replaceAll(".", "\\.")}\\+[0-9a-f]{7}(-dirty)?$`));
  });

  test.if(native !== undefined)("--help lists the commands and the global flags", () => {
    expect(help!.code).toBe(0);
    expect(help!.stdout).toContain("Usage:");
    expect(help!.stdout).toContain("--json");
    expect(commands.size).toBeGreaterThan(0);
  });

  // The tests below skip a command --help does not list; every one of them exists now, so a skip is a failure.
  test.if(native !== undefined)("--help lists every command the smoke tests run", () => {
    expect(["demo", "readers", "sim", "install", "list", "ui"].filter((c) => !commands.has(c))).toEqual([]);
  });

  /** Run the binary under strace (file calls only); its exit code and the calls it made. */
  function fileCalls(args: string[], name: string): { exitCode: number | null; calls: string } {
    const log = join(native!.built.home, `strace-${name}.log`);
    const r = Bun.spawnSync([strace!, "-f", "-e", "trace=%file", "-o", log, ...argv(native!, args)], {
      cwd: native!.built.dir,
      env: cleanEnv(native!.built.home),
      stdout: "pipe",
      stderr: "pipe",
    });
    return { exitCode: r.exitCode, calls: readFileSync(log, "utf8") };
  }

  test.if(canStrace)("--version and --help open no PC/SC library and nothing from the source tree", () => {
    for (const args of [["--version"], ["--help"]]) {
      const { exitCode, calls } = fileCalls(args, args[0]!.slice(2));
      expect(exitCode).toBe(0);
      expect(calls).toContain("execve(");
      expect(calls).not.toMatch(/pcsclite|winscard|PCSC\.framework/);
      expect(calls).not.toContain(ROOT);
      expect(calls).not.toContain("node_modules");
    }
  });

  test.if(has("demo"))("demo runs with nothing beside the binary", () => {
    const r = run(native!, ["demo"]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/PKG: [0-9A-F]+/);
    expect(r.stdout).toMatch(/APP: [0-9A-F]+ \(selectable\)/);
  });

  test.if(has("demo") && canStrace)("demo reads nothing from the source tree", () => {
    const { exitCode, calls } = fileCalls(["demo"], "demo");
    expect(exitCode).toBe(0);
    expect(calls).not.toContain(ROOT);
    expect(calls).not.toContain("node_modules");
  });

  test.if(pcscUsable && has("readers"))("readers lists the vpcd readers through the system's PC/SC library", async () => {
    await ensurePcscd(); // alone, no other test has started pcscd yet
    const r = run(native!, ["readers"]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(r.stdout).toContain("Virtual PCD");
  });

  test.if(pcscUsable && has("sim") && scriptor !== undefined)(
    "sim on a vpcd reader answers a peer PC/SC tool (SELECT of the ISD through pcscd)",
    async () => {
      await withSim(native!, (name) => peerSelects(name).ok, async (reader) => {
        expect(peerSelects(reader.name).answer).toMatch(/^< [\s\S]*90 00 : Normal processing/m);
      });
    },
    120_000,
  );

  // `readers` marks the CLI's PC/SC path: until it exists, -r is refused.
  test.if(pcscUsable && has("sim") && has("readers") && has("install") && has("list"))(
    "sim on a vpcd reader, install of a fixture CAP through pcscd, list shows it",
    () => installThroughPcscd(native!),
    120_000,
  );

  test.if(has("ui"))("ui --sim serves the dashboard and its embedded assets with nothing beside the binary", async () => {
    const log = join(native!.built.home, "ui.log");
    const ui = start(native!, ["ui", "--sim", join(native!.built.home, "ui-card.sqlite")], log);
    try {
      let url: string | undefined;
      const end = Date.now() + 15_000;
      while (!url && Date.now() < end && ui.exitCode === null) {
        await Bun.sleep(100);
        url = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(existsSync(log) ? readFileSync(log, "utf8") : "")?.[0];
      }
      expect(url).toBeDefined();
      const base = new URL(url!).origin;
      // The token URL sets the session cookie and redirects to the page.
      const entry = await fetch(url!, { redirect: "manual" });
      const cookie = entry.headers.get("set-cookie")?.split(";")[0] ?? "";
      expect(cookie).not.toBe("");
      const page = await fetch(`${base}/`, { headers: { cookie } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("webcard");
      const assets = [...new Set([...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!))];
      expect(assets.length).toBeGreaterThan(0);
      for (const asset of assets) {
        const r = await fetch(`${base}${asset}`, { headers: { cookie } });
        expect({ asset, status: r.status }).toEqual({ asset, status: 200 });
        expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(0);
      }
    } finally {
      await stop(ui);
    }
  }, 60_000);
});

/** Emulation runs the binary ~10 times slower than natively (2 s for demo on a quiet machine). */
const EMULATED_TIMEOUT = 60_000;

describe(`${foreign?.name ?? "the other Linux architecture"} under QEMU user-mode emulation`, () => {
  const pcscOk = emulated !== undefined && emulated.runner.pcscMissing === undefined;

  test.if(CI && foreign !== undefined)("CI can run the other architecture's binary (QEMU, its libc and pcsc-lite installed)", () => {
    expect(emulation.missing).toBeUndefined();
    expect(emulated?.runner.pcscMissing).toBeUndefined();
  });

  test.if(emulated !== undefined)("--version prints the same stamp as the host binary", () => {
    const r = run(emulated!, ["--version"]);
    expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ code: 0, stderr: "", stdout: `webcard ${emulated!.built.stamp}\n` });
    expect(readdirSync(emulated!.built.dir)).toEqual([emulated!.built.bin.slice(emulated!.built.dir.length + 1)]);
  }, EMULATED_TIMEOUT);

  test.if(emulated !== undefined)("demo runs with nothing beside the binary", () => {
    const r = run(emulated!, ["demo"]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/PKG: [0-9A-F]+/);
    expect(r.stdout).toMatch(/APP: [0-9A-F]+ \(selectable\)/);
  }, EMULATED_TIMEOUT);

  test.if(pcscOk && pcscUsable)("readers lists the vpcd readers through its own architecture's libpcsclite and the machine's pcscd", async () => {
    await ensurePcscd();
    const r = run(emulated!, ["readers"]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(r.stdout).toContain("Virtual PCD");
  }, EMULATED_TIMEOUT);

  test.if(pcscOk && pcscUsable && has("sim"))(
    "install of a fixture CAP through pcscd onto the host binary's sim, list shows it",
    () => installThroughPcscd(emulated!),
    180_000,
  );
});
