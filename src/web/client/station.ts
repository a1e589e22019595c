/** The station page's script: poll /api/station each second and redraw; Start and Pause. */
import { api } from "./api.ts";
import { $ } from "./dom.ts";

interface Snapshot {
  paused: boolean;
  readers: { reader: string; state: string; identity?: string; step?: string; detail?: string }[];
  counts: { done: number; failed: number; alreadyDone: number; perHour: number };
  failures: { seq: number; identity: string; reader: string; step?: string; error?: string; cardState?: string }[];
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function draw(s: Snapshot): void {
  const c = s.counts;
  $("#station-counts")!.textContent = `${c.done} done, ${c.failed} failed, ${c.alreadyDone} already done; ${c.perHour} cards/hour${s.paused ? " (paused)" : ""}`;
  ($("#station-start") as HTMLButtonElement).disabled = !s.paused;
  ($("#station-pause") as HTMLButtonElement).disabled = s.paused;
  const body = $("#station-rack tbody")!;
  body.replaceChildren(
    ...s.readers.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.state = r.state;
      const result = r.state === "empty" ? "(no card)" : r.state === "working" ? "working" : `${r.state}${r.detail ? `: ${r.detail}` : ""}`;
      tr.append(cell(r.reader), cell(r.identity ?? ""), cell(r.state === "working" ? (r.step ?? "") : ""), cell(result));
      return tr;
    }),
  );
  const list = $("#station-failures")!;
  list.replaceChildren(
    ...(s.failures.length === 0 ? ["None"] : s.failures.map((f) => `Row ${f.seq}, card ${f.identity} in ${f.reader}: ${f.step}: ${f.error} (card ${f.cardState})`)).map((t) => {
      const li = document.createElement("li");
      li.textContent = t;
      return li;
    }),
  );
}

/** Start polling when the page is the station page. */
export function setUpStation(): void {
  if (!$("#station")) return;
  const refresh = async () => {
    const r = await api<Snapshot>("GET", "/api/station");
    if (r.ok) draw(r);
  };
  for (const [id, path] of [["#station-start", "/api/station/start"], ["#station-pause", "/api/station/pause"]] as const) {
    $(id)!.addEventListener("click", async () => {
      const r = await api("POST", path);
      $("#station-status")!.textContent = r.ok ? "" : r.error;
      await refresh();
    });
  }
  setInterval(() => void refresh(), 1000);
}
