/**
 * Smoke test of the compiled executable, as a user gets it: the host target
 * built by scripts/build.ts, copied alone into an empty folder, run from
 * there with a minimal environment (no Bun on the PATH, no source tree).
 * A test of a command `--help` does not list is skipped, and a test fails then.
 */
import { test, expect, afterAll } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { buildHostBinary, cleanEnv, type HostBinary } from "../../scripts/build/host-binary.ts";
import { pcscUsable, claimReader } from "../harness/pcscd.ts";
import pkg from "../../package.json" with { type: "json" };

const ROOT = resolve(import.meta.dir, "../..");
const FIXTURE = resolve(ROOT, "../shared/fixtures/cap/gppro_Empty_0102030405_2.2.1.cap");
/** The fixture's package and applet AIDs (fixtures README). */
const PACKAGE_AID = "0102030405";
const APPLET_AID = "0102030405060708";

let built: HostBinary | undefined;
let buildError: unknown;
try {
  built = buildHostBinary();
} catch (error) {
  buildError = error;
}

function sh(args: string[], options: { timeout?: number } = {}) {
  const r = Bun.spawnSync([built!.bin, ...args], {
    cwd: built!.dir,
    env: cleanEnv(built!.home),
    stdout: "pipe",
    stderr: "pipe",
    timeout: options.timeout ?? 60_000,
  });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Command names listed under "Commands:" in the binary's --help. */
const commands = new Set<string>();
const help = built ? sh(["--help"]) : undefined;
for (const m of (help?.stdout ?? "").matchAll(/^ {2}([a-z][\w-]*)\b/gm)) commands.add(m[1]!);
const has = (name: string) => built !== undefined && commands.has(name);

/** scriptor (pcsc-tools): a peer PC/SC client that sends APDUs read from stdin. */
const scriptor = ["/usr/bin/scriptor", "/usr/local/bin/scriptor"].find((p) => existsSync(p));
const strace = ["/usr/bin/strace", "/bin/strace"].find((p) => existsSync(p));
const canStrace = built !== undefined && process.platform === "linux" && strace !== undefined;

afterAll(() => {
  if (built) rmSync(dirname(built.dir), { recursive: true, force: true });
});

test("scripts/build.ts builds the host executable", () => {
  if (buildError) throw buildError;
  expect(built).toBeDefined();
  expect(readdirSync(built!.dir)).toEqual([built!.bin.slice(built!.dir.length + 1)]);
});

test.if(built !== undefined)("--version prints webcard <version>+<commit>", () => {
  const r = sh(["--version"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`webcard ${built!.stamp}\n`);
  expect(built!.stamp).toMatch(new RegExp(`^${pkg.version.replaceAll(".", "\\.")}\\+[0-9a-f]{7}(-dirty)?$`));
});

test.if(built !== undefined)("--help lists the commands and the global flags", () => {
  expect(help!.code).toBe(0);
  expect(help!.stdout).toContain("Usage:");
  expect(help!.stdout).toContain("--json");
  expect(commands.size).toBeGreaterThan(0);
});

// The tests below skip a command --help does not list; every one of them exists now, so a skip is a failure.
test.if(built !== undefined)("--help lists every command the smoke tests run", () => {
  expect(["demo", "readers", "sim", "install", "list", "ui"].filter((c) => !commands.has(c))).toEqual([]);
});

/** Run the binary under strace (file calls only); its exit code and the calls it made. */
function fileCalls(args: string[], name: string): { exitCode: number | null; calls: string } {
  const log = join(built!.home, `strace-${name}.log`);
  const r = Bun.spawnSync([strace!, "-f", "-e", "trace=%file", "-o", log, built!.bin, ...args], {
    cwd: built!.dir,
    env: cleanEnv(built!.home),
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
  const r = sh(["demo"]);
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

test.if(pcscUsable && has("readers"))("readers lists the vpcd readers through the system's PC/SC library", () => {
  const r = sh(["readers"]);
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
  expect(r.stdout).toContain("Virtual PCD");
});

/** Whether the binary's `readers --json` shows a card in `name`. */
function cardIn(name: string): boolean {
  const r = sh(["readers", "--json"], { timeout: 10_000 });
  if (r.code !== 0) return false;
  try {
    const list = JSON.parse(r.stdout) as { name: string; cardPresent: boolean }[];
    return list.some((x) => x.name === name && x.cardPresent);
  } catch {
    return false;
  }
}

/** Whether a peer PC/SC tool gets 9000 for SELECT of the ISD in `name`. */
function peerSelects(name: string): { ok: boolean; answer: string } {
  const r = Bun.spawnSync([scriptor!, "-r", name], {
    stdin: new TextEncoder().encode("00A4040008A000000151000000\n"),
    stdout: "pipe",
    stderr: "pipe",
    timeout: 10_000,
  });
  const answer = r.stdout.toString() + r.stderr.toString();
  return { ok: /^< [\s\S]*90 00 : Normal processing/m.test(answer), answer };
}

/**
 * Start `webcard sim` on a claimed vpcd reader and wait until `ready` says
 * the card is there; run `body`; stop the sim by PID and free the readers.
 * A vpcd port whose pcscd side is stuck never gets the card: that reader
 * stays claimed (so it is not handed out again) and the next one is tried.
 */
async function withSim(ready: (name: string) => boolean, body: (reader: { name: string; port: number }) => Promise<void>): Promise<void> {
  const claimed: { release(): void }[] = [];
  const tried: string[] = [];
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const reader = await claimReader();
      claimed.push(reader);
      // Output to a file: an unread pipe could fill up and stall the card.
      const log = join(built!.home, `sim-${reader.port}.log`);
      const sim = Bun.spawn([built!.bin, "sim", "--vpcd", `127.0.0.1:${reader.port}`], {
        cwd: built!.dir,
        env: cleanEnv(built!.home),
        stdout: Bun.file(log),
        stderr: Bun.file(`${log}.err`),
      });
      try {
        const end = Date.now() + 15_000;
        let up = false;
        while (!(up = ready(reader.name)) && Date.now() < end && sim.exitCode === null) await Bun.sleep(250);
        if (up) return await body(reader);
        const said = [log, `${log}.err`].filter((f) => existsSync(f)).map((f) => readFileSync(f, "utf8").trim()).filter(Boolean).join(" ").slice(-300);
        tried.push(`${reader.name} (sim ${sim.exitCode === null ? "running" : `exited ${sim.exitCode}`}${said ? `: ${said}` : ""})`);
      } finally {
        sim.kill("SIGTERM");
        const gone = await Promise.race([sim.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
        if (!gone) sim.kill("SIGKILL");
        await sim.exited;
        // vpcd notices a card gone only at its next poll (~400 ms); until then
        // pcscd still shows it. Leave the reader empty for whoever is next.
        const end = Date.now() + 5_000;
        while (has("readers") && cardIn(reader.name) && Date.now() < end) await Bun.sleep(200);
      }
    }
    throw new Error(`The simulated card never appeared in ${tried.join(", ")}`);
  } finally {
    for (const r of claimed) r.release();
  }
}

test.if(pcscUsable && has("sim") && scriptor !== undefined)(
  "sim on a vpcd reader answers a peer PC/SC tool (SELECT of the ISD through pcscd)",
  async () => {
    await withSim(
      (name) => peerSelects(name).ok,
      async (reader) => {
        expect(peerSelects(reader.name).answer).toMatch(/^< [\s\S]*90 00 : Normal processing/m);
      },
    );
  },
  120_000,
);

// `readers` marks the CLI's PC/SC path: until it exists, -r is refused.
test.if(pcscUsable && has("sim") && has("readers") && has("install") && has("list"))(
  "sim on a vpcd reader, install of a fixture CAP through pcscd, list shows it",
  async () => {
    // Ready: the binary sees the card and, when scriptor is there, the card answers.
    await withSim((name) => cardIn(name) && (scriptor === undefined || peerSelects(name).ok), async (reader) => {
      const target = ["-r", reader.name, "--key", "default"];
      const install = sh(["install", FIXTURE, ...target]);
      expect({ code: install.code, stderr: install.stderr }).toMatchObject({ code: 0 });

      const list = sh(["list", ...target, "--json"]);
      expect({ code: list.code, stderr: list.stderr }).toMatchObject({ code: 0 });
      expect(list.stdout).toContain(PACKAGE_AID);
      expect(list.stdout).toContain(APPLET_AID);
    });
  },
  120_000,
);

test.if(has("ui"))("ui --sim serves the dashboard and its embedded assets with nothing beside the binary", async () => {
  const log = join(built!.home, "ui.log");
  const ui = Bun.spawn([built!.bin, "ui", "--sim", join(built!.home, "ui-card.sqlite")], {
    cwd: built!.dir,
    env: cleanEnv(built!.home),
    stdout: Bun.file(log),
    stderr: Bun.file(`${log}.err`),
  });
  try {
    let url: string | undefined;
    const end = Date.now() + 15_000;
    while (!url && Date.now() < end && ui.exitCode === null) {
      await Bun.sleep(100);
      url = existsSync(log) ? /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(readFileSync(log, "utf8"))?.[0] : undefined;
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
    ui.kill("SIGTERM");
    const gone = await Promise.race([ui.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
    if (!gone) ui.kill("SIGKILL");
    await ui.exited;
  }
}, 60_000);
