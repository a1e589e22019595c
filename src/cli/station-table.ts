/**
 * The station's live table on a terminal: one line per reader (card, step,
 * result), then the counts and the rate, redrawn in place at the terminal's
 * width; and the one-line form of each event for a log or a pipe.
 */
import type { Station, StationEvent } from "../host/station/station.ts";

const CLEAR_DOWN = "\x1b[J";
const up = (n: number) => (n > 0 ? `\x1b[${n}A\r` : "\r");

/** Redraws the table on `write` (a terminal); call `draw` on every change. */
export function liveTable(station: Station, write: (text: string) => void, width: () => number): { draw(): void; end(): void } {
  let drawn = 0;
  const fit = (line: string) => (line.length > width() ? line.slice(0, Math.max(1, width() - 1)) + "…" : line);
  const draw = () => {
    const rows = station.readers;
    const nameWidth = Math.min(28, Math.max(6, ...rows.map((r) => r.reader.length)));
    const lines = [`${"READER".padEnd(nameWidth)}  ${"CARD".padEnd(20)}  ${"STEP".padEnd(12)}  RESULT`];
    for (const r of rows) {
      const step = r.state === "working" ? (r.step ?? "") : "";
      const result = r.state === "working" ? "…" : r.state === "empty" ? "(no card)" : `${r.state}${r.detail ? `: ${r.detail}` : ""}`;
      lines.push(`${r.reader.slice(0, nameWidth).padEnd(nameWidth)}  ${(r.identity ?? "").padEnd(20)}  ${step.padEnd(12)}  ${result}`);
    }
    const c = station.counts;
    lines.push(`${c.done} done, ${c.failed} failed, ${c.alreadyDone} already done; ${c.perHour} cards/hour${station.paused ? " (paused)" : ""}`);
    write(up(drawn) + CLEAR_DOWN + lines.map(fit).join("\n") + "\n");
    drawn = lines.length;
  };
  return { draw, end: () => undefined };
}

/** One line of an event for a log (no terminal). */
export function eventLine(e: StationEvent): string | undefined {
  if (e.event === "card") {
    const r = e.record;
    return r.result === "ok"
      ? `${e.reader}: card ${r.identity} done (record row ${r.seq}${r.dataLine ? `, data line ${r.dataLine}` : ""}${r.keys ? `, keys v${r.keys.version} KCV ${r.keys.kcv.enc}` : ""}) in ${e.ms} ms`
      : `${e.reader}: card ${r.identity} FAILED at ${r.step}: ${r.error}; card ${r.cardState}`;
  }
  if (e.event === "already-done") return `${e.reader}: card ${e.identity} is already done (record row ${e.seq}): left as it is`;
  if (e.event === "error") return `${e.reader}: ${e.error}`;
  return undefined;
}
