/**
 * Every platform fact the PC/SC binding needs, in one table chosen once.
 * Nothing else in webcard looks at `process.platform` for PC/SC.
 *
 * Sources: pcsc-lite 1.9.9 headers (`/usr/include/PCSC`, checked against gcc
 * in abi.test.ts), Apple's PCSC.framework headers (pcsc-lite 1.4 era: 32-bit
 * DWORD, `#pragma pack(1)`), Microsoft's winscard.h (ULONG_PTR handles,
 * `rgbAtr[36]`, ANSI entry points with an `A` suffix). REFERENCE.md section 1.
 */

/** Byte offsets of the fields of SCARD_READERSTATE. */
export interface ReaderStateLayout {
  readonly size: number;
  readonly szReader: number;
  readonly pvUserData: number;
  readonly dwCurrentState: number;
  readonly dwEventState: number;
  readonly cbAtr: number;
  readonly rgbAtr: number;
  /** Capacity of rgbAtr: 33 (pcsc-lite, macOS) or 36 (Windows). */
  readonly atrCapacity: number;
}

/** The card states SCardStatus reports (pdwState). */
export interface CardStates {
  readonly UNKNOWN: number;
  readonly ABSENT: number;
  readonly PRESENT: number;
  readonly SWALLOWED: number;
  readonly POWERED: number;
  readonly NEGOTIABLE: number;
  readonly SPECIFIC: number;
}

/** pcsc-lite's (and PCSC.framework's) SCardStatus states: one bit each. */
const PCSC_LITE_CARD_STATES: CardStates = { UNKNOWN: 0x01, ABSENT: 0x02, PRESENT: 0x04, SWALLOWED: 0x08, POWERED: 0x10, NEGOTIABLE: 0x20, SPECIFIC: 0x40 };

/** What differs between PC/SC implementations. */
export interface Abi {
  readonly platform: "linux" | "darwin" | "windows";
  /** Library names tried in order with dlopen. */
  readonly libraries: readonly string[];
  /** What to install when none of them opens. */
  readonly installHint: string;
  /** sizeof(DWORD) and sizeof(LONG): 8 on 64-bit pcsc-lite, 4 elsewhere. */
  readonly dword: 4 | 8;
  /** sizeof(SCARDCONTEXT) and sizeof(SCARDHANDLE). */
  readonly handle: 4 | 8;
  /** Whether LONG return codes are signed 64-bit (pcsc-lite on LP64). */
  readonly longBits: 32 | 64;
  /** Whether the structs are packed (`#pragma pack(1)` on macOS). */
  readonly packed: boolean;
  readonly readerState: ReaderStateLayout;
  /** sizeof(SCARD_IO_REQUEST): two DWORDs. */
  readonly ioRequestSize: number;
  /** Suffix of the ANSI entry points that take strings ("A" on Windows). */
  readonly stringSuffix: "" | "A";
  /** Name of SCardControl's export (macOS keeps the pcsc-lite 1.3.2 signature under another name). */
  readonly controlSymbol: string;
  /** SCARD_CTL_CODE(code): pcsc-lite 0x42000000 + code; Windows CTL_CODE(FILE_DEVICE_SMARTCARD, code, 0, 0). */
  ctlCode(code: number): number;
  /** SCARD_PROTOCOL_RAW: 4 in pcsc-lite, 0x00010000 in winsmcrd.h. */
  readonly protocolRaw: number;
  /** SCardStatus's card states: bit flags in pcsc-lite, an enumeration (0 to 6) in winscard.h. */
  readonly cardState: CardStates;
  /** Whether `\\?PnP?\Notification` reports readers plugged in or out. */
  readonly pnpNotification: boolean;
  /** libc for setsockopt (TCP_QUICKACK exists on Linux only). */
  readonly libc: string | undefined;
}

const POINTER = 8; // webcard ships 64-bit builds only (scripts/build/targets.ts)

/** The layout of SCARD_READERSTATE for a DWORD size, ATR capacity and packing. */
export function readerStateLayout(dword: 4 | 8, atrCapacity: number, packed: boolean): ReaderStateLayout {
  // struct { LPCSTR szReader; void *pvUserData; DWORD dwCurrentState;
  //          DWORD dwEventState; DWORD cbAtr; BYTE rgbAtr[N]; }
  const szReader = 0;
  const pvUserData = POINTER;
  const dwCurrentState = 2 * POINTER;
  const dwEventState = dwCurrentState + dword;
  const cbAtr = dwEventState + dword;
  const rgbAtr = cbAtr + dword;
  const end = rgbAtr + atrCapacity;
  const align = packed ? 1 : POINTER;
  const size = Math.ceil(end / align) * align;
  return { size, szReader, pvUserData, dwCurrentState, dwEventState, cbAtr, rgbAtr, atrCapacity };
}

const LINUX_LIBS = [
  "libpcsclite.so.1",
  "/usr/lib/x86_64-linux-gnu/libpcsclite.so.1",
  "/usr/lib/aarch64-linux-gnu/libpcsclite.so.1",
  "/usr/lib64/libpcsclite.so.1",
  "/usr/lib/libpcsclite.so.1",
];

/** The ABI table, one row per platform family. */
export const ABIS = {
  linux: {
    platform: "linux",
    libraries: LINUX_LIBS,
    installHint: "install pcscd and libpcsclite1",
    dword: 8,
    handle: 8,
    longBits: 64,
    packed: false,
    readerState: readerStateLayout(8, 33, false),
    ioRequestSize: 16,
    stringSuffix: "",
    controlSymbol: "SCardControl",
    ctlCode: (code: number) => 0x42000000 + code,
    protocolRaw: 0x0004,
    cardState: PCSC_LITE_CARD_STATES,
    pnpNotification: true,
    libc: "libc.so.6",
  },
  darwin: {
    platform: "darwin",
    libraries: ["/System/Library/Frameworks/PCSC.framework/PCSC"],
    installHint: "PCSC.framework ships with macOS; check that the CryptoTokenKit smart card service runs",
    dword: 4,
    handle: 4,
    longBits: 32,
    packed: true,
    readerState: readerStateLayout(4, 33, true),
    ioRequestSize: 8,
    stringSuffix: "",
    controlSymbol: "SCardControl132",
    ctlCode: (code: number) => 0x42000000 + code,
    protocolRaw: 0x0004,
    cardState: PCSC_LITE_CARD_STATES,
    pnpNotification: false,
    libc: undefined,
  },
  windows: {
    platform: "windows",
    libraries: ["winscard.dll"],
    installHint: "start the Smart Card service (SCardSvr)",
    dword: 4,
    handle: 8,
    longBits: 32,
    packed: false,
    readerState: readerStateLayout(4, 36, false),
    ioRequestSize: 8,
    stringSuffix: "A",
    controlSymbol: "SCardControl",
    ctlCode: (code: number) => ((0x31 << 16) | (code << 2)) >>> 0,
    protocolRaw: 0x00010000,
    cardState: { UNKNOWN: 0, ABSENT: 1, PRESENT: 2, SWALLOWED: 3, POWERED: 4, NEGOTIABLE: 5, SPECIFIC: 6 },
    pnpNotification: true,
    libc: undefined,
  },
} as const satisfies Record<string, Abi>;

/** The row for a Node/Bun platform name; other Unixes use pcsc-lite like Linux. */
export function abiFor(platform: string): Abi {
  if (platform === "darwin") return ABIS.darwin;
  if (platform === "win32") return ABIS.windows;
  return ABIS.linux;
}

/** The ABI of the running platform, chosen once. */
export const ABI: Abi = abiFor(process.platform);

/** Constants that are the same on every platform (pcsclite.h, winscard.h); the others are in the rows. */
export const SCARD = {
  SCOPE_USER: 0,
  SCOPE_SYSTEM: 2,
  SHARE_EXCLUSIVE: 1,
  SHARE_SHARED: 2,
  SHARE_DIRECT: 3,
  PROTOCOL_UNDEFINED: 0,
  PROTOCOL_T0: 1,
  PROTOCOL_T1: 2,
  PROTOCOL_T15: 8,
  LEAVE_CARD: 0,
  RESET_CARD: 1,
  UNPOWER_CARD: 2,
  EJECT_CARD: 3,
  STATE_UNAWARE: 0x0000,
  STATE_IGNORE: 0x0001,
  STATE_CHANGED: 0x0002,
  STATE_UNKNOWN: 0x0004,
  STATE_UNAVAILABLE: 0x0008,
  STATE_EMPTY: 0x0010,
  STATE_PRESENT: 0x0020,
  STATE_ATRMATCH: 0x0040,
  STATE_EXCLUSIVE: 0x0080,
  STATE_INUSE: 0x0100,
  STATE_MUTE: 0x0200,
  STATE_UNPOWERED: 0x0400,
  INFINITE: 0xffffffff,
  MAX_ATR_SIZE: 33,
  /** pcsc-lite keeps a change counter in the upper 16 bits of event states. */
  STATE_MASK: 0xffff,
  /** The reader that reports readers plugged in or out. */
  PNP_NOTIFICATION: "\\\\?PnP?\\Notification",
  /** Largest response: 65,536 data bytes + SW1 SW2 (ISO 7816-4 extended Le). */
  MAX_RESPONSE: 65_536 + 2,
  /** Largest command: header 4 + Lc 3 + 65,535 data + Le 3 (ISO 7816-4 case 4E), with room. */
  MAX_COMMAND: 4 + 3 + 65_535 + 3,
} as const;
