/**
 * `webcard apdu [HEX...] [--file FILE] [--sim [STATE]] [--secure [LEVEL]]`:
 * send command APDUs to a reader or a simulated card, print each response
 * and its status word. With `--secure` they go inside an authenticated
 * secure channel to the security domain (GlobalPlatformPro's `-s`): C-MAC
 * (and encryption) added on the way in, R-MAC checked on the way out.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import type { Context } from "../context.ts";
import type { KeyFlags } from "../options.ts";
import { openReader } from "../target.ts";
import { UsageError } from "../../stack/errors.ts";
import { fromHex, hexProblem, toHex } from "../../stack/bytes.ts";
import { CommandApdu, ResponseApdu } from "../../stack/apdu.ts";
import { describeSw, swHex } from "../../stack/status-words.ts";
import { withTrace } from "../../stack/transport/trace.ts";
import { inTransaction, type Transport } from "../../stack/transport/transport.ts";
import { channelJson, channelLine } from "../format.ts";
import { connectOptionsFrom, levelFrom } from "../option-values.ts";
import { sessionOn, withTarget } from "../session.ts";

/** Flags of `webcard apdu`. */
export interface ApduFlags extends KeyFlags {
  file?: string;
  secure?: string | true;
}

/** A script file is read whole: bounded before it is trusted (a script is a few hundred lines). */
const MAX_FILE_BYTES = 1 << 20;
const MAX_COMMANDS = 10_000;

function parseCommand(text: string, where = `'${text}'`): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(text);
  } catch (e) {
    throw new UsageError(`${where} is not hex: ${hexProblem(text) ?? "give a command APDU in hex digits"}`, { cause: e });
  }
  try {
    CommandApdu.parse(bytes); // validate; send the bytes as typed
    return bytes;
  } catch (e) {
    throw new UsageError(`${where} is not a command APDU: ${(e as Error).message}`, { cause: e });
  }
}

/** The APDUs of a script file: one per line, `#` starts a comment, blank lines skipped. */
export function commandsFromFile(path: string): Uint8Array[] {
  let text: string;
  try {
    if (statSync(path).size > MAX_FILE_BYTES) throw new UsageError(`${path} is over ${MAX_FILE_BYTES} bytes: an APDU script is one command a line`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  const out: Uint8Array[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    const body = line.replace(/#.*/, "").trim();
    if (body === "") continue;
    if (out.length >= MAX_COMMANDS) throw new UsageError(`${path} has more than ${MAX_COMMANDS} commands`);
    out.push(parseCommand(body, `${path} line ${i + 1}`));
  }
  return out;
}

interface Exchange {
  command: string;
  response: string;
  data: string;
  sw: string;
  meaning: string;
}

async function exchangeAll(ctx: Context, transport: Transport, commands: readonly Uint8Array[]): Promise<Exchange[]> {
  const results: Exchange[] = [];
  for (const command of commands) {
    const response = ResponseApdu.parse(await transport.transmit(command));
    const result = { command: toHex(command), response: toHex(response.toBytes()), data: toHex(response.data), sw: swHex(response.sw), meaning: describeSw(response.sw) };
    results.push(result);
    if (!ctx.json) {
      ctx.out(`> ${result.command}`);
      ctx.out(`< ${result.data ? result.data + " " : ""}${result.meaning}`);
    }
  }
  return results;
}

/**
 * `--sim` and `--secure` take optional values, so `apdu --secure 80CA006600`
 * hands the APDU to the option. A level is never hex of 4 bytes or more, and
 * a state file named like an APDU that does not exist is an APDU: give it back.
 */
function giveBackApdus(hex: readonly string[], flags: ApduFlags): { hex: string[]; flags: ApduFlags } {
  const looksLikeApdu = (v: unknown): v is string => typeof v === "string" && /^[0-9a-fA-F]{8,}$/.test(v);
  const front: string[] = [];
  const out = { ...flags };
  if (looksLikeApdu(out.sim) && !existsSync(out.sim)) {
    front.push(out.sim);
    out.sim = true;
  }
  if (looksLikeApdu(out.secure)) {
    front.push(out.secure);
    out.secure = true;
  }
  return { hex: [...front, ...hex], flags: out };
}

/** `webcard apdu`. */
export async function apduCommand(ctx: Context, args: readonly string[], given: ApduFlags): Promise<void> {
  const { hex, flags } = giveBackApdus(args, given);
  const commands = [...hex.map((h) => parseCommand(h)), ...(flags.file === undefined ? [] : commandsFromFile(flags.file))];
  if (commands.length === 0) throw new UsageError("give at least one command APDU in hex, or --file with one a line");
  if (flags.sim !== undefined || flags.secure !== undefined || flags.channel !== undefined) return onTarget(ctx, commands, flags);
  const connection = await openReader(flags);
  let results: Exchange[];
  try {
    const transport = ctx.trace ? withTrace(connection, (line: string) => ctx.err(line)) : connection;
    if (!ctx.json) ctx.err(`# ${connection.readerName}, ATR ${toHex(connection.atr)}, ${connection.protocol}`);
    // The commands reach the card together: no other program's command between them (a PC/SC transaction).
    results = await inTransaction(transport, "apdu", () => exchangeAll(ctx, transport, commands));
  } finally {
    await connection.close();
  }
  if (ctx.json) ctx.printJson({ reader: connection.readerName, atr: toHex(connection.atr), protocol: connection.protocol, exchanges: results });
}

/** A simulated card, or any target inside a secure channel. */
async function onTarget(ctx: Context, commands: readonly Uint8Array[], flags: ApduFlags): Promise<void> {
  const secure = flags.secure;
  const level = secure === undefined ? undefined : levelFrom(secure === true ? flags.mode : secure);
  if (level === "clear") throw new UsageError("--secure clear sends nothing protected: use --secure mac or enc, or leave --secure out");
  const options = secure === undefined ? undefined : connectOptionsFrom({ ...flags, ...(level ? { mode: level } : {}) });
  await withTarget(ctx, flags, async (target) => {
    const session = options === undefined ? undefined : await sessionOn(target, flags, options);
    if (!ctx.json) ctx.err(`# ${target.describe}${session ? `, secure channel to ${channelLine(session)}` : ""}`);
    const exchanges = await exchangeAll(ctx, session ? session.channel : target.transport, commands);
    if (ctx.json) ctx.printJson({ target: target.describe, ...(session ? { channel: channelJson(session) } : {}), exchanges });
  });
}
