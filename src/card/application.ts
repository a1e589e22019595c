/**
 * The plug-in point for on-card applications: the ISD itself, the web-card
 * link application, anything else that runs inside the simulated card.
 *
 * How the card core treats a CardApplication:
 * - SELECT by AID (full or partial) calls `select(ctx)`; its bytes are the
 *   FCI (or empty) answered with 9000, a number is the SW of a refusal.
 *   Selecting another application calls `deselect()` and ends the secure
 *   channel session.
 * - Secure messaging is the card core's work. INITIALIZE UPDATE (80 50) and
 *   EXTERNAL AUTHENTICATE (84 82) sent while a CardApplication is selected
 *   open a session with the ISD's keys (as GP's SecureChannel interface does
 *   for an application through its security domain). Afterwards commands
 *   with CLA bit 3 (84, 04) are verified and deciphered before `process`
 *   sees them (with that bit cleared), and responses are MACed/enciphered
 *   after it. `ctx.secure` tells the application what was checked.
 * - `process` runs inside the APDU's transaction: whatever it writes through
 *   `ctx.store` or `ctx.cardManager` commits with its answer, or rolls back
 *   entirely if it throws. A thrown CardRefusal gives its SW; any other
 *   exception gives 6F00 and is logged.
 */
import type { CommandApdu, ResponseApdu } from "../stack/apdu.ts";

export interface CardApplication {
  /** The instance AID (5-16 bytes). */
  readonly aid: Uint8Array;
  /**
   * Called when selected with the SELECT command: FCI bytes (answered with
   * 9000) or a status word (selection refused), or a whole response (a Java
   * Card applet, selected whatever its process() answered, JCRE 3.0.5 §4.2).
   */
  select(ctx: AppContext, command: CommandApdu): Uint8Array | number | ResponseApdu;
  /** One command APDU (already unwrapped from secure messaging). */
  process(command: CommandApdu, ctx: AppContext): ResponseApdu | Promise<ResponseApdu>;
  /** Called when another application is selected or the card loses power. */
  deselect?(): void;
}

/** The secure channel session as the application sees it. */
export interface SecureChannelState {
  /** Mutual authentication completed (EXTERNAL AUTHENTICATE succeeded) and the session is open. */
  readonly isAuthenticated: boolean;
  /** Security level of the session (GP: 01 C-MAC, 03 +C-DEC, 11/13 +R-MAC, 33 +R-ENC), 0 without one. */
  readonly level: number;
  /** This command arrived with secure messaging that the card core verified. */
  readonly commandSecured: boolean;
  /** "SCP02", "SCP03" or "SCP11" for an open session, undefined otherwise. */
  readonly protocol: "SCP02" | "SCP03" | "SCP11" | undefined;
}

/** A registry entry as the card manager reports it (GP 11.4.3). */
export interface RegistryApplication {
  aid: Uint8Array;
  lifecycle: number;
  /** 3 bytes (GP 6.6.1). */
  privileges: Uint8Array;
  /** Undefined for built-in applications (no load file). */
  loadFile: Uint8Array | undefined;
  module: Uint8Array | undefined;
  /** The security domain it is associated with (GP 11.4.3, tag CC); absent for built-in applications. */
  securityDomain?: Uint8Array;
  /** Implicit Selection Parameters (tag CF, amendment C) from its install parameters. */
  implicitSelection?: number[];
}

export interface RegistryLoadFile {
  aid: Uint8Array;
  lifecycle: number;
  version: { major: number; minor: number };
  modules: Uint8Array[];
  /** True for the Java Card API packages the card ships (cannot be deleted). */
  builtin: boolean;
  /** Bytes counted against the card's memory. */
  size: number;
  /** The security domain it is associated with (GP 11.4.3, tag CC); absent for the Java Card API. */
  securityDomain?: Uint8Array;
  /** The packages of an extended CAP file (JCVM 3.1 §6.4), listed after it by GET STATUS; absent for a compact one. */
  packages?: { aid: Uint8Array; version: { major: number; minor: number } }[];
}

export interface Registry {
  isd: { aid: Uint8Array; lifecycle: number; privileges: Uint8Array };
  applications: RegistryApplication[];
  loadFiles: RegistryLoadFile[];
}

/**
 * The card manager (IL) as functions. Each throws a CardRefusal (a SwError
 * with `sw` and `reason`) when the ISD would refuse the same APDU, and checks
 * exactly what the APDU path checks (structure, imports, duplicates, memory).
 * They do not check authentication: that is the calling application's duty.
 */
export interface CardManager {
  /** Largest LOAD block the ISD takes (its FCI tag 9F65). */
  readonly blockSize: number;
  /** CAP format versions the card accepts ("2.1", "2.2", ...). */
  readonly capVersions: readonly string[];
  /** The Java Card API version the card implements ("3.0.5"). */
  readonly javaCardVersion: string;
  /** Free persistent memory in bytes. */
  freeMemory(): number;
  /** The registry: ISD, applications, load files. */
  registry(): Registry;
  /** Load a whole load file data block at once (INSTALL [for load] + every LOAD in one step). */
  load(lfdb: Uint8Array, options?: { hash?: Uint8Array; declaredSize?: number }): RegistryLoadFile;
  /** INSTALL [for install] (and make selectable unless `selectable` is false). */
  install(options: {
    loadFile: Uint8Array;
    module: Uint8Array;
    instance?: Uint8Array;
    privileges?: Uint8Array;
    /** Application parameters, wrapped in C9 for the install parameters. */
    parameters?: Uint8Array;
    selectable?: boolean;
  }): RegistryApplication;
  /** DELETE an application or a load file (with its instances when `related`). */
  delete(aid: Uint8Array, options?: { related?: boolean }): void;
}

/** The application's own persistent key-value table (in the card's SQLite memory). */
export interface AppStore {
  get(key: string): Uint8Array | undefined;
  set(key: string, value: Uint8Array): void;
  delete(key: string): void;
  keys(): string[];
}

/** What the card gives an application with each call. */
export interface AppContext {
  /** The AID this application was selected with (its instance AID). */
  readonly aid: Uint8Array;
  readonly secure: SecureChannelState;
  readonly cardManager: CardManager;
  readonly store: AppStore;
  /** A line for the card's log (never key material). */
  log(line: string): void;
}
