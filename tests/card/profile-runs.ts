/**
 * Every fixture on one card profile, on every install path the profile can
 * take (gp and bridge always, web only with the link application): install,
 * list, delete, list again. Shared by the in-process test and the pcscd +
 * vpcd scenario; the transport decides which. A fixture the card cannot take
 * (an import its Java Card release lacks, the SIM toolkit) must be refused
 * before anything stays on the card.
 */
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { javaCardApi } from "../../src/stack/cap/javacard-api.ts";
import { StaticKeys } from "../../src/stack/gp/keys.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { installCap, type InstallPath } from "../../src/host/loader/install-paths.ts";
import { openGpSession, type GpConnectOptions } from "../../src/host/gp/connect.ts";
import { list } from "../../src/host/gp/registry.ts";
import { deleteAid } from "../../src/host/gp/manage.ts";
import { defaultMasterKey } from "../../src/card/profiles/factory.ts";
import type { CardProfile } from "../../src/card/profiles/profile.ts";
import { FIXTURES, FIXTURES_DIR } from "../cap/fixtures.ts";

export interface FixtureRun {
  fixture: string;
  via: InstallPath;
  /** What the card's Java Card release and packages say: it takes the file, or not. */
  takes: boolean;
  /** Applet instances listed after the install (sorted), or the refusal's message. */
  installed?: string[];
  refused?: string;
  /** Instances and the package still listed after the delete (must be none). */
  left: string[];
  /** Applications listed when nothing is installed (before and after each run). */
  baseline: string[];
}

/** The paths of a profile: the bridge and gp on every card, the card's own loader with the link application. */
export function pathsOf(profile: CardProfile): InstallPath[] {
  return profile.link ? ["gp", "bridge", "web"] : ["gp", "bridge"];
}

/** The key options a technician gives for this card: its master key and diversification (docs/profiles.md). */
export function connectFor(profile: CardProfile): GpConnectOptions {
  const master = profile.keys.master === "default" ? defaultMasterKey(profile.keys.length) : fromHex(profile.keys.master);
  const keys = new StaticKeys({ enc: master, mac: master, dek: master, type: profile.keys.scp === 2 ? "3DES" : "AES" });
  return { keys, kdf: profile.keys.kdf, scp: profile.keys.scp, level: "mac" };
}

/** Whether a card of this profile has every package the fixture imports (same major, minor at least). */
function takes(profile: CardProfile, imports: string[]): boolean {
  const api = javaCardApi(profile.javaCard);
  return imports.every((i) => {
    const [aid, version] = i.split(" ") as [string, string];
    const [major, minor] = version.split(".").map(Number) as [number, number];
    return api.some((p) => toHex(p.aid) === aid && p.major === major && p.minor >= minor);
  });
}

/** Run every fixture on every path of `profile` over `transport`. */
export async function exerciseProfile(transport: Transport, profile: CardProfile): Promise<FixtureRun[]> {
  const connect = connectFor(profile);
  const registry = async () => list(await openGpSession(transport, connect));
  const appsOf = async () => (await registry()).apps.map((a) => toHex(a.aid)).sort();
  const baseline = await appsOf();
  const runs: FixtureRun[] = [];
  for (const facts of FIXTURES) {
    const cap = parseLoadFile(readFileSync(join(FIXTURES_DIR, facts.file)), facts.file);
    for (const via of pathsOf(profile)) {
      const run: FixtureRun = { fixture: facts.file, via, takes: takes(profile, facts.imports), left: [], baseline };
      try {
        await installCap(transport, cap, {}, { via, connect });
        const after = await registry();
        run.installed = after.apps.map((a) => toHex(a.aid)).filter((aid) => facts.applets.includes(aid)).sort();
        await deleteAid(await openGpSession(transport, connect), cap.packageAid, { force: true });
      } catch (error) {
        run.refused = (error as Error).message;
      }
      const now = await registry();
      run.left = [
        ...now.apps.map((a) => toHex(a.aid)).filter((aid) => !baseline.includes(aid)),
        ...now.loadFiles.map((f) => toHex(f.aid)).filter((aid) => aid === facts.packageAid),
      ];
      runs.push(run);
    }
  }
  return runs;
}

/** What every run on a profile must show; shared with the pcscd + vpcd test. */
export function expectRuns(runs: FixtureRun[], paths: string[]): void {
  expect(runs).toHaveLength(FIXTURES.length * paths.length);
  expect(runs.some((r) => r.takes)).toBe(true);
  for (const r of runs) {
    const where = `${r.fixture} --via ${r.via}`;
    const applets = FIXTURES.find((f) => f.file === r.fixture)!.applets;
    if (r.takes) expect({ where, refused: r.refused, installed: r.installed }).toEqual({ where, refused: undefined, installed: [...applets].sort() });
    else expect({ where, refused: r.refused }).toEqual({ where, refused: expect.stringContaining("6A80") });
    expect({ where, left: r.left }).toEqual({ where, left: [] });
  }
}
