/**
 * The simulated card's JCVM: bytecodes per second (an assembled applet whose
 * process() counts a short from 0 to 32767: 131,071 bytecodes per command)
 * and the time of fixture commands, SELECT included, in-process (no reader),
 * heap written to the card's memory (SQLite in memory) after each command.
 *
 *   bun bench/jcvm.ts [--runs 30]
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createSimulatedCard } from "../src/card/sim.ts";
import { fromHex, toHex } from "../src/stack/bytes.ts";
import { writeCap } from "../src/stack/cap/writer/write-cap.ts";
import { assemble, PROCESS_SKIPS_SELECT } from "../src/stack/cap/writer/assembler.ts";
import { instanceFieldRef } from "../src/stack/cap/writer/spec.ts";
import { parseLoadFile, type CapFile } from "../src/stack/cap/load-file.ts";
import { encodeTlv } from "../src/stack/tlv.ts";
import { machine, writeResult } from "./report.ts";

const FIXTURES = resolve(import.meta.dir, "../../shared/fixtures/cap");
const { values: args } = parseArgs({ options: { runs: { type: "string", default: "30" } }, strict: true });
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got '${args.runs}'`);

/** sconst_0 sstore_2 | L: sinc 2,1 sload_2 sspush 7FFF if_scmplt L | return */
const LOOP_CODE = [0x03, 0x31, 0x59, 0x02, 0x01, 0x1e, 0x11, 0x7f, 0xff, 0x6c, 0xf9, 0x7a];
const LOOP_BYTECODES = 2 + 4 * 32767 + 1;

function lv(b: Uint8Array): number[] {
  return [b.length, ...b];
}

function installApdus(cap: CapFile): Uint8Array[] {
  const out: Uint8Array[] = [];
  const isd = fromHex("A000000151000000");
  const forLoad = [...lv(cap.packageAid), ...lv(isd), 0, 0, 0];
  out.push(Uint8Array.of(0x80, 0xe6, 0x02, 0x00, forLoad.length, ...forLoad, 0));
  const file = encodeTlv(0xc4, cap.lfdb);
  const blocks = Math.ceil(file.length / 255);
  for (let i = 0; i < blocks; i++) {
    const part = file.subarray(i * 255, (i + 1) * 255);
    out.push(Uint8Array.of(0x80, 0xe8, i === blocks - 1 ? 0x80 : 0, i, part.length, ...part, 0));
  }
  for (const a of cap.applets) {
    const d = [...lv(cap.packageAid), ...lv(a.aid), ...lv(a.aid), 1, 0, 2, 0xc9, 0, 0];
    out.push(Uint8Array.of(0x80, 0xe6, 0x0c, 0x00, d.length, ...d, 0));
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function onCard(cap: CapFile) {
  const card = createSimulatedCard({ open: true });
  for (const c of installApdus(cap)) {
    const r = await card.process(c);
    if (toHex(r.subarray(r.length - 2)) !== "9000") throw new Error(`install of ${toHex(cap.packageAid)} answered ${toHex(r)}`);
  }
  return card;
}

/** Median ms of `command` (after `before`, e.g. a SELECT), over `runs` runs after 3 warm-ups. */
async function time(cap: CapFile, before: string[], command: string, expectSw: string): Promise<number> {
  const card = await onCard(cap);
  const ms: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    for (const b of before) await card.process(fromHex(b));
    const t0 = performance.now();
    const r = await card.process(fromHex(command));
    const t = performance.now() - t0;
    if (toHex(r.subarray(r.length - 2)) !== expectSw) throw new Error(`${command} answered ${toHex(r)}, expected SW ${expectSw}`);
    if (i >= 3) ms.push(t);
  }
  card.close();
  return median(ms);
}

const fixture = (name: string) => parseLoadFile(readFileSync(resolve(FIXTURES, name)), name);
const select = (cap: CapFile) => `00A40400${toHex(Uint8Array.of(cap.applets[0]!.aid.length))}${toHex(cap.applets[0]!.aid)}`;

const loopCap = parseLoadFile(
  writeCap({
    packageAid: fromHex("A0000006472F0002"),
    packageName: "bench.loop",
    applets: [{ aid: fromHex("A0000006472F000201"), className: "Loop" }],
    process: { maxStack: 2, maxLocals: 1, code: LOOP_CODE },
  }),
);
const loopMs = await time(loopCap, [select(loopCap)], "8001000000", "9000");
/**
 * A crypto applet: P1 0 makes an EC P-256 key pair, an RSA 2048 CRT key pair
 * and their Signature objects (kept in the applet's fields); P1 1 signs the
 * data with ECDSA SHA-256, P1 2 with RSA SHA-256 PKCS#1, P1 3 generates the
 * RSA key pair again, P1 4 generates the EC key pair again.
 */
const [FW, SEC] = [0x80, 0x82];
const CRYPTO_ENTRIES: number[][] = [
  [3, FW, 10, 1], // getBuffer
  [3, FW, 10, 6], // setIncomingAndReceive
  [3, FW, 10, 8], // setOutgoingAndSend
  [1, SEC, 16, 0], // KeyPair
  [6, SEC, 16, 0], // KeyPair.<init>(BS)V
  [3, SEC, 16, 1], // genKeyPair
  [3, SEC, 16, 2], // getPrivate
  [6, SEC, 15, 0], // Signature.getInstance
  [3, SEC, 15, 3], // Signature.init(Key, B)
  [3, SEC, 15, 5], // sign
  [...instanceFieldRef(0)], [...instanceFieldRef(1)], [...instanceFieldRef(2)], [...instanceFieldRef(3)],
];
const C = Object.fromEntries(
  ["getBuffer", "receive", "send", "KeyPair", "KeyPair_init", "genKeyPair", "getPrivate", "getInstance", "init", "sign", "ecPair", "ecSig", "rsaPair", "rsaSig"].map((n, i) => [n, 5 + i]),
);
const pairAndSignature = (alg: number, bits: number, sigAlg: number, pair: string, sig: string) => `
  aload_0
  new #KeyPair
  dup
  bspush ${alg}
  sspush ${bits}
  invokespecial #KeyPair_init
  putfield_a #${pair}
  getfield_a_this #${pair}
  invokevirtual #genKeyPair
  aload_0
  bspush ${sigAlg}
  sconst_0
  invokestatic #getInstance
  putfield_a #${sig}
  getfield_a_this #${sig}
  getfield_a_this #${pair}
  invokevirtual #getPrivate
  sconst_1
  invokevirtual #init`;
const signWith = (sig: string) => `
  getfield_a_this #${sig}
  aload_2
  bspush 5
  sload_3
  aload_2
  sconst_0
  invokevirtual #sign
  sstore_3
  aload_1
  sconst_0
  sload_3
  invokevirtual #send
  return`;
const cryptoCap = parseLoadFile(
  writeCap({
    packageAid: fromHex("A0000006472F0008"),
    packageName: "bench.crypto",
    applets: [{ aid: fromHex("A0000006472F000801"), className: "Sign" }],
    imports: [
      { aid: fromHex("A0000000620101"), major: 1, minor: 2 },
      { aid: fromHex("A0000000620001"), major: 1, minor: 0 },
      { aid: fromHex("A0000000620102"), major: 1, minor: 2 },
    ],
    fields: { references: 4, shorts: 0 },
    constants: CRYPTO_ENTRIES.map((e) => Uint8Array.from(e)),
    process: {
      maxStack: 8,
      maxLocals: 2,
      code: assemble(
        `${PROCESS_SKIPS_SELECT}
  aload_1
  invokevirtual #receive
  sstore_3
  aload_2
  sconst_2
  baload
  stableswitch done 0 4 setup ecdsa rsa rsagen ecgen
setup:
${pairAndSignature(5, 256, 33, "ecPair", "ecSig")}
${pairAndSignature(2, 2048, 40, "rsaPair", "rsaSig")}
  return
ecdsa:
${signWith("ecSig")}
rsa:
${signWith("rsaSig")}
rsagen:
  getfield_a_this #rsaPair
  invokevirtual #genKeyPair
  return
ecgen:
  getfield_a_this #ecPair
  invokevirtual #genKeyPair
done:
  return
`,
        C,
      ),
    },
  }),
);
const DIGEST_INPUT = "0020" + "00".repeat(32);
const hello = fixture("kaoh_helloworld.cap");
const algtest = fixture("jcalgtest_AlgTest_v1.7.4_jc222.cap");
const omapi = fixture("omapi_T1_omapitest4.cap");

const rows: (string | number)[][] = [
  ["loop applet: 32,767 iterations (131,071 bytecodes)", "8001000000", round(loopMs), Math.round(LOOP_BYTECODES / (loopMs / 1000))],
  ["kaoh_helloworld: SELECT", select(hello), round(await time(hello, [], select(hello), "9000")), ""],
  ["kaoh_helloworld: any command", "8010000000", round(await time(hello, [select(hello)], "8010000000", "9000")), ""],
  ["AlgTest 1.7.4: SELECT", select(algtest), round(await time(algtest, [], select(algtest), "9000")), ""],
  ["AlgTest 1.7.4: version", "B0E1000000", round(await time(algtest, [select(algtest)], "B0E1000000", "9000")), ""],
  ["AlgTest 1.7.4: Cipher AES CBC supported?", "B0751100030D000000", round(await time(algtest, [select(algtest)], "B0751100030D000000", "9000")), ""],
  ["AlgTest 1.7.4: KeyBuilder AES-256 supported?", "B0752000030F010000", round(await time(algtest, [select(algtest)], "B0752000030F010000", "9000")), ""],
  ["omapitest4: case 4 echo", "00100100040102030400", round(await time(omapi, [select(omapi)], "00100100040102030400", "9000")), ""],
  ["crypto applet: ECDSA P-256 SHA-256 sign (32 bytes)", `800001${DIGEST_INPUT}00`, round(await time(cryptoCap, [select(cryptoCap), "8000000000"], `800001${DIGEST_INPUT}00`, "9000")), ""],
  ["crypto applet: RSA 2048 CRT SHA-256 PKCS#1 sign (32 bytes)", `800002${DIGEST_INPUT}00`, round(await time(cryptoCap, [select(cryptoCap), "8000000000"], `800002${DIGEST_INPUT}00`, "9000")), ""],
  ["crypto applet: EC P-256 genKeyPair", "8000040000", round(await time(cryptoCap, [select(cryptoCap), "8000000000"], "8000040000", "9000")), ""],
  ["crypto applet: RSA 2048 genKeyPair", "8000030000", round(await time(cryptoCap, [select(cryptoCap), "8000000000"], "8000030000", "9000")), ""],
];

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const path = writeResult("jcvm", {
  title: "Java Card VM: bytecodes per second and command times",
  command: `bun bench/jcvm.ts --runs ${runs}`,
  date: new Date().toISOString(),
  machine: machine(),
  columns: ["command", "APDU", "median ms", "bytecodes/s"],
  rows,
  notes: [
    "In-process simulated card (no reader), card memory in SQLite (:memory:); each time includes the heap write after the command.",
    "The loop applet is assembled with the CAP builder (sinc, sload, sspush, if_scmplt per iteration); bytecodes/s = 131,071 / its median time.",
    `Median of ${runs} runs after 3 warm-ups; the commands before each run (a SELECT; for the crypto applet also its setup, P1 0, which generates both key pairs) are not timed.`,
    "The crypto applet is assembled with the CAP builder; its keys and Signature objects live in its instance fields. RSA and EC arithmetic is BigInt (src/card/jcvm/crypto/); RSA primes come from node:crypto, so genKeyPair times vary from run to run.",
  ],
});
process.stdout.write(`${path}\n`);
for (const r of rows) process.stdout.write(`${r.join(" | ")}\n`);
