/** The server-sent events: the reader list, card insertions and removals, install progress and end, trace lines. */
import { $, pageReader } from "./dom.ts";
import { appendTrace, type ProgressEvent } from "./format.ts";
import { finishOp, showProgress } from "./install.ts";
import { refreshPanel } from "./panel.ts";

function onReaders(data: { html: string; status?: string }): void {
  const list = $("#readers");
  if (list) list.innerHTML = data.html;
  const status = $("#reader-status");
  if (status && data.status !== undefined) status.innerHTML = data.status;
}

function onCard(data: { type: string }): void {
  const banner = $("#card-banner");
  if (data.type === "card-removed" || data.type === "reader-removed") {
    if (banner) {
      banner.hidden = false;
      banner.textContent = "The card was removed from this reader. Insert a card to continue.";
    }
    document.body.dataset.card = "absent";
    void refreshPanel();
  } else if (data.type === "card-inserted") {
    if (banner) {
      banner.hidden = true;
      banner.textContent = "";
    }
    document.body.dataset.card = "present";
    void refreshPanel();
  }
}

function onTrace(line: string): void {
  const pre = $("#trace");
  if (!pre) return;
  pre.textContent = appendTrace(pre.textContent ?? "", line);
  pre.scrollTop = pre.scrollHeight;
}

/** Follow the dashboard's events (scoped to this page's reader on a card page). */
export function follow(): EventSource {
  const reader = pageReader();
  const es = new EventSource(`/api/events${reader ? `?reader=${encodeURIComponent(reader)}` : ""}`);
  const on = <T>(event: string, handle: (data: T) => void) => es.addEventListener(event, (ev) => handle(JSON.parse((ev as MessageEvent<string>).data) as T));
  on("readers", onReaders);
  on("card", onCard);
  on<ProgressEvent>("progress", showProgress);
  on<{ id: string; ok: boolean; message: string }>("done", (d) => finishOp(d.id, d.ok, d.message));
  on("trace", onTrace);
  return es;
}
