/** `webcard apdu HEX...`: send command APDUs through a reader, print each response and its status word. */
import type { Context } from "../context.ts";
import type { ReaderFlags } from "../options.ts";
import { openReader } from "../target.ts";
import { UsageError } from "../../stack/errors.ts";
import { fromHex, hexProblem, toHex } from "../../stack/bytes.ts";
import { CommandApdu, ResponseApdu } from "../../stack/apdu.ts";
import { describeSw, swHex } from "../../stack/status-words.ts";
import { withTrace } from "../../stack/transport/trace.ts";

function parseCommand(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, "");
  let bytes: Uint8Array;
  try {
    bytes = fromHex(clean);
  } catch (e) {
    throw new UsageError(`'${text}' is not hex: ${hexProblem(text) ?? "give a command APDU in hex digits"}`, { cause: e });
  }
  try {
    CommandApdu.parse(bytes); // validate; send the bytes as typed
    return bytes;
  } catch (e) {
    throw new UsageError(`'${text}' is not a command APDU: ${(e as Error).message}`, { cause: e });
  }
}

/** `webcard apdu HEX...`. */
export async function apduCommand(ctx: Context, hex: readonly string[], flags: ReaderFlags): Promise<void> {
  const commands = hex.map(parseCommand);
  if (commands.length === 0) throw new UsageError("give at least one command APDU in hex");
  const connection = await openReader(flags);
  const results: { command: string; response: string; data: string; sw: string; meaning: string }[] = [];
  try {
    const transport = ctx.trace ? withTrace(connection, (line: string) => ctx.err(line)) : connection;
    if (!ctx.json) ctx.err(`# ${connection.readerName}, ATR ${toHex(connection.atr)}, ${connection.protocol}`);
    for (const command of commands) {
      const response = ResponseApdu.parse(await transport.transmit(command));
      const sw = swHex(response.sw);
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
