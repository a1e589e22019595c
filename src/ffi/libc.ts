/**
 * The one libc call webcard needs: setsockopt, to re-arm TCP_QUICKACK on a
 * vpcd card socket after every read (REFERENCE.md section 2: Debian's vpcd
 * sends length and payload in two writes without TCP_NODELAY, so delayed
 * ACKs on the card side cost ~44 ms per APDU). Linux only; elsewhere a no-op.
 */
import { dlopen } from "bun:ffi";
import { ABI } from "./abi.ts";

/** IPPROTO_TCP and TCP_QUICKACK from <netinet/in.h> and <netinet/tcp.h> (Linux). */
export const TCP = { IPPROTO_TCP: 6, TCP_QUICKACK: 12 } as const;

type SetSockOpt = (fd: number, level: number, name: number, value: Uint8Array, length: number) => number;

let setsockopt: SetSockOpt | null | undefined;

function load(): SetSockOpt | null {
  if (setsockopt !== undefined) return setsockopt;
  setsockopt = null;
  if (ABI.libc === undefined) return setsockopt;
  try {
    const lib = dlopen(ABI.libc, { setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" } });
    setsockopt = lib.symbols.setsockopt as unknown as SetSockOpt;
  } catch {
    // No libc by that name (musl, say): run without the latency fix.
  }
  return setsockopt;
}

const ONE = new Uint8Array(new Int32Array([1]).buffer);

/** Set TCP_QUICKACK on a socket; true when it was set. The kernel clears it again, so call after every read. */
export function setQuickAck(fd: number): boolean {
  const fn = load();
  if (fn === null || fd < 0) return false;
  return fn(fd, TCP.IPPROTO_TCP, TCP.TCP_QUICKACK, ONE, 4) === 0;
}
