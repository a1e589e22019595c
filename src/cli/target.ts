/**
 * Which card a command talks to: a PC/SC reader (`-r NAME`, or the first
 * reader with a card), or with `--sim [STATE]` an in-process simulated card
 * (STATE a state file; the default state path without it) that carries the
 * web-card link application. The transport
 * gets ISO response handling (61xx/6Cxx) and, with --trace, an APDU trace on stderr.
 */
import { withIsoResponses } from "../stack/transport/get-response.ts";
import { withTrace } from "../stack/transport/trace.ts";
import type { Transport } from "../stack/transport/transport.ts";
import { UsageError } from "../stack/errors.ts";
import { rawOption } from "./gp-argv.ts";

export interface TargetOptions {
  /** true = the default state path; a string = that state file. */
  sim?: unknown;
  reader?: unknown;
  /** Seconds a card may take to answer one command (`--timeout`). */
  timeout?: unknown;
  trace?: boolean;
  /** Factory secure channel protocol of a newly created simulated card (an existing state keeps its own). */
  simScp?: 2 | 3;
  /** Where trace lines go (stderr by default). */
  traceSink?: (line: string) => void;
}

export interface Target {
  transport: Transport;
  /** "simulated card (state.db)", "reader Virtual PCD 00 00". */
  describe: string;
  close(): Promise<void>;
}

/** Open the card named by the options. */
export async function openTarget(options: TargetOptions): Promise<Target> {
  const sink = options.traceSink ?? ((line: string) => process.stderr.write(line + "\n"));
  const finish = (raw: Transport, describe: string, close: () => Promise<void>): Target => {
    const iso = withIsoResponses(raw);
    return { transport: options.trace ? withTrace(iso, sink) : iso, describe, close };
  };
  if (options.sim !== undefined && options.sim !== false) {
    if (options.reader !== undefined) throw new UsageError("Choose either --sim or --reader, not both");
    // The simulated card carries the web-card link application, as `webcard sim` does.
    const { createWebCard } = await import("../card/link/with-link.ts");
    const { inProcessTransport } = await import("../card/in-process.ts");
    const { defaultStatePath } = await import("../card/state-path.ts");
    const statePath = options.sim === true ? defaultStatePath() : (rawOption("sim") ?? String(options.sim));
    const card = createWebCard({ statePath, ...(options.simScp ? { scp: options.simScp } : {}) });
    const transport = inProcessTransport(card);
    return finish(transport, `simulated card (${statePath})`, async () => {
      await transport.close?.();
      card.close();
    });
  }
  const { openReader } = await import("./pcsc-impl.ts");
  const reader = await openReader({
    ...(options.reader === undefined ? {} : { reader: options.reader as string }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout as string }),
  });
  return finish(reader, `reader ${reader.readerName}`, () => reader.close());
}
