/**
 * Attach a card implementation to a vpcd virtual reader, as the card in it.
 * The card side is a TCP client of vpcd (REFERENCE.md section 2): every
 * message is a 2-byte big-endian length and that many bytes. The four
 * 1-byte messages 00 (power off), 01 (power on), 02 (reset) and 04 (get
 * ATR) are vpcd's control codes; only 04 is answered. Every other message,
 * 1-byte ones included, is a C-APDU from a PC/SC client and gets an R-APDU
 * (6700 when it is shorter than an APDU header): vpcd waits for that answer
 * with no time limit, so one left unanswered blocks the reader for every
 * client. A 1-byte APDU 00, 01 or 02 cannot be told from a control code when
 * it arrives; but vpcd follows every real one at once with GET ATR and polls
 * GET ATR every ~400 ms, so silence after one means vpcd is waiting for an
 * answer: the link then drops the connection and attaches again (a card
 * removal, which frees the reader). When vpcd goes away the link retries
 * until closed.
 */
import type { VirtualCard } from "./virtual-card.ts";
import { hexNumber } from "../stack/bytes.ts";

/** vpcd control codes (vsmartcard vpcd.h). */
export const VPCD_CTRL = { OFF: 0x00, ON: 0x01, RESET: 0x02, ATR: 0x04 } as const;

/** A card attached to vpcd. */
export interface VpcdLink {
  /** Resolves when the first connection to vpcd is up (rejects only without reconnect). */
  readonly connected: Promise<void>;
  /** Detach the card and stop reconnecting. */
  close(): Promise<void>;
}

export interface VpcdOptions {
  host?: string;
  port?: number;
  /** Reconnect when vpcd is not there or goes away (default true). */
  reconnect?: boolean;
  /** Errors of the card or the connection (the link keeps going). */
  onError?: (e: Error) => void;
  /**
   * Re-arm TCP_QUICKACK on the socket (by its file descriptor) after every
   * read: REFERENCE.md section 2, Debian's vpcd writes length and payload
   * separately without TCP_NODELAY, so delayed ACKs cost ~44 ms per APDU. The
   * CLI passes ffi/libc.ts's setQuickAck; the card layer itself does no FFI.
   */
  quickAck?: (fd: number) => unknown;
}

/** vpcd's default card port (the package's `Virtual PCD 00 00`). */
export const VPCD_DEFAULT = { host: "127.0.0.1", port: 35963 } as const;

const RETRY_MS = 250;
/**
 * Silence after 00, 01 or 02 that means it was an APDU: vpcd sends GET ATR
 * right after every real control code and polls it every ~400 ms.
 */
export const CONTROL_SILENCE_MS = 1000;
/** vpcd's 2-byte length prefix caps a message (C-APDU or R-APDU) at 65,535 bytes. */
export const VPCD_MAX_MESSAGE = 0xffff;
/** Largest command data in one vpcd message: an extended case 4 APDU adds 4 + 3 + 2 bytes. */
export const VPCD_MAX_COMMAND_DATA = VPCD_MAX_MESSAGE - 9;
/** Largest response data in one vpcd message: the R-APDU adds the 2-byte SW. */
export const VPCD_MAX_RESPONSE_DATA = VPCD_MAX_MESSAGE - 2;
/** R-APDU when the card implementation throws: 6F00 (no precise diagnosis, ISO 7816-4). */
const SW_UNKNOWN = new Uint8Array([0x6f, 0x00]);

type Sock = Awaited<ReturnType<typeof Bun.connect>>;

/** Split a byte stream into vpcd messages; keeps the unfinished tail. */
export class VpcdFramer {
  #buffer = new Uint8Array(0);

  /** Add received bytes; returns the complete messages. */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    const messages: Uint8Array[] = [];
    let at = 0;
    while (joined.length - at >= 2) {
      const length = (joined[at]! << 8) | joined[at + 1]!;
      if (joined.length - at - 2 < length) break;
      messages.push(joined.slice(at + 2, at + 2 + length));
      at += 2 + length;
    }
    this.#buffer = joined.slice(at);
    return messages;
  }
}

/** A vpcd message: length prefix and payload in one buffer (one write). */
export function vpcdFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > VPCD_MAX_MESSAGE) throw new RangeError(`vpcd message of ${payload.length} bytes is too long`);
  const out = new Uint8Array(payload.length + 2);
  out[0] = payload.length >> 8;
  out[1] = payload.length & 0xff;
  out.set(payload, 2);
  return out;
}

/** True for vpcd's four control messages (vsmartcard vpcd.h); a 1-byte message of any other value is an APDU. */
export function isVpcdControl(message: Uint8Array): boolean {
  return message.length === 1 && (message[0] === VPCD_CTRL.OFF || message[0] === VPCD_CTRL.ON || message[0] === VPCD_CTRL.RESET || message[0] === VPCD_CTRL.ATR);
}

/** Answer one vpcd message with the card; undefined when vpcd expects no answer (power off, on, reset). */
export async function answerVpcd(card: VirtualCard, message: Uint8Array): Promise<Uint8Array | undefined> {
  if (isVpcdControl(message)) {
    switch (message[0]) {
      case VPCD_CTRL.OFF:
        card.powerOff();
        return undefined;
      case VPCD_CTRL.ON:
        card.powerOn();
        return undefined;
      case VPCD_CTRL.RESET:
        card.reset();
        return undefined;
      default:
        return card.atr();
    }
  }
  // Any other message is a C-APDU, however short: the card answers it (6700 below a 4-byte header, ISO 7816-4 5.1).
  return await card.process(message);
}

/** Attach `card` to the vpcd reader at host:port (default 127.0.0.1:35963). */
export function attachToVpcd(card: VirtualCard, options: VpcdOptions = {}): VpcdLink {
  const host = options.host ?? VPCD_DEFAULT.host;
  const port = options.port ?? VPCD_DEFAULT.port;
  const reconnect = options.reconnect ?? true;
  const report = (e: unknown) => options.onError?.(e instanceof Error ? e : new Error(String(e)));
  const quickAck = (s: Sock) => options.quickAck?.((s as unknown as { fd: number }).fd);

  let closed = false;
  let socket: Sock | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onClosed: (() => void) | undefined;
  let resolveConnected!: () => void;
  let rejectConnected!: (e: Error) => void;
  const connected = new Promise<void>((resolve, reject) => {
    resolveConnected = resolve;
    rejectConnected = reject;
  });
  connected.catch(() => undefined);

  const retry = (why: Error) => {
    if (closed) return;
    if (!reconnect) {
      rejectConnected(why);
      report(why);
      return;
    }
    timer = setTimeout(open, RETRY_MS);
  };

  function open(): void {
    timer = undefined;
    if (closed) return;
    const framer = new VpcdFramer();
    let received = 0;
    let silence: ReturnType<typeof setTimeout> | undefined;
    let ended = false;
    const end = (why: Error) => {
      if (ended) return;
      ended = true;
      retry(why);
    };
    let chain = Promise.resolve();
    let pending: Uint8Array[] = [];
    const flush = (s: Sock) => {
      while (pending.length > 0) {
        const head = pending[0]!;
        const n = s.write(head);
        if (n < head.length) {
          pending[0] = head.subarray(Math.max(n, 0));
          return;
        }
        pending.shift();
      }
    };
    const send = (s: Sock, payload: Uint8Array) => {
      pending.push(vpcdFrame(payload));
      if (pending.length === 1) flush(s);
    };
    Bun.connect({
      hostname: host,
      port,
      socket: {
        open(s) {
          socket = s;
          s.setNoDelay(true);
          quickAck(s);
          resolveConnected();
        },
        data(s, chunk) {
          // The kernel leaves quick-ACK mode on its own: re-arm it after every read.
          quickAck(s);
          if (silence) clearTimeout(silence);
          silence = undefined;
          for (const message of framer.push(chunk)) {
            const seen = ++received;
            chain = chain.then(async () => {
              let reply: Uint8Array | undefined;
              try {
                reply = await answerVpcd(card, message);
              } catch (e) {
                report(e);
                reply = isVpcdControl(message) ? undefined : SW_UNKNOWN;
              }
              if (reply !== undefined && reply.length > VPCD_MAX_MESSAGE) {
                report(new RangeError(`Response of ${reply.length} bytes exceeds vpcd's ${VPCD_MAX_MESSAGE}-byte messages`));
                reply = SW_UNKNOWN;
              }
              if (reply !== undefined && socket === s) send(s, reply);
              if (reply === undefined && isVpcdControl(message) && socket === s && received === seen) {
                silence = setTimeout(() => {
                  if (received !== seen || socket !== s) return;
                  report(new Error(`vpcd sent ${hexNumber(message[0]!)} and then nothing for ${CONTROL_SILENCE_MS} ms: it was a 1-byte APDU waiting for an answer; attaching again to free the reader`));
                  s.end();
                }, CONTROL_SILENCE_MS);
              }
            });
          }
        },
        drain(s) {
          flush(s);
        },
        close() {
          if (silence) clearTimeout(silence);
          silence = undefined;
          socket = undefined;
          pending = [];
          try {
            card.powerOff();
          } catch (e) {
            report(e);
          }
          onClosed?.();
          end(new Error(`vpcd at ${host}:${port} closed the connection`));
        },
        error(_s, e) {
          report(e);
        },
        connectError(_s, e) {
          end(new Error(`Cannot reach vpcd at ${host}:${port}: ${e.message}`, { cause: e }));
        },
      },
    }).catch((e: Error) => end(new Error(`Cannot reach vpcd at ${host}:${port}: ${e.message}`, { cause: e })));
  }

  open();

  return {
    connected,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const s = socket;
      if (!s) return;
      const done = new Promise<void>((resolve) => (onClosed = resolve));
      s.end();
      await Promise.race([done, Bun.sleep(1000)]);
    },
  };
}
