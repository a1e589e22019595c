/**
 * APDU trace: every command and response as hex, with the SW's meaning and
 * the round-trip time. The sink decides where lines go (stderr in the CLI,
 * a panel in the dashboard); this module never prints.
 */
import { toHex } from "../bytes.ts";
import { describeSw } from "../status-words.ts";
import { wrap, type Transport } from "./transport.ts";

export type TraceSink = (line: string) => void;

export interface TraceOptions {
  /** Prefix for each line, e.g. the reader name. */
  label?: string;
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number;
  /** Longest hex shown per APDU before it is elided (default 512 bytes). */
  maxBytes?: number;
}

function shown(bytes: Uint8Array, max: number): string {
  if (bytes.length <= max) return toHex(bytes);
  return `${toHex(bytes.subarray(0, max))}... (${bytes.length} bytes)`;
}

/** Wrap `inner` so each exchange is reported to `sink`. */
export function withTrace(inner: Transport, sink: TraceSink, options: TraceOptions = {}): Transport {
  const now = options.now ?? (() => performance.now());
  const max = options.maxBytes ?? 512;
  const prefix = options.label ? `[${options.label}] ` : "";
  return wrap(inner, async (command) => {
    sink(`${prefix}=> ${shown(command, max)}`);
    const t0 = now();
    try {
      const response = await inner.transmit(command);
      const ms = (now() - t0).toFixed(1);
      const n = response.length;
      const sw = n >= 2 ? (response[n - 2]! << 8) | response[n - 1]! : -1;
      const data = n >= 2 ? response.subarray(0, n - 2) : response;
      const swText = sw >= 0 ? describeSw(sw) : "(no SW)";
      sink(`${prefix}<= ${data.length ? shown(data, max) + " " : ""}${swText} ${ms} ms`);
      return response;
    } catch (e) {
      sink(`${prefix}<= error: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  });
}
