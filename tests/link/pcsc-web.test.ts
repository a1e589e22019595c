/**
 * The web-card flow end to end through the real PC/SC stack: `webcard sim`
 * on a vpcd reader of the shared pcscd, driven by `webcard install -r` as a
 * user runs it. With the link application, the trace shows the four steps of
 * DESIGN.md; without it (`--no-link`), auto chooses the bridge. Every fixture
 * leaves the same registry as `--via gp`, and pysim is refused in the same
 * one line. The round trips of the 22 KB load are counted on the wire.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { fromHex } from "../../src/stack/bytes.ts";
import { writeFileSync } from "node:fs";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { installViaGp } from "../../src/host/gp/install.ts";
import { connectReader } from "../../src/host/pcsc/connect.ts";
import { installViaWeb } from "../../src/host/loader/via-web.ts";
import { webcard } from "../harness/cli.ts";
import { claimReader, pcscUsable, type VpcdReader } from "../harness/pcscd.ts";
import { ALGTEST, CAPS, capBytes, capFile, fixtures } from "./helpers.ts";
import { missingInOrder, registry, startSim, type SimProcess } from "./pcsc-sim.ts";

const PYSIM = "pysim_test_javacard.cap";
const loadable = () => fixtures().filter((f) => f !== PYSIM);

let reader: (VpcdReader & { release(): void }) | undefined;
let dir = "";
let sim: SimProcess | undefined;

beforeAll(async () => {
  if (!pcscUsable) return;
  reader = await claimReader();
  dir = mkdtempSync(join(tmpdir(), "webcard-pcsc-web-"));
});

afterAll(async () => {
  await sim?.stop().catch(() => undefined);
  reader?.release();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The claimed reader with a card of the wanted kind in it (restarts the sim when the kind changes). */
async function cardWith(link: boolean): Promise<VpcdReader> {
  if (!reader) throw new Error("no vpcd reader claimed");
  if (sim?.link !== link) {
    await sim?.stop();
    sim = undefined;
    sim = await startSim(reader, dir, link);
  }
  return reader;
}

const r = () => ["-r", reader!.name];

/** Install `file` with `via` ("auto" = no --via) as JSON, read the registry, delete the package again. */
function installListDelete(file: string, via: "gp" | "auto") {
  const run = webcard(["install", join(CAPS, file), ...(via === "auto" ? [] : ["--via", via]), ...r(), "--json"]);
  if (run.code !== 0) return { code: run.code, stderr: run.stderr.trim(), out: undefined, registry: [] as string[] };
  const out = JSON.parse(run.stdout) as { path: string; package: string; exchanges?: number };
  const after = registry(reader!.name);
  const del = webcard(["delete", out.package, "--force", ...r()]);
  expect({ file, via, delete: del.code, stderr: del.stderr }).toEqual({ file, via, delete: 0, stderr: "" });
  return { code: run.code, stderr: run.stderr.trim(), out, registry: after };
}

/** Every fixture through gp and auto on the current card: same registries, pysim refused alike; the card ends as it began. */
function sameAsGp(expectedVia: "web" | "bridge"): Map<string, string[]> {
  const before = registry(reader!.name);
  const byFixture = new Map<string, string[]>();
  for (const file of loadable()) {
    const gp = installListDelete(file, "gp");
    const auto = installListDelete(file, "auto");
    expect({ file, gp: gp.code, gpErr: gp.stderr }).toEqual({ file, gp: 0, gpErr: "" });
    expect({ file, auto: auto.code, autoErr: auto.stderr, via: auto.out?.path }).toEqual({ file, auto: 0, autoErr: "", via: expectedVia });
    expect(gp.registry.length).toBeGreaterThan(before.length);
    expect({ file, registry: auto.registry }).toEqual({ file, registry: gp.registry });
    if (file === ALGTEST && expectedVia === "web") {
      console.log(`${ALGTEST} through pcscd + vpcd, web path, extended APDUs: ${auto.out?.exchanges} EXCHANGE round trips after authentication`);
      expect(auto.out?.exchanges).toBeLessThanOrEqual(12);
    }
    byFixture.set(file, gp.registry);
  }
  const gp = webcard(["install", join(CAPS, PYSIM), "--via", "gp", ...r()]);
  const auto = webcard(["install", join(CAPS, PYSIM), ...r()]);
  expect(gp.code).toBe(1);
  expect(gp.stderr.trim().split("\n")).toHaveLength(1);
  expect(gp.stderr).toContain("the card lacks imported package A0000000090003FFFFFFFF8910710002 2.6");
  expect({ code: auto.code, stderr: auto.stderr }).toEqual({ code: gp.code, stderr: gp.stderr });
  expect(registry(reader!.name)).toEqual(before);
  return byFixture;
}

const gpRegistries = new Map<string, string[]>();

/** The reader's transport, counting the APDUs sent after EXTERNAL AUTHENTICATE (INS 82); `extendedLength` as told. */
function countedAfterAuth(inner: Transport, extendedLength: boolean): Transport & { count: number } {
  let authenticated = false;
  const t = {
    count: 0,
    name: inner.name ?? "reader",
    extendedLength,
    async transmit(bytes: Uint8Array) {
      const answer = await inner.transmit(bytes);
      if (authenticated) t.count++;
      else if (bytes[1] === 0x82) authenticated = true;
      return answer;
    },
  };
  return t;
}

/** Run `install` on a fresh connection to the reader, count its round trips after authentication, then delete AlgTest. */
async function roundTrips(name: string, extended: boolean, install: (t: Transport) => Promise<unknown>): Promise<number> {
  const connection = await connectReader({ reader: name });
  let count: number;
  try {
    const t = countedAfterAuth(connection, extended);
    await install(t);
    count = t.count;
  } finally {
    await connection.close();
  }
  expect(webcard(["delete", "4A43416C6754657374", "--force", "-r", name]).code).toBe(0);
  return count;
}

describe("web-card flow through pcscd + vpcd", () => {
  test.if(pcscUsable)(
    "a card with the link: the trace shows sessions 1, 2 (opened by the card) and 3 and the script's orders; list shows the result",
    async () => {
      const { name } = await cardWith(true);
      const run = webcard(["install", join(CAPS, ALGTEST), "-r", name, "--trace"]);
      expect({ code: run.code, stdout: run.stdout }).toEqual({
        code: 0,
        stdout:
          "Loaded package 4A43416C6754657374 0.0 through the card's web server: 21870 bytes\nInstalled applet 4A43416C675465737431\n",
      });
      const missing = missingInOrder(run.stderr, [
        /^card has the web-card link: loading through its web server$/m,
        // vpcd frames carry 65,535 bytes in all: the sim announces what fits.
        /^link: selected F05745424341524401 version 1, command data up to 65526/m,
        /^link: secure channel SCP03 level mac open$/m,
        /^OL step 1: GET \/loader/m,
        /^link: session 01 opened by the terminal: agent 01 -> card agent 01$/m,
        /^link: session 01 => GET \/loader HTTP\/1\.1/m,
        /^=> 843C000000/m, // an extended-length EXCHANGE, through pcscd and vpcd
        /^link: session 8[0-9A-F] opened by the card: card agent 02 -> terminal agent 01$/m, // card-opened ids count up from 81
        /^link: session 01 <= HTTP\/1\.1 202 Accepted/m,
        /^link: session 8[0-9A-F] <= POST \/webcard\/loader-parameters HTTP\/1\.1/m,
        /^link: session 8[0-9A-F] => HTTP\/1\.1 204 No Content/m,
        /^OL step 2: the loader opened a session and delivered: CAP 2\.1\/2\.2, \d+ bytes free, block size \d+, security level 01 \(C-MAC\) over SCP02 or SCP03, nonce [0-9A-F]{32}, script \/cgi-bin\/load$/m,
        /^OL step 3: POST \/cgi-bin\/load, loading file of \d+ bytes: nonce, install .*4A43416C675465737431.*, load file 21870 bytes$/m,
        /^link: session 02 opened by the terminal: agent 01 -> card agent 01$/m,
        /^link: session 02 => POST \/cgi-bin\/load HTTP\/1\.1 \(\d+ bytes\)$/m,
        /^link: session 02 <= HTTP\/1\.1 200 OK/m,
        /^OL step 4: \/cgi-bin\/load answered HTTP 200: package 4A43416C6754657374 loaded and installed/m,
        /^order: INSTALL \[for load\] 4A43416C6754657374$/m,
        /^order: LOAD 21870 bytes$/m,
        /^order: INSTALL \[for install and make selectable\] 4A43416C675465737431 as 4A43416C675465737431$/m,
        /^installed 4A43416C675465737431$/m,
      ]);
      expect({ missing, trace: missing.length ? run.stderr : "" }).toEqual({ missing: [], trace: "" });

      const list = JSON.parse(webcard(["list", "-r", name, "--json"]).stdout) as {
        apps: { aid: string; lifecycle: string; loadFile?: string }[];
        loadFiles: { aid: string; modules: string[] }[];
      };
      expect(list.loadFiles.find((f) => f.aid === "4A43416C6754657374")?.modules).toEqual(["4A43416C675465737431"]);
      expect(list.apps.find((a) => a.aid === "4A43416C675465737431")).toMatchObject({ lifecycle: "selectable", loadFile: "4A43416C6754657374" });
      expect(webcard(["delete", "4A43416C6754657374", "--force", "-r", name]).code).toBe(0);
    },
    60_000,
  );

  test.if(pcscUsable)(
    "a card with the link: every fixture installs through the card's web server with the same registry as --via gp; pysim refused alike",
    async () => {
      await cardWith(true);
      for (const [file, lines] of sameAsGp("web")) gpRegistries.set(file, lines);
    },
    180_000,
  );

  test.if(pcscUsable)(
    `${ALGTEST} (22 KB) through pcscd + vpcd: at most 12 round trips with extended APDUs, at most 10% more than --via gp with short ones`,
    async () => {
      const { name } = await cardWith(true);
      let exchanges = 0;
      const extended = await roundTrips(name, true, async (t) => (exchanges = (await installViaWeb(t, capBytes(ALGTEST))).exchanges));
      const short = await roundTrips(name, false, (t) => installViaWeb(t, capBytes(ALGTEST), {}, undefined, { short: true }));
      const gp = await roundTrips(name, false, async (t) => installViaGp(await openGpSession(t, { keys: defaultKeys("AES"), level: "mac" }), capFile(ALGTEST)));
      console.log(`round trips after authentication through pcscd + vpcd, ${ALGTEST}: link extended ${extended}, link short ${short}, --via gp ${gp}`);
      expect(extended).toBe(exchanges); // every APDU on the wire after authentication is an EXCHANGE (no GET RESPONSE)
      expect(extended).toBeLessThanOrEqual(12);
      expect(short).toBeLessThanOrEqual(Math.floor(gp * 1.1));
    },
    60_000,
  );

  test.if(pcscUsable)(
    "a card without the link (--no-link): auto chooses the bridge; the trace shows its sessions and the orders as GP APDUs",
    async () => {
      const { name } = await cardWith(false);
      const run = webcard(["install", join(CAPS, ALGTEST), "-r", name, "--trace"]);
      expect({ code: run.code, stdout: run.stdout }).toEqual({
        code: 0,
        stdout: "Loaded package 4A43416C6754657374 0.0 through the bridge: 21870 bytes\nInstalled applet 4A43416C675465737431\n",
      });
      const missing = missingInOrder(run.stderr, [
        /^=> 00A4040009F0574542434152440100$/m,
        /^<= 6A82/m,
        /^card has no web-card link: loading through the bridge$/m,
        /^OL step 1: GET \/loader/m,
        /^bridge: session 1 => GET \/loader HTTP\/1\.1$/m,
        /^bridge: session 2 opened by the loader: loader -> OL$/m,
        /^bridge: session 2 <= POST \/webcard\/loader-parameters HTTP\/1\.1$/m,
        /^bridge: session 1 <= HTTP\/1\.1 202 Accepted$/m,
        /^OL step 2: the loader opened a session and delivered: CAP [0-9./]+, free memory not stated, block size 247, security level 01 \(C-MAC\) over SCP02 or SCP03, nonce [0-9A-F]{32}, script \/cgi-bin\/load$/m,
        /^bridge: session 3 => POST \/cgi-bin\/load HTTP\/1\.1$/m,
        /^=> 84E60200/m, // INSTALL [for load]
        /^=> 84E8/m, // LOAD
        /^=> 84E60C00/m, // INSTALL [for install and make selectable]
        /^bridge: session 3 <= HTTP\/1\.1 200 OK$/m,
        /^order: INSTALL \[for load\] 4A43416C6754657374$/m,
        /^order: LOAD 21870 bytes$/m,
        /^order: INSTALL \[for install and make selectable\] 4A43416C675465737431 as 4A43416C675465737431$/m,
      ]);
      expect({ missing, trace: missing.length ? run.stderr : "" }).toEqual({ missing: [], trace: "" });
      expect(run.stderr.match(/^=> 84E8/gm)).toHaveLength(89); // 21,870 bytes in LOAD blocks of 247
      expect(run.stderr.match(/^progress: LOAD 21870\/21870 bytes$/gm)).toHaveLength(1);
      expect(registry(name)).toContain("app 4A43416C675465737431 selectable - 4A43416C6754657374");
      expect(webcard(["delete", "4A43416C6754657374", "--force", "-r", name]).code).toBe(0);
    },
    60_000,
  );

  test.if(pcscUsable)(
    "a card without the link: every fixture installs through the bridge with the same registry as --via gp (and as the web path); pysim refused alike",
    async () => {
      await cardWith(false);
      const bridge = sameAsGp("bridge");
      for (const [file, lines] of gpRegistries) expect({ file, lines: bridge.get(file) }).toEqual({ file, lines });
    },
    180_000,
  );

  test.if(pcscUsable)(
    "a load file over 64 KB (past GlobalPlatform's 256 blocks) installs through the card's web server in vpcd-sized APDUs",
    async () => {
      const { name } = await cardWith(true);
      const file = join(dir, "big.cap");
      writeFileSync(
        file,
        writeCap({
          packageAid: fromHex("F0776562636172B1"),
          packageName: "com.webcard.big",
          applets: [{ aid: fromHex("F0776562636172B101"), className: "Big" }],
          padding: 90_000,
        }),
      );
      const gp = webcard(["install", file, "--via", "gp", "-r", name]);
      expect(gp.code).toBe(1);
      expect(gp.stderr).toContain("256");
      const web = webcard(["install", file, "-r", name, "--json"]);
      expect({ code: web.code, stderr: web.stderr }).toEqual({ code: 0, stderr: "" });
      expect(JSON.parse(web.stdout)).toMatchObject({ ok: true, path: "web", installed: [{ instance: "F0776562636172B101" }] });
      expect(registry(name).some((line) => line.includes("F0776562636172B101"))).toBe(true);
      expect(webcard(["delete", "F0776562636172B1", "--force", "-r", name]).code).toBe(0);
    },
    60_000,
  );
});
