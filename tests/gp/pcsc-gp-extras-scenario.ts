/**
 * Run inside a private pcscd namespace (tests/pcsc/isolated.ts): issue 13's
 * CPLC dates, rename-isd and --default through pcscd + vpcd, under SCP02
 * and SCP03, as a technician types them (`webcard ... -r READER`).
 * Prints one JSON object last (tests/pcsc/scenarios/run.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { scenario } from "../pcsc/scenarios/run.ts";
import { BUN, ROOT } from "../pcsc/isolated.ts";

const CLI = join(ROOT, "src/cli.ts");
const CAP = resolve(ROOT, "../shared/fixtures/cap/kaoh_helloworld.cap");
export const NEW_ISD = "A0000001515350";

function webcard(args: string[]) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name === "WEBCARD_KEY" || name.startsWith("GP_KEY")) delete env[name];
  const r = Bun.spawnSync([BUN, CLI, ...args], { env, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

await scenario(async (pcscd) => {
  const reader = pcscd.readers[0]!;
  const dir = mkdtempSync(join(tmpdir(), "webcard-gp-extras-pcsc-"));
  const runs: Record<string, Record<string, ReturnType<typeof webcard>>> = {};
  try {
    for (const scp of ["02", "03"]) {
      const sim = Bun.spawn([BUN, CLI, "sim", "--vpcd", `127.0.0.1:${reader.port}`, "--state", join(dir, `card-${scp}.sqlite`), "--scp", scp, "--no-link"], {
        stdout: "ignore",
        stderr: "ignore",
      });
      try {
        const r = ["-r", reader.name];
        for (let i = 0; i < 100 && webcard(["info", ...r]).code !== 0; i++) await Bun.sleep(100);
        const onNew = [...r, "--isd", NEW_ISD];
        runs[scp] = {
          perso: webcard(["card", "set-perso", "--data", "4750000012345678", ...r]),
          cplc: webcard(["info", "--tag", "9F7F", ...r]),
          rename: webcard(["rename-isd", NEW_ISD, ...r, "--json"]),
          oldIsd: webcard(["apdu", ...r, "00A4040008A000000151000000"]),
          cplcAfter: webcard(["info", "--tag", "9F7F", ...onNew]),
          install: webcard(["install", CAP, "--via", "gp", "--default", "contact", ...onNew, "--json"]),
          list: webcard(["list", ...onNew, "--json"]),
          selectDefault: webcard(["apdu", ...r, "00A4040000"]),
        };
      } finally {
        sim.kill("SIGTERM");
        await sim.exited;
        // The next card only once pcscd has seen this one go (a swap between two polls keeps the old ATR).
        for (let i = 0; i < 100; i++) {
          const readers = webcard(["readers", "--json"]);
          const me = readers.code === 0 ? (JSON.parse(readers.stdout) as { name: string; cardPresent: boolean }[]).find((x) => x.name === reader.name) : undefined;
          if (me && !me.cardPresent) break;
          await Bun.sleep(50);
        }
      }
    }
    return { runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
