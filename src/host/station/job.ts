/**
 * A provisioning job, checked and ready to run (see docs/jobs.md): what to
 * load and install, the keys the cards arrive with and the per-card keys
 * they leave with, the per-card data, the personalisation steps and the
 * checks at the end. Keys are StaticKeys: only their check values print.
 */
import type { CapFile } from "../../stack/cap/load-file.ts";
import type { Kdf, StaticKeys } from "../../stack/gp/keys.ts";
import type { SecurityLevel } from "../../stack/gp/security-level.ts";
import type { StoreDataFormat } from "../../stack/gp/store-data.ts";
import type { InstallChoices } from "../gp/install.ts";
import type { Csv } from "./csv.ts";

/** Where a card's identity comes from: its CPLC, its ICCID (EF 2FE2) or one GET DATA object. */
export type IdentitySource = { kind: "cplc" } | { kind: "iccid" } | { kind: "tag"; tag: number };

export interface JobCap {
  /** As the job file names it. */
  name: string;
  path: string;
  sha256: string;
  cap: CapFile;
}

export interface JobInstall {
  cap: JobCap;
  choices: InstallChoices;
  /** The security domain the package is loaded into (INSTALL [for load]); the ISD when absent. */
  sd?: Uint8Array;
}

/** The keys a card is opened with: a key set and how it is diversified with the card's KDD. */
export interface CardKeys {
  keys: StaticKeys;
  kdf: Kdf;
  /** Key set version to ask for in INITIALIZE UPDATE; 0 = any. */
  version: number;
}

/** Per-card keys put on the card after loading (PUT KEY replacing the set in use). */
export type Rotation =
  | { kind: "master"; master: StaticKeys; kdf: Exclude<Kdf, "none">; version: number }
  | { kind: "csv"; file: string; sha256: string; byIdentity: ReadonlyMap<string, StaticKeys>; version: number };

export interface JobData {
  file: string;
  sha256: string;
  csv: Csv;
  /** "identity": the row whose `column` holds the card's identity; "order": the next unused row. */
  match: "identity" | "order";
  column?: string;
}

export type PersonalizeStep =
  | { kind: "store-data"; place: string; to?: Uint8Array; format: StoreDataFormat; parts: { tag?: number; template: string }[] }
  | { kind: "apdu"; place: string; select?: Uint8Array; commands: string[]; sw: number };

export interface AnswerCheck {
  place: string;
  select?: Uint8Array;
  command: string;
  /** Expected response data (a template), when given. */
  response?: string;
  sw: number;
}

export interface JobChecks {
  /** Every installed instance is in the registry (GET STATUS). */
  registry: boolean;
  /** The per-card keys open a secure channel. */
  authenticate: boolean;
  /** Each AID answers SELECT with 9000. */
  select: Uint8Array[];
  answers: AnswerCheck[];
}

export interface Job {
  name: string;
  file: string;
  /** SHA-256 over the job file, its CAP files and its CSV files: a record belongs to one job. */
  hash: string;
  identity: IdentitySource;
  caps: JobCap[];
  installs: JobInstall[];
  keys: { card: CardKeys; scp?: 2 | 3; level: SecurityLevel; rotate?: Rotation };
  data?: JobData;
  personalize: PersonalizeStep[];
  checks: JobChecks;
}

/** One mistake in a job (or a file it names), with its place: "job.json: install[0].instance". */
export interface JobProblem {
  place: string;
  message: string;
}
