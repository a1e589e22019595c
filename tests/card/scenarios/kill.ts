/**
 * Inside a private pcscd (runIsolated): `webcard sim` killed with SIGKILL at
 * seeded random moments while a terminal installs CAP files through pcscd
 * (SCP03, C-MAC), restarted on the same memory file each time. After every
 * restart each package is on the card entirely or not at all; at the end
 * SQLite's integrity check passes.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../../../src/stack/bytes.ts";
import { concat } from "../../../src/stack/bytes.ts";
import { defaultKeys } from "../../../src/stack/gp/keys.ts";
import { openSecureChannel, type SecureChannel } from "../../../src/stack/gp/secure-channel.ts";
import { connectReader, type ReaderConnection } from "../../../src/host/pcsc/connect.ts";
import { startOwnPcscd, type OwnPcscd } from "./own-pcscd.ts";
import { startSim, type SimProcess } from "../sim-process.ts";
import { fixture } from "../fixtures.ts";
import { cmd, installSequence } from "../helpers.ts";
import { packageState } from "../registry-check.ts";

const SEED = Number(process.env.KILL_SEED ?? 0x4b111);
const ROUNDS = Number(process.env.KILL_ROUNDS ?? 12);
const CAPS = ["jcalgtest_AlgTest_v1.7.4_jc222.cap", "kaoh_helloworld.cap", "omapi_T1_omapitest4.cap"].map(fixture);

function rng(seed: number) {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

async function body(pcscd: OwnPcscd): Promise<Record<string, unknown>> {
  const reader = pcscd.reader;
  const state = join(mkdtempSync(join(tmpdir(), "webcard-kill-")), "card.sqlite");
  const random = rng(SEED);
  const rounds: Record<string, unknown>[] = [];
  let inconsistent = 0;
  let installDuration = 0;
  let installApdus = 1;
  let sim: SimProcess = await startSim(reader.port, ["--state", state, "--reset"]);

  async function session(): Promise<{ conn: ReaderConnection; sc: SecureChannel }> {
    const end = Date.now() + 20_000;
    for (;;) {
      try {
        const conn = await connectReader({ reader: reader.name, timeoutMs: 10_000 });
        return { conn, sc: await openSecureChannel(conn, { keys: defaultKeys("AES"), level: "mac" }) };
      } catch (error) {
        if (Date.now() > end) throw error;
        // pcscd itself may go down when a card dies mid-exchange (vpcd driver): that is not the card's doing.
        if (!pcscd.alive()) await pcscd.restart();
        await Bun.sleep(100);
      }
    }
  }

  for (let round = 0; round < ROUNDS; round++) {
    const { conn, sc } = await session();
    const send = (c: Uint8Array) => sc.transmit(c);
    const states: string[] = [];
    for (const cap of CAPS) {
      const s = await packageState({ atr: () => new Uint8Array(0), powerOn() {}, powerOff() {}, reset() {}, process: send }, cap, send);
      states.push(s.state);
      if (s.state === "inconsistent") {
        inconsistent++;
        states.push(s.detail);
      }
    }
    const cap = CAPS[round % CAPS.length]!;
    // Start from nothing for this package.
    await send(cmd(0x80, 0xe4, 0x00, 0x80, concat(0x4f, cap.packageAid.length, cap.packageAid), 0));
    const seq = installSequence(cap, sc.maxCommandData);
    // Round 0 measures a whole install; later rounds kill the card somewhere inside one.
    // The window is this package's expected install time (from round 0's time per APDU), plus 10%.
    const window = Math.round((installDuration / installApdus) * seq.length * 1.1);
    const killAfter = round === 0 ? -1 : random(Math.max(2, window));
    let done = 0;
    const refused: string[] = [];
    const t0 = performance.now();
    const timer = killAfter >= 0 ? setTimeout(() => sim.proc.kill("SIGKILL"), killAfter) : undefined;
    const outcome = await (async () => {
      for (const a of seq) {
        const r = await send(a);
        const sw = toHex(r.subarray(r.length - 2));
        if (sw !== "9000") refused.push(sw);
        done++;
      }
      return "completed";
    })().catch((e: Error) => `failed: ${e.message.slice(0, 80)}`);
    if (round === 0) {
      installDuration = performance.now() - t0;
      installApdus = seq.length;
    }
    clearTimeout(timer);
    await conn.close().catch(() => undefined);
    rounds.push({ round, cap: round % CAPS.length, package: toHex(cap.packageAid), killAfterMs: killAfter, apdusAnswered: done, of: seq.length, refused, outcome, statesBefore: states });
    // Kill (if the timer did not fire during the install, now) and restart on the same memory.
    sim.proc.kill("SIGKILL");
    await sim.proc.exited;
    sim = await startSim(reader.port, ["--state", state]);
  }
  // Final check after the last restart.
  const { conn, sc } = await session();
  const send = (c: Uint8Array) => sc.transmit(c);
  const final: string[] = [];
  for (const cap of CAPS) {
    const s = await packageState({ atr: () => new Uint8Array(0), powerOn() {}, powerOff() {}, reset() {}, process: send }, cap, send);
    final.push(s.state);
    if (s.state === "inconsistent") inconsistent++;
  }
  await conn.close();
  sim.proc.kill("SIGTERM");
  const exitCode = await sim.proc.exited;
  const db = new Database(state, { readonly: true });
  const integrity = db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()?.integrity_check;
  db.close();
  const killedMidInstall = rounds.filter((r) => String(r.outcome).startsWith("failed")).length;
  return { seed: SEED, rounds, final, inconsistent, killedMidInstall, integrity, exitCode, pcscdRestarts: pcscd.restarts, installDurationMs: Math.round(installDuration) };
}

let pcscd: OwnPcscd | undefined;
let out: Record<string, unknown>;
try {
  pcscd = await startOwnPcscd();
  out = { ok: true, ...(await body(pcscd)) };
} catch (e) {
  out = { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e), pcscdRestarts: pcscd?.restarts };
}
await pcscd?.stop().catch(() => undefined);
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
