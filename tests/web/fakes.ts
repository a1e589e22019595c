/**
 * A fake of everything the dashboard gets from its caller: readers that
 * tests can fill and empty, a monitor fed by the test, and card operations
 * over an in-memory registry. `install` can be held open with `gate` to
 * test a second operation meeting a busy card.
 */
import { fromHex } from "../../src/stack/bytes.ts";
import { TransportError } from "../../src/stack/errors.ts";
import type { RegistryEntry } from "../../src/stack/gp/registry.ts";
import type { CardConnection, CardOps, DashboardDeps, ReaderEvent, ReaderInfo } from "../../src/web/deps.ts";

export interface Fake {
  deps: DashboardDeps;
  readers: ReaderInfo[];
  registry: RegistryEntry[];
  /** Push a monitor event (the reader list is not changed: do that first). */
  emit(e: ReaderEvent): void;
  /** When set, install waits for it before finishing. */
  gate?: Promise<void>;
  /** When set, a command on a card that is gone fails with this plain error instead of "removed". */
  removalError?: Error;
  /** When set, install fails with it after its first block (a card refusal, say). */
  installError?: Error;
  opened: number;
  /** Times the reader list was read. */
  listed: number;
}

export const FAKE_READER = "Fake Reader 00 00";

/** A fake dashboard environment with one reader holding a card. */
export function makeFake(): Fake {
  const queue: ReaderEvent[] = [];
  let wake: (() => void) | undefined;
  const fake: Fake = {
    readers: [{ name: FAKE_READER, cardPresent: true, atr: "3B80800101" }],
    registry: [
      { kind: "isd", aid: fromHex("A000000151000000"), lifecycle: 0x0f, privileges: 0x9ee000, modules: [] },
    ],
    emit(e) {
      queue.push(e);
      wake?.();
    },
    opened: 0,
    listed: 0,
    deps: undefined as unknown as DashboardDeps,
  };
  const present = (reader: string) => fake.readers.find((r) => r.name === reader)?.cardPresent === true;
  const ops: CardOps = {
    inspectCap(bytes) {
      if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new TransportError("other", "Not a CAP file: no ZIP signature");
      return { packageAid: "0102030405", version: "1.0", applets: ["0102030405060708"], imports: [], loadBytes: bytes.length };
    },
    async overview(ctx) {
      await ctx.transport.transmit(fromHex("00A4040000"));
      return { isd: { aid: "A000000151000000", lifecycle: "secured" }, link: { present: false }, registry: [...fake.registry], problems: [] };
    },
    async install(ctx, req, onProgress) {
      const blocks = 3;
      for (let b = 1; b <= blocks; b++) {
        await ctx.transport.transmit(fromHex("80E8000000"));
        onProgress({ block: b, blocks, bytes: Math.round((req.cap.length * b) / blocks), totalBytes: req.cap.length });
        if (b === 1 && fake.gate) await fake.gate;
        if (fake.installError) throw fake.installError;
      }
      fake.registry.push({ kind: "load-file", aid: fromHex("0102030405"), lifecycle: 1, privileges: 0, modules: [fromHex("0102030405060708")] });
      for (const i of req.instances) fake.registry.push({ kind: "app", aid: fromHex(i.instance), lifecycle: 7, privileges: i.privileges, modules: [], loadFileAid: fromHex("0102030405") });
      return `Installed 0102030405 with ${req.instances.length} instance(s)`;
    },
    async remove(ctx, aid) {
      await ctx.transport.transmit(fromHex("80E4000000"));
      const before = fake.registry.length;
      fake.registry = fake.registry.filter((e) => Buffer.from(e.aid).toString("hex").toUpperCase() !== aid.toUpperCase());
      if (fake.registry.length === before) throw new TransportError("other", `Nothing to delete: ${aid}`);
      return `Deleted ${aid}`;
    },
    async setLocked(_ctx, aid, locked) {
      return `${locked ? "Locked" : "Unlocked"} ${aid}`;
    },
    async cardFetch(_t, request) {
      const url = new URL(request.url);
      return new Response(`<html><body><h1>Card page ${url.pathname}</h1><a href="/registry">registry</a><a href="//elsewhere.example/">far</a><script>alert(1)</script></body></html>`, {
        headers: { "content-type": "text/html", "set-cookie": "card=1" },
      });
    },
  };
  fake.deps = {
    async listReaders() {
      fake.listed++;
      return fake.readers.map((r) => ({ ...r }));
    },
    async *monitor(signal) {
      while (!signal.aborted) {
        const e = queue.shift();
        if (e) {
          yield e;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
      }
    },
    async openCard(reader): Promise<CardConnection> {
      if (!present(reader)) throw new TransportError("removed", `No card in '${reader}'`);
      fake.opened++;
      return {
        name: reader,
        async transmit() {
          if (!present(reader)) throw fake.removalError ?? new TransportError("removed", `The card was removed from '${reader}'`);
          return Uint8Array.of(0x90, 0x00);
        },
        async close() {},
      };
    },
    ops,
  };
  return fake;
}
