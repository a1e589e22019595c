/**
 * Run inside a private pcscd namespace (tests/pcsc/isolated.ts): for every
 * card profile, a `webcard sim --profile NAME` process in a vpcd reader, and
 * the terminal through PC/SC (ATR, protocol, then every fixture on every
 * path, profile-runs.ts). The two readers take turns, so a new card never
 * waits for pcscd to notice the last one gone. Prints one JSON object last.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scenario } from "../pcsc/scenarios/run.ts";
import { BUN, ROOT } from "../pcsc/isolated.ts";
import { connectReader, type ReaderConnection } from "../../src/host/pcsc/connect.ts";
import { shippedProfiles } from "../../src/card/profiles/catalogue.ts";
import { withIsoResponses } from "../../src/stack/transport/get-response.ts";
import { toHex } from "../../src/stack/bytes.ts";
import { exerciseProfile } from "./profile-runs.ts";

const CLI = join(ROOT, "src/cli.ts");

/** Connect once the reader shows the new card (vpcd reports it at pcscd's next poll). */
async function cardIn(reader: string, atr: string): Promise<ReaderConnection> {
  let last = "";
  for (let i = 0; i < 200; i++) {
    try {
      const c = await connectReader({ reader });
      if (toHex(c.atr) === atr) return c;
      last = `ATR ${toHex(c.atr)}`;
      await c.close();
    } catch (error) {
      last = (error as Error).message;
    }
    await Bun.sleep(100);
  }
  throw new Error(`no card with ATR ${atr} in ${reader}: ${last}`);
}

await scenario(async (pcscd) => {
  const dir = mkdtempSync(join(tmpdir(), "webcard-profiles-pcsc-"));
  const results: Record<string, unknown> = {};
  try {
    for (const [n, profile] of shippedProfiles().entries()) {
      const reader = pcscd.readers[n % pcscd.readers.length]!;
      const sim = Bun.spawn([BUN, CLI, "sim", "--vpcd", `127.0.0.1:${reader.port}`, "--state", join(dir, `${profile.name}.sqlite`), "--profile", profile.name], {
        stdout: "ignore",
        stderr: "pipe",
      });
      const log = new Response(sim.stderr).text();
      try {
        const connection = await cardIn(reader.name, profile.atr.toUpperCase());
        try {
          const runs = await exerciseProfile(withIsoResponses(connection), profile);
          results[profile.name] = { atr: toHex(connection.atr), protocol: connection.protocol, runs };
        } finally {
          await connection.close();
        }
      } catch (error) {
        results[profile.name] = { error: (error as Error).message };
      } finally {
        sim.kill();
        await sim.exited;
        const text = await log;
        if ("error" in (results[profile.name] as object)) (results[profile.name] as Record<string, unknown>).log = text.slice(-2000);
      }
    }
    // A client nobody here wrote, on a T=0 profile with timing: opensc-tool through pcscd, and the sim's own line.
    const reader = pcscd.readers[0]!;
    const sim = Bun.spawn([BUN, CLI, "sim", "--vpcd", `127.0.0.1:${reader.port}`, "--state", join(dir, "opensc.sqlite"), "--profile", "jcop4-t0", "--timing", "5"], {
      stdout: "pipe",
      stderr: "ignore",
    });
    const first = await (sim.stdout as ReadableStream<Uint8Array>).getReader().read();
    let opensc = "";
    try {
      await (await cardIn(reader.name, "3B6A00FF0031C173C84000009000")).close();
      const r = Bun.spawnSync(["opensc-tool", "-r", reader.name, "-s", "00A4040008A00000015100000000", "-s", "80CA9F7F00"], { stdout: "pipe", stderr: "pipe" });
      opensc = r.stdout.toString() + r.stderr.toString();
    } finally {
      sim.kill();
      await sim.exited;
    }
    return { results, simLine: new TextDecoder().decode(first.value ?? new Uint8Array(0)).trim(), opensc };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
