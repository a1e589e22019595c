/**
 * What the dashboard needs from its caller. The web layer never opens
 * readers itself (DESIGN.md, layers): the CLI fills these with PC/SC, the
 * simulated card and the GlobalPlatform operations of `src/host`; tests fill
 * them with fakes.
 */
import type { Transport } from "../stack/transport/transport.ts";
import type { RegistryEntry } from "../stack/gp/registry.ts";
import type { Kdf, StaticKeys } from "../stack/gp/keys.ts";
import type { Scp11SessionKeys } from "./scp11-keys.ts";

/** A reader as the dashboard shows it. */
export interface ReaderInfo {
  name: string;
  cardPresent: boolean;
  /** ATR of the card in it, as bytes or hex. */
  atr?: Uint8Array | string;
  /** Active protocol ("T=1", 2, ...), when known. */
  protocol?: string | number;
  /** Whether the reader is the in-process simulated card. */
  simulated?: boolean;
}

/** A change seen by the reader monitor. */
export interface ReaderEvent {
  type: "reader-added" | "reader-removed" | "card-inserted" | "card-removed";
  reader: string;
  atr?: Uint8Array | string;
}

/** An open card: a transport that must be closed. */
export interface CardConnection extends Transport {
  close(): Promise<void>;
  readonly atr?: Uint8Array;
}

/** Keys entered for the session (memory only, never logged, never sent back). */
export interface SessionKeys {
  /** ENC, MAC and DEK (StaticKeys never shows its bytes, only KCVs). */
  keys: StaticKeys;
  kdf: Kdf;
  /** Secure channel protocol; undefined = what the card says. */
  scp?: 2 | 3;
  /** SCP11 instead (GP amendment F, web/scp11-keys.ts): 11b needs no key, 11a/11c the OCE's key and certificate; `keys` is then unused. */
  scp11?: Scp11SessionKeys;
}

/** What an operation gets: the card (traced) and the keys for its secure channel. */
export interface OpContext {
  transport: Transport;
  keys: SessionKeys | undefined;
}

/** A CAP file as the install form shows it. */
export interface CapSummary {
  packageAid: string;
  packageName?: string;
  version: string;
  capVersion?: string;
  applets: string[];
  imports: { aid: string; version: string; name?: string }[];
  /** Size of the Load File Data Block. */
  loadBytes: number;
  /** An extended CAP file (JCVM 3.1 §6.4): `packageAid` is its CAP AID, and these its packages. */
  packages?: { aid: string; version: string; name?: string }[];
}

/** One applet instance to create. AIDs as hex. */
export interface InstanceChoice {
  module: string;
  instance: string;
  /** 24-bit privilege set (see stack/gp/privileges.ts). */
  privileges: number;
  /** Application parameters (wrapped in C9 by the installer). */
  params: Uint8Array;
}

/** The install form's content. */
export interface InstallRequest {
  cap: Uint8Array;
  instances: InstanceChoice[];
  /**
   * As `webcard install --via`: "auto" (the default: "web" when the card has
   * the web-card link, else "bridge"), "web" (the card's own loader, the four
   * steps of DESIGN.md over the link), "bridge" (the same loader run here,
   * its orders sent as GlobalPlatform APDUs), "gp" (GlobalPlatform APDUs
   * from the dashboard). Progress is LOAD progress on every path.
   */
  via: "auto" | "web" | "bridge" | "gp";
  /** Replace a copy of the package already on the card (the CLI's --force). */
  replace: boolean;
}

/** LOAD progress, reported after every block; the web flow reports lines instead. */
export type Progress = { block: number; blocks: number; bytes: number; totalBytes: number } | { line: string };

/** The facts of the card page. Every part is optional: a card may refuse any of them. */
export interface CardOverview {
  isd?: { aid: string; lifecycle?: string };
  cplc?: { name: string; hex: string }[];
  /** Free memory facts, label and value ("Non-volatile", "42,000 bytes"). */
  freeMemory?: { label: string; value: string }[];
  keyInfo?: string[];
  link?: { present: boolean; detail?: string };
  registry?: RegistryEntry[];
  /** Parts that could not be read, one line each. */
  problems: string[];
}

/** The card operations the dashboard drives. Each gets an open card; it never opens one. */
export interface CardOps {
  /** Read a CAP (ZIP) file for the install form. */
  inspectCap(bytes: Uint8Array): CapSummary | Promise<CapSummary>;
  /** Read what the card page shows. */
  overview(ctx: OpContext): Promise<CardOverview>;
  /** Load and install; returns the result in one line. */
  install(ctx: OpContext, request: InstallRequest, onProgress: (p: Progress) => void): Promise<string>;
  /** Delete a load file or an application (hex AID); returns one line. */
  remove(ctx: OpContext, aid: string, related: boolean): Promise<string>;
  /** Lock or unlock an application; returns one line. */
  setLocked(ctx: OpContext, aid: string, locked: boolean): Promise<string>;
  /** Send an HTTP request to the card's own web server through the link. */
  cardFetch(transport: Transport, request: Request): Promise<Response>;
}

/** Everything `createDashboard` needs. */
export interface DashboardDeps {
  listReaders(): Promise<ReaderInfo[]>;
  monitor(signal: AbortSignal): AsyncIterable<ReaderEvent>;
  openCard(reader: string): Promise<CardConnection>;
  ops: CardOps;
}
