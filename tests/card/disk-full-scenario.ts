/**
 * Run inside a private mount namespace with a small tmpfs at argv[2]
 * (disk-full.test.ts): a simulated card whose memory file lives on it is
 * filled through the real GlobalPlatform path (SCP03) until the disk refuses,
 * then must authenticate, list, delete and load again, and still answer after
 * restarts on a full disk. Prints one JSON object (Outcome) last.
 */
import { statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SimulatedCard } from "../../src/card/sim.ts";
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { installViaGp } from "../../src/host/gp/install.ts";
import { deleteAid } from "../../src/host/gp/manage.ts";
import { list } from "../../src/host/gp/registry.ts";
import { toHex } from "../../src/stack/bytes.ts";
import { SwError } from "../../src/stack/errors.ts";
import { builtCap, counting, installOn, KEYS } from "../robustness/paths.ts";

export interface Outcome {
  /** Packages installed before the disk refused. */
  installed: number;
  /** The SW of the install that did not fit, and the card's log line for it. */
  refusal: string;
  refusalLog: string;
  /** Packages listed right after the refusal (the refused one absent). */
  listedAfterRefusal: string[];
  /** Free bytes on the tmpfs when the card refused. */
  freeAtRefusal: number;
  /** DELETE of one package, then the refused package installed in its room. */
  deleted: string;
  reinstalled: boolean;
  /** After a restart: SELECT of the ISD, and the registry. */
  restartSelect: string;
  listedAfterRestart: string[];
  /** The disk filled to the last byte by another file: authenticate, list, delete, load. */
  fillerFree: number;
  fullAuth: boolean;
  fullList: string[];
  fullDelete: string;
  /** The same larger load over the link (web install): how it failed. */
  fullWebLoad: string;
  /** A load larger than the room DELETE freed (must not fit), then a smaller one (must). */
  fullLoadBig: string;
  fullLoadSmall: string;
  /** Restart with the disk still full. */
  fullRestartSelect: string;
  fullRestartList: string[];
  log: string[];
}

const dir = process.argv[2];
if (!dir) throw new Error("usage: disk-full-scenario.ts DIR (a small tmpfs)");
const statePath = join(dir, "card.sqlite");
const log: string[] = [];
const free = () => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

function open(): SimulatedCard {
  // With the link application: its install runs inside one command whose commit is asynchronous.
  // Load files only: with the JCVM on, each built CAP's padding (a static byte array) would also take its size in the
  // heap at INSTALL, and the room a DELETE frees would no longer be the load file's alone.
  return createWebCard({ statePath, memoryBytes: 64 << 20, log: (l) => log.push(l), jcvm: false });
}

async function session(card: SimulatedCard) {
  return openGpSession(inProcessTransport(card), KEYS());
}

const sw = (error: unknown) => (error instanceof SwError ? error.swHex : `not an SwError: ${(error as Error).message}`);
const packages = async (card: SimulatedCard) => (await list(await session(card))).loadFiles.map((f) => toHex(f.aid)).filter((a) => a.startsWith("F0FEEDB0"));

async function selectIsd(card: SimulatedCard): Promise<string> {
  const r = await card.process(Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x08, 0xa0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00, 0x00));
  return toHex(r.subarray(r.length - 2));
}

const out = { log } as Partial<Outcome> & { log: string[] };
let card = open();
card.powerOn();
const caps = Array.from({ length: 64 }, (_, i) => builtCap(20_000 + i));
let refused: (typeof caps)[number] | undefined;
for (const cap of caps) {
  try {
    await installViaGp(await session(card), cap.file);
    out.installed = (out.installed ?? 0) + 1;
  } catch (error) {
    out.refusal = sw(error);
    out.refusalLog = log.filter((l) => l.startsWith("refused")).pop() ?? "";
    out.freeAtRefusal = free();
    refused = cap;
    break;
  }
}
if (!refused) throw new Error("the tmpfs never filled");
out.listedAfterRefusal = await packages(card);
const victim = out.listedAfterRefusal[0]!;
try {
  await deleteAid(await session(card), Buffer.from(victim, "hex"), { force: true });
  out.deleted = "9000";
} catch (error) {
  out.deleted = sw(error);
}
try {
  await installViaGp(await session(card), refused.file);
  out.reinstalled = true;
} catch {
  out.reinstalled = false;
}
card.close();

card = open();
card.powerOn();
out.restartSelect = await selectIsd(card);
out.listedAfterRestart = await packages(card);

// Someone else fills the disk to the last byte.
for (let size = free(), i = 0; size > 0 && i < 64; size = free(), i++) {
  try {
    writeFileSync(join(dir, `filler-${i}`), new Uint8Array(size));
  } catch {
    try {
      writeFileSync(join(dir, `filler-${i}`), new Uint8Array(4096));
    } catch {
      break;
    }
  }
}
out.fillerFree = free();
try {
  const s = await session(card);
  out.fullAuth = true;
  out.fullList = (await list(s)).loadFiles.map((f) => toHex(f.aid)).filter((a) => a.startsWith("F0FEEDB0"));
  const target = out.fullList[out.fullList.length - 1]!;
  try {
    await deleteAid(s, Buffer.from(target, "hex"), { force: true });
    out.fullDelete = "9000";
  } catch (error) {
    out.fullDelete = sw(error);
  }
} catch (error) {
  out.fullAuth = false;
  out.fullDelete = sw(error);
}
try {
  await installOn("web-short", counting(inProcessTransport(card)), builtCap(40_000));
  out.fullWebLoad = "installed";
} catch (error) {
  out.fullWebLoad = (error as Error).message;
}
for (const [key, padding] of [["fullLoadBig", 40_000], ["fullLoadSmall", 8_000]] as const) {
  try {
    await installViaGp(await session(card), builtCap(padding).file);
    out[key] = "9000";
  } catch (error) {
    out[key] = sw(error);
  }
}
card.close();

card = open();
card.powerOn();
out.fullRestartSelect = await selectIsd(card);
out.fullRestartList = await packages(card);
card.close();
console.log(JSON.stringify(out));
