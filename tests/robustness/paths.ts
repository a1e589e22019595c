/**
 * The four install paths (`--via gp`, `bridge`, `web` with short and with
 * extended APDUs) as one function each, a counting Transport, and the
 * fixtures: shared by bench/load.ts and the robustness suites.
 */
import { readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseLoadFile, type CapFile } from "../../src/stack/cap/load-file.ts";
import { writeCap } from "../../src/stack/cap/writer/write-cap.ts";
import { fromHex } from "../../src/stack/bytes.ts";
import { defaultKeys } from "../../src/stack/gp/keys.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { installViaGp } from "../../src/host/gp/install.ts";
import { installViaBridge } from "../../src/host/loader/via-bridge.ts";
import { installViaWeb } from "../../src/host/loader/via-web.ts";

export const ROOT = resolve(import.meta.dir, "../..");
export const CAP_DIR = resolve(ROOT, "../shared/fixtures/cap");
export const ALGTEST = "jcalgtest_AlgTest_v1.7.4_jc222.cap";
/** The fixture whose imports no card has (refused by every path). */
export const PYSIM = "pysim_test_javacard.cap";

export const PATHS = ["gp", "bridge", "web-short", "web-extended"] as const;
export type PathName = (typeof PATHS)[number];

/** Whether the path needs the card's link application (gp and bridge run on a plain GlobalPlatform card). */
export const needsLink = (path: PathName): boolean => path.startsWith("web");

/** The fixture CAP file names, sorted. */
export function fixtureNames(): string[] {
  return readdirSync(CAP_DIR).filter((n) => n.endsWith(".cap")).sort();
}

export interface Cap {
  name: string;
  bytes: Uint8Array;
  file: CapFile;
}

/** A fixture, read where it is (never copied). */
export function fixtureCap(name: string): Cap {
  const bytes = new Uint8Array(readFileSync(resolve(CAP_DIR, name)));
  return { name, bytes, file: parseLoadFile(bytes, name) };
}

/** A CAP made by the CAP builder with `padding` extra bytes (a distinct package per size). */
export function builtCap(padding: number, label = `built-${Math.round(padding / 1024)}k`): Cap {
  const tag = (padding >>> 0).toString(16).padStart(8, "0");
  const bytes = writeCap({
    packageAid: fromHex(`F0FEEDB0${tag}`),
    packageName: `bench.p${tag}`,
    applets: [{ aid: fromHex(`F0FEEDB0${tag}01`), className: "Big" }],
    padding,
  });
  return { name: label, bytes, file: parseLoadFile(bytes, label) };
}

/** A Transport that counts commands and bytes both ways. */
export interface Counting extends Transport {
  commands: number;
  sent: number;
  received: number;
}

/** Wrap `inner` so every command and response is counted. */
export function counting(inner: Transport): Counting {
  const t: Counting = {
    commands: 0,
    sent: 0,
    received: 0,
    name: inner.name ?? "counting",
    ...(inner.extendedLength === undefined ? {} : { extendedLength: inner.extendedLength }),
    async transmit(command) {
      t.commands++;
      t.sent += command.length;
      const r = await inner.transmit(command);
      t.received += r.length;
      return r;
    },
    ...(inner.close ? { close: () => inner.close!() } : {}),
  };
  return t;
}

export const KEYS = () => ({ keys: defaultKeys("AES"), level: "mac" as const });

/**
 * Install `cap` over `t` by `path`; returns the round trips after
 * authentication (EXCHANGE commands for web, GP commands for gp and bridge).
 */
export async function installOn(path: PathName, t: Counting, cap: Cap): Promise<number> {
  switch (path) {
    case "gp": {
      const session = await openGpSession(t, KEYS());
      const base = t.commands;
      await installViaGp(session, cap.file);
      return t.commands - base;
    }
    case "bridge": {
      const session = await openGpSession(t, KEYS());
      const base = t.commands;
      await installViaBridge(t, cap.file, {}, undefined, { session });
      return t.commands - base;
    }
    case "web-short":
      return (await installViaWeb(t, cap.file, {}, undefined, { short: true })).exchanges;
    case "web-extended":
      return (await installViaWeb(t, cap.file)).exchanges;
  }
}
