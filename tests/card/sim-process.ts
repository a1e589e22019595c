/** `webcard sim` as a child process: start it on a vpcd port and wait for its one line. */
import { resolve } from "node:path";

export const CLI = resolve(import.meta.dir, "../../src/cli.ts");

export interface SimProcess {
  proc: ReturnType<typeof Bun.spawn>;
  /** The line printed once attached. */
  line: string;
  /** Everything the card logged on stderr so far. */
  stderr(): string;
}

/** Start `webcard sim --vpcd 127.0.0.1:<port> ...extra`; resolves once attached (its stdout line). */
export async function startSim(port: number, extra: string[], timeoutMs = 15_000): Promise<SimProcess> {
  const proc = Bun.spawn([process.execPath, CLI, "sim", "--vpcd", `127.0.0.1:${port}`, ...extra], {
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  let err = "";
  void (async () => {
    const dec = new TextDecoder();
    const r = (proc.stderr as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await r.read();
      if (done) break;
      err += dec.decode(value);
    }
  })();
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  const first = await Promise.race([reader.read(), Bun.sleep(timeoutMs).then(() => undefined)]);
  reader.releaseLock();
  if (!first || first.done) {
    proc.kill("SIGKILL");
    throw new Error(`webcard sim did not attach within ${timeoutMs} ms: ${err}`);
  }
  return { proc, line: new TextDecoder().decode(first.value).trim(), stderr: () => err };
}

/** Run a command, with a time limit; returns exit code and output. */
export async function tool(args: string[], timeoutMs = 10_000): Promise<{ code: number; out: string }> {
  const p = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  return { code, out: out + err };
}

/** Wait until opensc-tool can talk to the card in `reader` (vpcd shows a card only after its next poll). */
export async function waitForCard(reader: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await tool(["opensc-tool", "-r", reader, "-a"], 5000);
    if (r.code === 0) return;
    if (Date.now() > end) throw new Error(`No card in ${reader} within ${ms} ms: ${r.out}`);
    await Bun.sleep(100);
  }
}
