/**
 * A thin one-to-one binding of the PC/SC API (winscard) through bun:ffi.
 * One function per SCard* call; each returns what the call writes and throws
 * a PcscError on any return code but SCARD_S_SUCCESS. The library is opened
 * on first use. Platform facts come from abi.ts only.
 *
 * Calls that can block (transmit, control, get status change, connect) must
 * run off the main thread: see worker.ts.
 */
import { dlopen, ptr } from "bun:ffi";
import { TransportError } from "../stack/errors.ts";
import { ABI, SCARD, type Abi } from "./abi.ts";
import { PcscError, normaliseCode } from "./pcsc-error.ts";

/** An SCARDCONTEXT or SCARDHANDLE; 64-bit values travel as bigint. */
export type ScardHandle = bigint;

type Fn = (...args: unknown[]) => number | bigint;
type Symbols = Record<
  | "SCardEstablishContext"
  | "SCardReleaseContext"
  | "SCardListReaders"
  | "SCardGetStatusChange"
  | "SCardConnect"
  | "SCardReconnect"
  | "SCardDisconnect"
  | "SCardBeginTransaction"
  | "SCardEndTransaction"
  | "SCardTransmit"
  | "SCardStatus"
  | "SCardGetAttrib"
  | "SCardControl"
  | "SCardCancel",
  Fn
>;

/**
 * The FFI signatures, from winscard.h, with the ABI's sizes: binding name to
 * [export name, signature]. Exported for tests/build/platform-abi.test.ts,
 * which checks each platform's export names against its PC/SC library. The
 * same on every platform but for those sizes and the ANSI suffix: pcsc-lite,
 * PCSC.framework and winscard.dll all declare, for instance,
 * `LONG SCardBeginTransaction(SCARDHANDLE)` and
 * `LONG SCardEndTransaction(SCARDHANDLE, DWORD dwDisposition)` (abi.test.ts
 * checks the Linux row against pcsc-lite's prototypes with gcc).
 */
export function signatures(abi: Abi) {
  const long = abi.longBits === 64 ? "i64" : "i32";
  const dword = abi.dword === 8 ? "u64" : "u32";
  const handle = abi.handle === 8 ? "u64" : "u32";
  const s = abi.stringSuffix;
  const sig = (args: string[]) => ({ args, returns: long });
  return {
    SCardEstablishContext: ["SCardEstablishContext", sig([dword, "ptr", "ptr", "ptr"])],
    SCardReleaseContext: ["SCardReleaseContext", sig([handle])],
    SCardListReaders: [`SCardListReaders${s}`, sig([handle, "ptr", "ptr", "ptr"])],
    SCardGetStatusChange: [`SCardGetStatusChange${s}`, sig([handle, dword, "ptr", dword])],
    SCardConnect: [`SCardConnect${s}`, sig([handle, "ptr", dword, dword, "ptr", "ptr"])],
    SCardReconnect: ["SCardReconnect", sig([handle, dword, dword, dword, "ptr"])],
    SCardDisconnect: ["SCardDisconnect", sig([handle, dword])],
    SCardBeginTransaction: ["SCardBeginTransaction", sig([handle])],
    SCardEndTransaction: ["SCardEndTransaction", sig([handle, dword])],
    SCardTransmit: ["SCardTransmit", sig([handle, "ptr", "ptr", dword, "ptr", "ptr", "ptr"])],
    SCardStatus: [`SCardStatus${s}`, sig([handle, "ptr", "ptr", "ptr", "ptr", "ptr", "ptr"])],
    SCardGetAttrib: ["SCardGetAttrib", sig([handle, dword, "ptr", "ptr"])],
    SCardControl: [abi.controlSymbol, sig([handle, dword, "ptr", dword, "ptr", dword, "ptr"])],
    SCardCancel: ["SCardCancel", sig([handle])],
  } as const;
}

let symbols: Symbols | undefined;

/** Open the PC/SC library on first use; say what to install when it is missing. */
function lib(): Symbols {
  if (symbols) return symbols;
  const sigs = signatures(ABI);
  const defs: Record<string, { args: string[]; returns: string }> = {};
  for (const [export_, sig] of Object.values(sigs)) defs[export_] = { args: [...sig.args], returns: sig.returns };
  let lastError: unknown;
  for (const path of ABI.libraries) {
    try {
      const opened = dlopen(path, defs as never).symbols as unknown as Record<string, Fn>;
      const bound = {} as Record<string, Fn>;
      for (const [name, [export_]] of Object.entries(sigs)) bound[name] = opened[export_]!;
      symbols = bound as Symbols;
      return symbols;
    } catch (error) {
      lastError = error;
    }
  }
  throw new TransportError("no-service", `PC/SC library not found (tried ${ABI.libraries[0]})`, {
    cause: lastError,
    hint: ABI.installHint,
  });
}

function check(call: string, rc: number | bigint): void {
  const code = normaliseCode(rc);
  if (code !== 0) throw new PcscError(call, code);
}

/** A DWORD (or handle) out-parameter cell of the ABI's size. */
function cell(size: 4 | 8 = ABI.dword): BigUint64Array | Uint32Array {
  return size === 8 ? new BigUint64Array(1) : new Uint32Array(1);
}

function get(c: BigUint64Array | Uint32Array): number {
  return Number(c[0]!);
}

function getHandle(c: BigUint64Array | Uint32Array): ScardHandle {
  return BigInt(c[0]!);
}

function set(c: BigUint64Array | Uint32Array, value: number): void {
  if (c instanceof BigUint64Array) c[0] = BigInt(value);
  else c[0] = value;
}

/** A handle as the FFI argument type wants it. */
function h(handle: ScardHandle): number | bigint {
  return ABI.handle === 8 ? handle : Number(handle);
}

/** A DWORD argument. */
function dw(value: number): number | bigint {
  return ABI.dword === 8 ? BigInt(value >>> 0) : value >>> 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function cString(s: string): Uint8Array {
  return encoder.encode(s + "\0");
}

/** Split a multi-string (names separated by NUL, ended by two NULs). */
export function parseMultiString(bytes: Uint8Array): string[] {
  return decoder
    .decode(bytes)
    .split("\0")
    .filter((name) => name.length > 0);
}

/** SCardEstablishContext: open a context with the resource manager. */
export function establishContext(scope: number = SCARD.SCOPE_SYSTEM): ScardHandle {
  const out = cell(ABI.handle);
  check("SCardEstablishContext", lib().SCardEstablishContext(dw(scope), null, null, out));
  return getHandle(out);
}

/** SCardReleaseContext. */
export function releaseContext(context: ScardHandle): void {
  check("SCardReleaseContext", lib().SCardReleaseContext(h(context)));
}

/** SCardListReaders (all groups): the reader names. */
export function listReaders(context: ScardHandle): string[] {
  const size = cell();
  check("SCardListReaders", lib().SCardListReaders(h(context), null, null, size));
  const buffer = new Uint8Array(Math.max(get(size), 2));
  set(size, buffer.length);
  check("SCardListReaders", lib().SCardListReaders(h(context), null, buffer, size));
  return parseMultiString(buffer.subarray(0, get(size)));
}

/** One entry of SCardGetStatusChange's reader array. */
export interface ReaderStateIn {
  reader: string;
  /** dwCurrentState: what the caller believes (pass back the last event state, counter included). */
  currentState: number;
}

/** What SCardGetStatusChange wrote back for one reader. */
export interface ReaderStateOut {
  reader: string;
  /** dwEventState as written, counter in the upper 16 bits included. */
  eventState: number;
  atr: Uint8Array;
}

/** Encode SCARD_READERSTATE entries; the name buffers must stay alive for the call. */
export function encodeReaderStates(states: readonly ReaderStateIn[], names: Uint8Array[]): Uint8Array {
  const L = ABI.readerState;
  const array = new Uint8Array(Math.max(states.length, 1) * L.size);
  const view = new DataView(array.buffer);
  states.forEach((s, i) => {
    const base = i * L.size;
    const name = cString(s.reader);
    names.push(name);
    view.setBigUint64(base + L.szReader, BigInt(ptr(name)), true);
    writeDword(view, base + L.dwCurrentState, s.currentState);
  });
  return array;
}

/** Decode the states written back by SCardGetStatusChange. */
export function decodeReaderStates(states: readonly ReaderStateIn[], array: Uint8Array): ReaderStateOut[] {
  const L = ABI.readerState;
  const view = new DataView(array.buffer, array.byteOffset, array.byteLength);
  return states.map((s, i) => {
    const base = i * L.size;
    const atrLength = Math.min(readDword(view, base + L.cbAtr), L.atrCapacity);
    return {
      reader: s.reader,
      eventState: readDword(view, base + L.dwEventState),
      atr: array.slice(base + L.rgbAtr, base + L.rgbAtr + atrLength),
    };
  });
}

function writeDword(view: DataView, offset: number, value: number): void {
  if (ABI.dword === 8) view.setBigUint64(offset, BigInt(value >>> 0), true);
  else view.setUint32(offset, value >>> 0, true);
}

function readDword(view: DataView, offset: number): number {
  return ABI.dword === 8 ? Number(view.getBigUint64(offset, true) & 0xffffffffn) : view.getUint32(offset, true);
}

/** SCardGetStatusChange: wait up to `timeoutMs` (SCARD.INFINITE for ever) for a change. */
export function getStatusChange(context: ScardHandle, timeoutMs: number, states: readonly ReaderStateIn[]): ReaderStateOut[] {
  const names: Uint8Array[] = [];
  const array = encodeReaderStates(states, names);
  check("SCardGetStatusChange", lib().SCardGetStatusChange(h(context), dw(timeoutMs), array, dw(states.length)));
  return decodeReaderStates(states, array);
}

/** SCardConnect: the card handle and the active protocol. */
export function connect(
  context: ScardHandle,
  reader: string,
  shareMode: number,
  preferredProtocols: number,
): { card: ScardHandle; protocol: number } {
  const card = cell(ABI.handle);
  const protocol = cell();
  check(
    "SCardConnect",
    lib().SCardConnect(h(context), cString(reader), dw(shareMode), dw(preferredProtocols), card, protocol),
  );
  return { card: getHandle(card), protocol: get(protocol) };
}

/** SCardReconnect: the new active protocol. */
export function reconnect(card: ScardHandle, shareMode: number, preferredProtocols: number, initialization: number): number {
  const protocol = cell();
  check(
    "SCardReconnect",
    lib().SCardReconnect(h(card), dw(shareMode), dw(preferredProtocols), dw(initialization), protocol),
  );
  return get(protocol);
}

/** SCardDisconnect with a disposition (SCARD.LEAVE_CARD, RESET_CARD, ...). */
export function disconnect(card: ScardHandle, disposition: number): void {
  check("SCardDisconnect", lib().SCardDisconnect(h(card), dw(disposition)));
}

/** SCardBeginTransaction. */
export function beginTransaction(card: ScardHandle): void {
  check("SCardBeginTransaction", lib().SCardBeginTransaction(h(card)));
}

/** SCardEndTransaction. */
export function endTransaction(card: ScardHandle, disposition: number): void {
  check("SCardEndTransaction", lib().SCardEndTransaction(h(card), dw(disposition)));
}

// SCARD_IO_REQUEST { DWORD dwProtocol; DWORD cbPciLength; }, one per protocol,
// built once instead of reading the library's g_rgSCardT*Pci exports.
const pciCache = new Map<number, Uint8Array>();
function pci(protocol: number): Uint8Array {
  let p = pciCache.get(protocol);
  if (!p) {
    p = new Uint8Array(ABI.ioRequestSize);
    const view = new DataView(p.buffer);
    writeDword(view, 0, protocol);
    writeDword(view, ABI.dword, ABI.ioRequestSize);
    pciCache.set(protocol, p);
  }
  return p;
}

const transmitLength = cell();

/**
 * SCardTransmit: send `command`, write the response into `response` (allocate
 * SCARD.MAX_RESPONSE bytes for extended APDUs); returns the response length.
 */
export function transmit(card: ScardHandle, protocol: number, command: Uint8Array, response: Uint8Array): number {
  set(transmitLength, response.length);
  check(
    "SCardTransmit",
    lib().SCardTransmit(h(card), pci(protocol), command, dw(command.length), null, response, transmitLength),
  );
  return get(transmitLength);
}

/** What SCardStatus reports. */
export interface CardStatus {
  reader: string;
  /** Card state as returned: ABI.cardState's values (pcsc-lite: bit mask with a counter in the upper 16 bits). */
  state: number;
  protocol: number;
  atr: Uint8Array;
}

/** SCardStatus: reader name, state, protocol and ATR of a connected card. */
export function status(card: ScardHandle): CardStatus {
  const name = new Uint8Array(1024);
  const nameLength = cell();
  set(nameLength, name.length);
  const state = cell();
  const protocol = cell();
  const atr = new Uint8Array(64);
  const atrLength = cell();
  set(atrLength, atr.length);
  check("SCardStatus", lib().SCardStatus(h(card), name, nameLength, state, protocol, atr, atrLength));
  return {
    reader: parseMultiString(name.subarray(0, get(nameLength)))[0] ?? "",
    state: get(state),
    protocol: get(protocol),
    atr: atr.slice(0, get(atrLength)),
  };
}

/** SCardGetAttrib: the attribute's bytes. */
export function getAttrib(card: ScardHandle, attributeId: number): Uint8Array {
  const size = cell();
  const buffer = new Uint8Array(1024);
  set(size, buffer.length);
  check("SCardGetAttrib", lib().SCardGetAttrib(h(card), dw(attributeId), buffer, size));
  return buffer.slice(0, get(size));
}

/** SCardControl: send a control code to the reader; returns the number of bytes written to `output`. */
export function control(card: ScardHandle, controlCode: number, input: Uint8Array, output: Uint8Array): number {
  const returned = cell();
  check(
    "SCardControl",
    lib().SCardControl(
      h(card),
      dw(controlCode),
      input.length > 0 ? input : null,
      dw(input.length),
      output.length > 0 ? output : null,
      dw(output.length),
      returned,
    ),
  );
  return get(returned);
}

/** SCardCancel: end a blocked SCardGetStatusChange on `context` (callable from another thread). */
export function cancel(context: ScardHandle): void {
  check("SCardCancel", lib().SCardCancel(h(context)));
}
