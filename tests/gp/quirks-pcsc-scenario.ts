/**
 * Run inside a private pcscd namespace (tests/pcsc/isolated.ts): `webcard
 * sim --profile NAME` in the vpcd reader for each T=0 profile, driven by
 * `webcard info|list|install|delete -r READER --trace` as a user would.
 * Usage: bun quirks-pcsc-scenario.ts PROFILE... (doctor:PROFILE runs doctor
 * alone). Prints one JSON object last.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { scenario } from "../pcsc/scenarios/run.ts";
import { BUN, ROOT } from "../pcsc/isolated.ts";
import { shippedProfiles } from "../../src/card/profiles/catalogue.ts";

const CLI = join(ROOT, "src/cli.ts");
const HELLO = resolve(ROOT, "../shared/fixtures/cap/kaoh_helloworld.cap");

/** The reader as pcscd shows it now: null when no card, else the ATR in upper-case hex. */
function readerAtr(name: string): string | null {
  const r = webcard(["readers", "--json"]);
  if (r.code !== 0) return null;
  const reader = (JSON.parse(r.stdout) as { name: string; cardPresent: boolean; atr: string | null }[]).find((x) => x.name === name);
  return reader?.cardPresent ? (reader.atr ?? "").toUpperCase() : null;
}

/**
 * pcscd polls vpcd: a card swapped between two polls can still show the
 * last card's ATR. Wait until the reader shows `atr` (or no card, for null).
 */
async function waitForReader(name: string, atr: string | null) {
  for (let i = 0; i < 200 && readerAtr(name) !== atr; i++) await Bun.sleep(50);
}

function webcard(args: string[]) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name === "WEBCARD_KEY" || name.startsWith("GP_KEY")) delete env[name];
  const r = Bun.spawnSync([BUN, CLI, ...args], { env, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

await scenario(async (pcscd) => {
  const reader = pcscd.readers[0]!;
  const runs: Record<string, unknown> = {};
  for (const arg of process.argv.slice(2)) {
    const doctorOnly = arg.startsWith("doctor:");
    const profile = doctorOnly ? arg.slice("doctor:".length) : arg;
    const dir = mkdtempSync(join(tmpdir(), "webcard-quirks-pcsc-"));
    const sim = Bun.spawn([BUN, CLI, "sim", "--vpcd", `127.0.0.1:${reader.port}`, "--state", join(dir, "card.sqlite"), "--profile", profile], {
      stdout: "ignore",
      stderr: "ignore",
    });
    try {
      const r = ["-r", reader.name];
      const expected = shippedProfiles().find((p) => p.name === profile)?.atr.toUpperCase() ?? null;
      await waitForReader(reader.name, expected);
      // vpcd shows the new card after pcscd's next poll: wait until info answers with this profile's card.
      let info = webcard(["info", ...r, "--trace"]);
      for (let i = 0; i < 100 && info.code !== 0; i++) {
        await Bun.sleep(100);
        info = webcard(["info", ...r, "--trace"]);
      }
      if (doctorOnly) {
        runs[profile] = { info, doctor: webcard(["doctor", ...r, "--json"]) };
        continue;
      }
      const readers = webcard(["readers", "--json"]);
      const extended = webcard(["install", HELLO, "--via", "gp", ...r, "--block-size", "1000"]);
      const install = webcard(["install", HELLO, "--via", "gp", ...r, "--trace"]);
      const list = webcard(["list", ...r, "--json", "--trace"]);
      const del = webcard(["delete", "D0D1D2D3D4D501", "--force", ...r]);
      const doctor = webcard(["doctor", ...r, "--json"]);
      runs[profile] = { info, readers, extended, install, list, del, doctor };
    } finally {
      sim.kill();
      await sim.exited;
      await waitForReader(reader.name, null);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { runs };
});
