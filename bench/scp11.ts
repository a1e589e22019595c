/**
 * SCP11 against SCP03: the cost of opening a session with the ISD (SELECT
 * and the whole handshake), in APDU round trips, bytes on the wire and time,
 * on the in-process simulated card and through pcscd + vpcd (a `webcard sim
 * --scp 11` process on a vpcd reader of the running pcscd), for SCP03 and
 * SCP11a/b/c on P-256 and P-384. Medians of several runs.
 *
 *   bun bench/scp11.ts [--runs N]
 *
 * Writes bench/results/scp11.json.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createSimulatedCard } from "../src/card/sim.ts";
import { inProcessTransport } from "../src/card/in-process.ts";
import { connectReader } from "../src/host/pcsc/connect.ts";
import { openGpSession, type GpConnectOptions } from "../src/host/gp/connect.ts";
import { defaultKeys } from "../src/stack/gp/keys.ts";
import { CURVES, generateEcKey, parseEcKeyPem, type CurveName, type EcKey } from "../src/stack/gp/scp11/curves.ts";
import { generateOce } from "../src/stack/gp/scp11/oce.ts";
import type { Transport } from "../src/stack/transport/transport.ts";
import { claimReader, pcscUsable } from "../tests/harness/pcscd.ts";
import { startSim, waitForCard } from "../tests/card/sim-process.ts";
import { counting } from "../tests/robustness/paths.ts";
import { machine, writeResult } from "./report.ts";

const { values } = parseArgs({ options: { runs: { type: "string" } }, strict: true });
const RUNS = Number(values.runs ?? 15);
const COMMAND = `bun bench/scp11.ts${values.runs ? ` --runs ${values.runs}` : ""}`;

type Ca = EcKey & { d: Uint8Array };
interface Case {
  name: string;
  options: (ca: Ca) => GpConnectOptions;
}

function cases(): Case[] {
  const base = { keys: defaultKeys("AES") };
  const out: Case[] = [
    { name: "SCP03 mac", options: () => ({ ...base, scp: 3, level: "mac" }) },
    { name: "SCP03 renc", options: () => ({ ...base, scp: 3, level: "renc" }) },
  ];
  for (const variant of ["a", "b", "c"] as const) {
    for (const level of ["mac", "enc"] as const) {
      out.push({
        name: `SCP11${variant} ${level}`,
        options: (ca) => {
          const oce = generateOce({ ca });
          return { ...base, scp11: { variant, level, ca, ...(variant === "b" ? {} : { oce: { key: oce.key, certificates: [oce.certificate] } }) } };
        },
      });
    }
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Open a session `RUNS` times over fresh transports; median ms, round trips and bytes. */
async function measure(connect: () => Promise<Transport>, options: GpConnectOptions): Promise<[number, number, number]> {
  const ms: number[] = [];
  let trips = 0;
  let bytes = 0;
  // One opening first, untimed: it warms the crypto and the code paths.
  for (let i = 0; i <= RUNS; i++) {
    const inner = await connect();
    const t = counting(inner);
    const start = performance.now();
    await openGpSession(t, options);
    if (i > 0) ms.push(performance.now() - start);
    trips = t.commands;
    bytes = t.sent + t.received;
    await inner.close?.();
  }
  return [round2(median(ms)), trips, bytes];
}

const rows: (string | number)[][] = [];
const notes: string[] = [];
for (const curveName of ["P-256", "P-384"] as CurveName[]) {
  const curve = CURVES[curveName];
  const ca = generateEcKey(curve);
  const card = createSimulatedCard({ scp11: { curve, variants: ["a", "b", "c"], ca } });
  for (const c of cases()) {
    if (curveName === "P-384" && c.name.startsWith("SCP03")) continue;
    const [ms, trips, bytes] = await measure(async () => inProcessTransport(card), c.options(ca));
    rows.push([c.name, c.name.startsWith("SCP03") ? "-" : curveName, "in-process", ms, trips, bytes]);
  }
  card.close();
}

if (pcscUsable) {
  const dir = mkdtempSync(join(tmpdir(), "webcard-bench-scp11-"));
  const reader = await claimReader();
  try {
    for (const curveName of ["P-256", "P-384"] as CurveName[]) {
      const state = join(dir, `card-${curveName}.sqlite`);
      const sim = await startSim(reader.port, ["--state", state, "--reset", "--scp", "11", "--curve", curveName, "--no-link"]);
      try {
        await waitForCard(reader.name);
        const ca = parseEcKeyPem(readFileSync(`${state}.scp11-ca.pem`, "utf8"), "CA") as Ca;
        for (const c of cases()) {
          if (curveName === "P-384" && c.name.startsWith("SCP03")) continue;
          const [ms, trips, bytes] = await measure(() => connectReader({ reader: reader.name }), c.options(ca));
          rows.push([c.name, c.name.startsWith("SCP03") ? "-" : curveName, "pcscd + vpcd", ms, trips, bytes]);
        }
      } finally {
        sim.proc.kill("SIGTERM");
        await sim.proc.exited;
      }
    }
  } finally {
    reader.release();
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  notes.push("The pcscd + vpcd part was skipped: no pcscd with the vpcd driver.");
}

notes.push(
  `Medians of ${RUNS} session openings per row, each on a fresh connection: SELECT of the ISD and the whole handshake (SCP03: INITIALIZE UPDATE, EXTERNAL AUTHENTICATE; SCP11: GET DATA BF21, for 11a/11c PERFORM SECURITY OPERATION, then MUTUAL or INTERNAL AUTHENTICATE), counted by a counting Transport; bytes are command plus response APDUs.`,
  "SCP11 rows include what the terminal computes: the card's certificate chain checked against the CA key, a fresh ephemeral key pair, two ECDH, the X9.63 derivation and the receipt; the card side does its ECDH and certificate check too.",
);
const path = writeResult("scp11", {
  title: "Opening a session: SCP11 against SCP03",
  command: COMMAND,
  date: new Date().toISOString(),
  machine: machine(),
  columns: ["protocol", "curve", "where", "median ms", "round trips", "bytes on the wire"],
  rows,
  notes,
});
process.stdout.write(`${path}\n`);
