/** What the dashboard shows of a running station, as JSON: the rack, counts and rate, the last failures. */
import type { Station } from "../host/station/station.ts";

/** The station the dashboard is attached to, and the job it runs. */
export interface StationControl {
  station: Station;
  job: string;
  record: string;
}

export interface StationSnapshot {
  job: string;
  record: string;
  paused: boolean;
  readers: { reader: string; state: string; identity?: string; step?: string; detail?: string }[];
  counts: { done: number; failed: number; alreadyDone: number; perHour: number };
  failures: { seq: number; identity: string; reader: string; step?: string; error?: string; cardState?: string; finished: string }[];
}

export function stationSnapshot(s: StationControl): StationSnapshot {
  return {
    job: s.job,
    record: s.record,
    paused: s.station.paused,
    readers: s.station.readers.map((r) => ({ reader: r.reader, state: r.state, ...(r.identity ? { identity: r.identity } : {}), ...(r.step ? { step: r.step } : {}), ...(r.detail ? { detail: r.detail } : {}) })),
    counts: s.station.counts,
    failures: s.station.failures.slice(0, 10).map((f) => ({
      seq: f.seq,
      identity: f.identity,
      reader: f.reader,
      finished: f.finished,
      ...(f.step ? { step: f.step } : {}),
      ...(f.error ? { error: f.error } : {}),
      ...(f.cardState ? { cardState: f.cardState } : {}),
    })),
  };
}
