/**
 * Mutated CAP files (bit flips, truncation, broken ZIP structure, wrong
 * lengths and counts inside components): every one is either refused with a
 * clear one-line message (a WebcardError) by parseLoadFile or by the card,
 * or installs; none crashes (another error class) or hangs (each case runs
 * in a worker with a time limit; a hang counts as a failure).
 */
import { afterAll, expect, test } from "bun:test";
import { strFromU8, unzipSync, zipSync } from "fflate";
import { Counts, LONG, SEED, rng, type Rng } from "./common.ts";
import { fixtureCap, fixtureNames } from "./paths.ts";
import type { CapVerdict } from "./cap-worker.ts";

const CASES = LONG ? 10000 : 1500;
const CASE_LIMIT_MS = 5000;
const counts = new Counts("cap mutation");
const outcomes = new Map<string, number>();
afterAll(() => {
  counts.print();
  console.log(`robustness cap mutation outcomes: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(", ")}`);
});

function bitFlips(r: Rng, b: Uint8Array): Uint8Array {
  const out = b.slice();
  for (let i = 0, n = 1 + r.int(8); i < n; i++) {
    const at = r.int(out.length);
    out[at] = out[at]! ^ (1 << r.int(8));
  }
  return out;
}

function truncate(r: Rng, b: Uint8Array): Uint8Array {
  return b.slice(0, r.int(b.length));
}

/** Damage the ZIP structure: signatures, the central directory, the end record, sizes, compression method. */
function brokenZip(r: Rng, b: Uint8Array): Uint8Array {
  const out = b.slice();
  const find = (sig: number[]) => {
    const hits: number[] = [];
    for (let i = 0; i + 4 <= out.length; i++) if (out[i] === sig[0] && out[i + 1] === sig[1] && out[i + 2] === sig[2] && out[i + 3] === sig[3]) hits.push(i);
    return hits;
  };
  const local = find([0x50, 0x4b, 0x03, 0x04]);
  const central = find([0x50, 0x4b, 0x01, 0x02]);
  const end = find([0x50, 0x4b, 0x05, 0x06]);
  switch (r.int(6)) {
    case 0: {
      const at = r.pick([...local, ...central, ...end]);
      const i = at + r.int(4);
      out[i] = out[i]! ^ 0xff; // a signature
      break;
    }
    case 1: {
      const at = r.pick(central); // compressed / uncompressed size or offset in the central directory
      const field = r.pick([20, 24, 42]);
      out.set(r.bytes(4), at + field);
      break;
    }
    case 2: {
      const at = r.pick(end); // entry counts, directory size or offset
      out.set(r.bytes(2 + r.int(3)), at + 8 + r.int(10));
      break;
    }
    case 3: {
      const at = r.pick(local); // compression method: stored <-> deflated, or unknown
      out[at + 8] = r.pick([0, 8, 12, 99]);
      break;
    }
    case 4: {
      const from = r.int(out.length); // a run of zeros over whatever is there
      out.fill(0, from, Math.min(out.length, from + 1 + r.int(64)));
      break;
    }
    default:
      return out.slice(0, end[0] ?? out.length); // no end-of-central-directory record
  }
  return out;
}

/** A valid ZIP whose component files lie: size fields, counts, truncated or extended bodies, a component missing. */
function wrongLengths(r: Rng, b: Uint8Array): Uint8Array {
  const files = unzipSync(b);
  const names = Object.keys(files).filter((n) => n.endsWith(".cap"));
  const name = r.pick(names);
  const c = files[name]!.slice();
  let next = c;
  switch (r.int(6)) {
    case 0: // the u2 size after the tag
      if (c.length >= 3) {
        const size = r.pick([0, 1, 0xffff, ((c[1]! << 8) | c[2]!) + r.pick([-1, 1, 2, -2])].map((v) => v & 0xffff));
        c[1] = size >> 8;
        c[2] = size & 0xff;
      }
      break;
    case 1: // a count or length byte inside (applet count, import count, AID length...)
      if (c.length > 3) c[3 + r.int(Math.min(c.length - 3, 16))] = r.pick([0, 1, 0x10, 0x7f, 0xff, r.int(256)]);
      break;
    case 2:
      next = c.slice(0, r.int(c.length));
      break;
    case 3:
      next = Uint8Array.from([...c, ...r.bytes(1 + r.int(32))]);
      break;
    case 4:
      delete files[name];
      break;
    default: // the Directory's table of component sizes
      if (name.endsWith("Directory.cap") && c.length > 8) c.set(r.bytes(2), 3 + 2 * r.int(Math.min(11, (c.length - 3) >> 1)));
      else c[0] = r.int(256); // the tag
  }
  if (files[name]) files[name] = next;
  return zipSync(files);
}

const MUTATORS = { "bit flips": bitFlips, truncation: truncate, "broken ZIP": brokenZip, "wrong lengths": wrongLengths } as const;

test(`${CASES} mutated CAP files: refused clearly or installed, no crash, no hang`, async () => {
  const r = rng(SEED ^ 0xca9);
  const sources = fixtureNames().map((n) => fixtureCap(n).bytes);
  let worker = new Worker(new URL("./cap-worker.ts", import.meta.url));
  let nextId = 0;
  const run = (bytes: Uint8Array) =>
    new Promise<CapVerdict | "hang">((resolve) => {
      const id = ++nextId;
      const timer = setTimeout(() => resolve("hang"), CASE_LIMIT_MS);
      worker.onmessage = (e: MessageEvent<CapVerdict & { id: number }>) => {
        if (e.data.id !== id) return;
        clearTimeout(timer);
        resolve(e.data);
      };
      worker.postMessage({ id, bytes });
    });
  try {
    const kinds = Object.keys(MUTATORS) as (keyof typeof MUTATORS)[];
    for (let i = 0; i < CASES; i++) {
      const kind = kinds[i % kinds.length]!;
      const source = r.pick(sources);
      let bytes: Uint8Array;
      try {
        bytes = MUTATORS[kind](r, source);
      } catch {
        bytes = truncate(r, source); // the mutator itself could not unzip (never for the fixtures)
      }
      const v = await run(bytes);
      const tag = v === "hang" ? "hang" : v.stage;
      outcomes.set(`${kind} ${tag}`, (outcomes.get(`${kind} ${tag}`) ?? 0) + 1);
      if (v === "hang") {
        counts.fail(`case ${i} (${kind}): no answer within ${CASE_LIMIT_MS} ms`);
        worker.terminate();
        worker = new Worker(new URL("./cap-worker.ts", import.meta.url));
      } else if (v.stage !== "installed" && !v.clear) {
        counts.fail(`case ${i} (${kind}): ${v.stage} failed without a clear message: ${v.error}`);
      } else {
        counts.pass();
      }
    }
  } finally {
    worker.terminate();
  }
  expect(counts.failures).toEqual([]);
}, LONG ? 900_000 : 60_000);
