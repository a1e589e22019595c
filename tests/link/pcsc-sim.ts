/**
 * A `webcard sim` process on a vpcd reader of the shared pcscd, for the
 * web-card tests through the real PC/SC stack, and the CLI calls they make.
 */
import { join } from "node:path";
import { CLI, webcard } from "../harness/cli.ts";
import type { VpcdReader } from "../harness/pcscd.ts";

/** A running simulated card. */
export interface SimProcess {
  link: boolean;
  pid: number;
  /** Kill it (by PID) and wait until the reader shows no card. */
  stop(): Promise<void>;
}

interface ReaderRow {
  name: string;
  cardPresent: boolean;
}

function cardPresent(name: string): boolean | undefined {
  const r = webcard(["readers", "--json"]);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as ReaderRow[]).find((x) => x.name === name)?.cardPresent;
}

async function waitForCard(name: string, present: boolean, stillRunning: () => boolean): Promise<void> {
  const end = Date.now() + 20_000;
  while (cardPresent(name) !== present) {
    if (present && !stillRunning()) throw new Error(`webcard sim exited before its card showed in ${name}`);
    if (Date.now() > end) throw new Error(`No card ${present ? "appeared in" : "left"} ${name} within 20 s`);
    await Bun.sleep(100);
  }
}

/** Start `webcard sim [--no-link] --vpcd 127.0.0.1:PORT --state DIR/NAME.sqlite --reset` and wait for its card in the reader. */
export async function startSim(reader: VpcdReader, dir: string, link: boolean): Promise<SimProcess> {
  const name = link ? "link" : "plain";
  const args = ["sim", ...(link ? [] : ["--no-link"]), "--vpcd", `127.0.0.1:${reader.port}`, "--state", join(dir, `${name}.sqlite`), "--reset", "--memory", "262144"];
  const proc = Bun.spawn([process.execPath, CLI, ...args], {
    stdout: Bun.file(join(dir, `${name}-sim.out`)),
    stderr: Bun.file(join(dir, `${name}-sim.err`)),
    stdin: "ignore",
  });
  let exited = false;
  void proc.exited.then(() => (exited = true));
  const stop = async () => {
    if (!exited) {
      proc.kill("SIGTERM");
      const gone = await Promise.race([proc.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
      if (!gone) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
    }
    await waitForCard(reader.name, false, () => true);
  };
  try {
    await waitForCard(reader.name, true, () => !exited);
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return { link, pid: proc.pid, stop };
}

const LINK_RID = "F057454243";

interface ListJson {
  apps: { aid: string; lifecycle: string; privileges: string[]; loadFile?: string }[];
  loadFiles: { aid: string; version?: string; modules: string[] }[];
}

/** `webcard list -r READER --json` as sorted lines, without the link application: "app AID lifecycle privileges load-file" and "pkg AID version modules". */
export function registry(readerName: string): string[] {
  const r = webcard(["list", "-r", readerName, "--json"]);
  if (r.code !== 0) throw new Error(`webcard list failed: ${r.stderr.trim()}`);
  const j = JSON.parse(r.stdout) as ListJson;
  return [
    ...j.apps.filter((a) => !a.aid.startsWith(LINK_RID)).map((a) => `app ${a.aid} ${a.lifecycle} ${a.privileges.join(",") || "-"} ${a.loadFile ?? "-"}`),
    ...j.loadFiles.filter((f) => !f.aid.startsWith(LINK_RID)).map((f) => `pkg ${f.aid} ${f.version ?? "-"} ${f.modules.join(",") || "-"}`),
  ].sort();
}

/** The patterns missing from `text` when they must appear in this order (empty when all are there). */
export function missingInOrder(text: string, patterns: readonly RegExp[]): string[] {
  let from = 0;
  const missing: string[] = [];
  for (const p of patterns) {
    const re = new RegExp(p.source, p.flags.includes("g") ? p.flags : `${p.flags}g`);
    re.lastIndex = from;
    const hit = re.exec(text);
    if (hit) from = hit.index + hit[0].length;
    else missing.push(p.source);
  }
  return missing;
}
