/**
 * The web-card link: constants of docs/link-protocol.md (section numbers
 * below are that document's). Nothing here is from an external standard
 * except where cited.
 */

/**
 * AID of the link application (section 2). RID F057454243: first nibble F
 * is the ISO/IEC 7816-5 category for unregistered proprietary RIDs, so it
 * can collide with no registered provider; the rest spells "WEBC" "ARD",
 * then 01 for version 1 of the application.
 */
export const LINK_AID = Uint8Array.of(0xf0, 0x57, 0x45, 0x42, 0x43, 0x41, 0x52, 0x44, 0x01);

/** Protocol version announced in the SELECT answer (section 3). */
export const LINK_VERSION = 1;

/**
 * Class and instruction bytes (section 4). INS 3C is defined by neither
 * ISO/IEC 7816-4 (table 4 of the 2013 edition) nor the GlobalPlatform Card
 * Specification 2.3.1 table 11-4, and is even (valid under T=0).
 */
export const LINK_CLA = { PLAIN: 0x80, SECURE: 0x84 } as const;
export const LINK_INS = { EXCHANGE: 0x3c } as const;
/** P1 of EXCHANGE: 00 carries frames, 01 aborts every session (section 4.2). */
export const LINK_P1 = { FRAMES: 0x00, RESET: 0x01 } as const;

/**
 * Status words of EXCHANGE (section 4.3). SW1 91 follows the precedent of
 * ETSI TS 102 221 (91xx: the card has something for the terminal, fetch it).
 */
export const LINK_SW = {
  OK: 0x9000,
  /** SW1 of "frames are waiting"; SW2 holds the PENDING bits. */
  PENDING_SW1: 0x91,
  MALFORMED: 0x6a80,
  WRONG_LENGTH: 0x6700,
  WRONG_P1P2: 0x6a86,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

/** SW2 bits after SW1 91 (section 4.3). */
export const PENDING = {
  /** Data is waiting on sessions already open. */
  DATA: 0x01,
  /** The card wants to open a session (an OPEN frame is waiting). */
  OPEN: 0x02,
  /**
   * A card agent is still working on a response it has begun (a load in
   * steps, section 8.1): poll to let it go on. Its next piece comes with the
   * answer to that poll.
   */
  WORKING: 0x04,
} as const;

/** Frame kinds: high nibble of the first header byte (section 5). */
export const FRAME_KIND = { OPEN: 0x1, DATA: 0x2, ERROR: 0x3 } as const;
export type FrameKind = (typeof FRAME_KIND)[keyof typeof FRAME_KIND];

/** DATA flags: low nibble of the first header byte (section 5.2). */
export const FRAME_FLAG = {
  /** Last chunk of one HTTP message. */
  FIN: 0x1,
  /** The sender will send no further message on this session. */
  CLOSE: 0x2,
} as const;

/** Bytes of a frame header: kind|flags, session, seq (2), length (2). */
export const FRAME_HEADER = 6;

/** Session id ranges (section 6): the terminal opens 01-7F, the card 81-FF. */
export const SESSION_RANGE = {
  TERMINAL: { first: 0x01, last: 0x7f },
  CARD: { first: 0x81, last: 0xff },
} as const;

/** Error codes of an ERROR frame (section 7). */
export const LINK_ERROR = {
  SEQUENCE: 0x01,
  UNKNOWN_SESSION: 0x02,
  UNKNOWN_AGENT: 0x03,
  TOO_MANY_SESSIONS: 0x04,
  TOO_LARGE: 0x05,
  SESSION_EXISTS: 0x06,
  ABORTED: 0x07,
  PROTOCOL: 0x08,
} as const;
export type LinkErrorCode = (typeof LINK_ERROR)[keyof typeof LINK_ERROR];

/** Text of each error code, for messages. */
export const LINK_ERROR_TEXT: Readonly<Record<number, string>> = {
  0x01: "chunk out of sequence (lost, repeated or reordered)",
  0x02: "unknown session",
  0x03: "unknown agent",
  0x04: "too many sessions open",
  0x05: "message too large",
  0x06: "session id already in use",
  0x07: "session aborted by the peer",
  0x08: "protocol violation",
};

/** Well-known agent ids (section 6.1). */
export const CARD_AGENT = {
  /** The card's web server: pages, loading page, CGI gateway. */
  HTTP: 0x01,
  /** The card's client: opens sessions to deliver the loading parameters (step 2). */
  LOADER: 0x02,
} as const;
export const TERMINAL_AGENT = {
  /** The loading program / user agent: opens sessions and receives the loading parameters. */
  OL: 0x01,
} as const;

/** Tags of the SELECT answer (section 3). */
export const LINK_TAG = {
  FCI: 0x6f,
  AID: 0x84,
  PROPRIETARY: 0xa5,
  VERSION: 0x80,
  MAX_COMMAND: 0x81,
  MAX_RESPONSE: 0x82,
  MAX_MESSAGE: 0x83,
  MAX_SESSIONS: 0x84,
  AGENTS: 0xa0,
  AGENT: 0xa1,
  AGENT_ID: 0x80,
  AGENT_NAME: 0x81,
} as const;
