/**
 * Which card a command talks to: a PC/SC reader (`-r NAME`, or the first
 * reader with a card), or with `--sim [STATE]` an in-process simulated card
 * (STATE a state file; the default state path without it) that carries the
 * web-card link application. The transport
 * gets ISO response handling (61xx/6Cxx) and, with --trace, an APDU trace on stderr.
 * With `--channel N` it works on that logical channel: opened here, closed by close().
 */
import { withIsoResponses } from "../stack/transport/get-response.ts";
import { withTrace } from "../stack/transport/trace.ts";
import { withTimeLimit } from "../stack/transport/time-limit.ts";
import { atrProtocol } from "../stack/atr.ts";
import type { Transport } from "../stack/transport/transport.ts";
import { UsageError } from "../stack/errors.ts";
import type { ReaderConnection } from "../host/pcsc/connect.ts";
import type { ReaderFlags, TargetFlags } from "./options.ts";
import { channelFrom, readerChoice } from "./option-values.ts";
import { openLogicalChannel } from "../stack/transport/logical-channel.ts";

export interface TargetOptions extends TargetFlags {
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
  /** The card's Answer-to-Reset, and the protocol in use (the reader's, or the ATR's first for a simulated card). */
  atr: Uint8Array;
  protocol: string;
  close(): Promise<void>;
}

/** Open the reader a command's flags choose (`-r/--reader`, `--timeout`). */
export async function openReader(flags: ReaderFlags): Promise<ReaderConnection> {
  const choice = readerChoice(flags);
  const { connectReader } = await import("../host/pcsc/connect.ts");
  return connectReader(choice);
}

/** Open the card named by the options. */
export async function openTarget(options: TargetOptions): Promise<Target> {
  const sink = options.traceSink ?? ((line: string) => process.stderr.write(line + "\n"));
  const channel = channelFrom(options.channel);
  // --timeout is checked whatever the target, and the simulated card gets it too (a reader gets it from PC/SC).
  const { timeoutMs } = readerChoice(options);
  // The trace sits under the ISO layer, so it shows each 61xx and the GET RESPONSE that follows it.
  const finish = async (raw: Transport, describe: string, close: () => Promise<void>, atr: Uint8Array, protocol?: string): Promise<Target> => {
    const wire = options.trace ? withTrace(raw, sink) : raw;
    const used = protocol ?? atrProtocol(atr);
    const iso = (t: Transport) => withIsoResponses(t, { t0: used === "T=0" });
    if (channel === undefined) return { transport: iso(wire), describe, close, atr, protocol: used };
    // The channel wrapper sits next to the card (over the trace, which shows the class bytes as sent),
    // so GET RESPONSE and secure messaging travel on the channel too.
    let logical;
    try {
      logical = await openLogicalChannel(wire, channel, iso(wire));
    } catch (error) {
      await close();
      throw error;
    }
    const release = async () => {
      try {
        await logical.release();
      } finally {
        await close();
      }
    };
    return { transport: iso(logical), describe: `${describe}, logical channel ${channel}`, close: release, atr, protocol: used };
  };
  if (options.sim !== undefined) {
    if (options.reader !== undefined) throw new UsageError("Choose either --sim or --reader, not both");
    // The simulated card carries the web-card link application, as `webcard sim` does.
    const { createWebCard } = await import("../card/link/with-link.ts");
    const { inProcessTransport } = await import("../card/in-process.ts");
    const { defaultStatePath } = await import("../card/state-path.ts");
    const statePath = options.sim === true ? defaultStatePath() : options.sim;
    const { profileNamed } = await import("../card/profiles/catalogue.ts");
    const card = createWebCard({
      statePath,
      ...(options.profile !== undefined ? { profile: profileNamed(options.profile) } : {}),
      ...(options.simScp ? { scp: options.simScp } : {}),
      ...(options.javaCard ? { javaCardVersion: options.javaCard } : {}),
    });
    // A T=0 card (its profile's ATR) carries no extended-length APDUs, as through a reader.
    const transport = inProcessTransport(card, { extendedLength: atrProtocol(card.atr()) !== "T=0" });
    return finish(
      timeoutMs === undefined ? transport : withTimeLimit(transport, timeoutMs),
      `simulated card (${statePath})`,
      async () => {
        await transport.close?.();
        card.close();
      },
      card.atr(),
    );
  }
  if (options.profile !== undefined) {
    throw new UsageError("--profile makes a simulated card behave as a real one: use it with --sim (a card in a reader is what it is)");
  }
  if (options.javaCard !== undefined) {
    throw new UsageError("--java-card chooses the release of a simulated card: use it with --sim (a card in a reader has its own)");
  }
  const reader = await openReader(options);
  return finish(reader, `reader ${reader.readerName}`, () => reader.close(), reader.atr, reader.protocol);
}
