/**
 * What every robustness suite shares: the seeded generator, short or long
 * mode, the one-line count report, and the package-state check (a package is
 * on the card entirely or not at all) through an authenticated GP session.
 */
import { toHex } from "../../src/stack/bytes.ts";
import type { Transport } from "../../src/stack/transport/transport.ts";
import { openGpSession } from "../../src/host/gp/connect.ts";
import { getStatusAll } from "../../src/host/gp/registry.ts";
import type { CapFile } from "../../src/stack/cap/load-file.ts";
import { KEYS } from "./paths.ts";

/** `WEBCARD_LONG=1` (set by `bun tests/robustness/run.ts --long`): deeper, slower runs. */
export const LONG = process.env.WEBCARD_LONG === "1";

/** Base seed of every suite (override with ROBUSTNESS_SEED to explore). */
export const SEED = Number(process.env.ROBUSTNESS_SEED ?? 0x9e11ab1e);

export { rng, mutate, type Rng } from "../harness/random.ts";

/** Counts of one suite; `fail` keeps the first few reasons for the test's message. */
export class Counts {
  tried = 0;
  passed = 0;
  failed = 0;
  readonly failures: string[] = [];
  constructor(readonly suite: string) {}
  pass(): void {
    this.tried++;
    this.passed++;
  }
  fail(reason: string): void {
    this.tried++;
    this.failed++;
    if (this.failures.length < 20) this.failures.push(reason);
  }
  /** The one line every suite prints at its end (bun tests/robustness/run.ts collects it). */
  line(): string {
    return `robustness ${this.suite}: ${this.tried} tried, ${this.passed} passed, ${this.failed} failed${LONG ? " (long)" : ""}`;
  }
  print(): void {
    console.log(this.line());
  }
}

export type PackageState = "absent" | "loaded" | "installed" | "inconsistent";

/** The package's state on the card behind `t`, read under SCP03 with GET STATUS. */
export async function packageState(t: Transport, cap: CapFile): Promise<{ state: PackageState; detail: string }> {
  const session = await openGpSession(t, KEYS());
  const files = await getStatusAll(session.channel, "load-files-and-modules");
  const apps = await getStatusAll(session.channel, "apps");
  const pkg = toHex(cap.packageAid);
  const file = files.find((f) => toHex(f.aid) === pkg);
  const appletAids = cap.applets.map((a) => toHex(a.aid));
  const instances = apps.filter((a) => appletAids.includes(toHex(a.aid)));
  if (!file) {
    return instances.length === 0 ? { state: "absent", detail: "" } : { state: "inconsistent", detail: `instances ${instances.map((i) => toHex(i.aid))} without their package` };
  }
  const modules = file.modules.map(toHex);
  if (modules.join() !== appletAids.join()) return { state: "inconsistent", detail: `package ${pkg} lists modules ${modules} instead of ${appletAids}` };
  const bad = instances.find((i) => toHex(i.loadFileAid ?? new Uint8Array(0)) !== pkg || i.lifecycle !== 0x07);
  if (bad) return { state: "inconsistent", detail: `instance ${toHex(bad.aid)} is in state ${bad.lifecycle}` };
  return { state: instances.length === appletAids.length ? "installed" : "loaded", detail: "" };
}

/** An error's one line with its class, for failure reasons. */
export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
