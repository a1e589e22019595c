/** What `webcard readers` and `webcard apdu` do. */
import type { Context } from "./context.ts";
import type { ReaderFlags } from "./pcsc-commands.ts";
import { rawArg, rawOption } from "./gp-argv.ts";
import { UsageError } from "../stack/errors.ts";
import { fromHex, toHex } from "../stack/bytes.ts";
import { CommandApdu, ResponseApdu } from "../stack/apdu.ts";
import { describeSw } from "../stack/status-words.ts";
import { withTrace } from "../stack/transport/trace.ts";
import { listReaders } from "../host/pcsc/readers.ts";
import { connectReader, DEFAULT_TIMEOUT_MS, type ReaderConnection } from "../host/pcsc/connect.ts";

/** `webcard readers`. */
export async function readersCommand(ctx: Context): Promise<void> {
  const readers = await listReaders();
  if (ctx.json) {
    ctx.printJson(
      readers.map((r) => ({ name: r.name, cardPresent: r.cardPresent, atr: r.atr ? toHex(r.atr) : null, protocol: r.protocol ?? null })),
    );
    return;
  }
  if (readers.length === 0) {
    ctx.out("No readers");
    return;
  }
  readers.forEach((r, i) => {
    const card = r.cardPresent ? `card ${r.atr ? toHex(r.atr) : "(no ATR)"}${r.protocol ? ` ${r.protocol}` : ""}` : "no card";
    ctx.out(`${i + 1}: ${r.name}  ${card}`);
  });
}

/** The reader choice and time limit of `-r/--reader` and `--timeout`, as connectReader takes them. */
export function readerChoice(flags: ReaderFlags): { reader?: string; timeoutMs: number } {
  const reader = rawOption("reader") ?? (flags.reader === undefined ? undefined : String(Array.isArray(flags.reader) ? flags.reader.at(-1) : flags.reader));
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (flags.timeout !== undefined) {
    const seconds = Number(Array.isArray(flags.timeout) ? flags.timeout.at(-1) : flags.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got '${flags.timeout}'`);
    timeoutMs = Math.round(seconds * 1000);
  }
  return reader === undefined ? { timeoutMs } : { reader, timeoutMs };
}

/** Open the reader a command's flags choose (for commands that take readerOptions). */
export function openReader(flags: ReaderFlags): Promise<ReaderConnection> {
  return connectReader(readerChoice(flags));
}

function parseCommand(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, "");
  let bytes: Uint8Array;
  try {
    bytes = fromHex(clean);
  } catch (e) {
    throw new UsageError(`'${text}' is not hex`, { cause: e });
  }
  try {
    CommandApdu.parse(bytes); // validate; send the bytes as typed
    return bytes;
  } catch (e) {
    throw new UsageError(`'${text}' is not a command APDU: ${(e as Error).message}`, { cause: e });
  }
}

/** `webcard apdu HEX...`. */
export async function apduCommand(ctx: Context, hex: unknown[], flags: ReaderFlags): Promise<void> {
  const commands = hex.map((h) => parseCommand(rawArg(h)));
  if (commands.length === 0) throw new UsageError("give at least one command APDU in hex");
  const connection = await openReader(flags);
  const results: { command: string; response: string; data: string; sw: string; meaning: string }[] = [];
  try {
    const transport = ctx.trace ? withTrace(connection, (line: string) => ctx.err(line)) : connection;
    if (!ctx.json) ctx.err(`# ${connection.readerName}, ATR ${toHex(connection.atr)}, ${connection.protocol}`);
    for (const command of commands) {
      const response = ResponseApdu.parse(await transport.transmit(command));
      const sw = response.sw.toString(16).toUpperCase().padStart(4, "0");
      const result = { command: toHex(command), response: toHex(response.toBytes()), data: toHex(response.data), sw, meaning: describeSw(response.sw) };
      results.push(result);
      if (!ctx.json) {
        ctx.out(`> ${result.command}`);
        ctx.out(`< ${result.data ? result.data + " " : ""}${result.meaning}`);
      }
    }
  } finally {
    await connection.close();
  }
  if (ctx.json) ctx.printJson({ reader: connection.readerName, atr: toHex(connection.atr), protocol: connection.protocol, exchanges: results });
}
