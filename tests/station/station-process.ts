/** `webcard station` as a child process for the tests: start it, stop it, SIGKILL it, by PID. */
import { CLI } from "../harness/cli.ts";

export interface StationProcess {
  proc: ReturnType<typeof Bun.spawn>;
  /** stdout and stderr so far. */
  output(): string;
}

/** Start `webcard station JOB --json ...extra` with `env` added (keys cleared as the CLI harness does). */
export function startStation(job: string, extra: string[], env: Record<string, string>): StationProcess {
  const base = { ...process.env };
  for (const name of Object.keys(base)) if (name === "WEBCARD_KEY" || name.startsWith("GP_KEY")) delete base[name];
  const proc = Bun.spawn([process.execPath, CLI, "station", job, "--json", ...extra], { env: { ...base, ...env }, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  let text = "";
  for (const stream of [proc.stdout, proc.stderr] as ReadableStream<Uint8Array>[]) {
    void (async () => {
      const dec = new TextDecoder();
      const reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += dec.decode(value);
      }
    })();
  }
  return { proc, output: () => text };
}

/** Wait (polling, up to `ms`) until `cond` holds; throws naming `what` otherwise. */
export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await Bun.sleep(50);
  }
}

/**
 * Wait until PC/SC shows no card in `reader`. A card taken out and another
 * put in faster than pcscd polls the vpcd reader never shows as absent (and
 * no PC/SC client can tell the swap), which no hand or robot does with a real
 * reader's card-detect switch: the tests take a card out as a hand does.
 */
export async function untilEmpty(reader: string): Promise<void> {
  const { listReaders } = await import("../../src/host/pcsc/readers.ts");
  await until(async () => !(await listReaders({ protocol: false })).some((r) => r.name === reader && r.cardPresent), 30_000, `${reader} to show no card`);
}
