/** A card's row in the job's record, as the station writes it and `job report` shows it. */

/** What the station did to one card. Keys appear as check values only. */
export interface CardOutcome {
  identity: string;
  result: "ok" | "failed";
  /** The step that failed. */
  step?: string;
  error?: string;
  /** What a failed card holds now ("as it arrived", "packages removed", "left with ..."). */
  cardState?: string;
  reader: string;
  station: string;
  started: string;
  finished: string;
  /** The data row's line in the CSV. */
  dataLine?: number;
  loaded: { cap: string; package: string; sha256: string; reused: boolean }[];
  installed: string[];
  keys?: { version: number; kcv: { enc: string; mac: string; dek: string } };
  personalized: number;
  checks: string[];
}

/** A row of the record: the outcome, its place in the chain and the data row it used. */
export interface CardRecord extends CardOutcome {
  seq: number;
  job: string;
  /** The data row (1-based, in the CSV's order) this card used; null without data or on failure. */
  dataRow: number | null;
}

/** A data row claimed for a card. */
export interface DataRow {
  n: number;
  line: number;
  values: Record<string, string>;
}
