/** The install form: choose a CAP (input or drop), see what it holds, start the install, follow its progress. */
import { api } from "./api.ts";
import { $, $$, cardUrl, pageReader, say } from "./dom.ts";
import { formatBytes, progressText, type ProgressEvent } from "./format.ts";
import { refreshPanel } from "./panel.ts";

/** What POST /api/cap/inspect answers (src/web/deps.ts CapSummary). */
interface CapSummary {
  packageAid: string;
  packageName?: string;
  version: string;
  applets: string[];
  imports: { aid: string; version: string; name?: string }[];
  loadBytes: number;
}

let currentOp: string | null = null;
/** An install was asked for and its operation id is not known yet. */
let starting = false;
/** Progress events seen while `starting`, replayed once the id is known. */
let early: ProgressEvent[] = [];
const MAX_EARLY = 256;
let capFile: File | null = null;

/** A progress event of the server: applied when it is about the install this page started. */
export function showProgress(p: ProgressEvent): void {
  // Events can come before the answer that names the operation (a fast card): keep them until then.
  if (starting && currentOp === null) {
    if (early.length < MAX_EARLY) early.push(p);
    return;
  }
  if (p.op !== currentOp) return;
  const bar = $<HTMLProgressElement>("#install-progress");
  const text = $("#install-progress-text");
  if (!bar || !text) return;
  if ("line" in p) {
    // The card's loader reports lines, not blocks: an indeterminate bar.
    bar.removeAttribute("value");
    text.textContent = p.line;
    return;
  }
  bar.max = p.totalBytes || 1;
  bar.value = p.bytes;
  bar.setAttribute("aria-valuetext", `${p.block} of ${p.blocks} blocks`);
  text.textContent = progressText(p);
}

/** The install ended (its `done` event, or the answer to the start request). */
export function finishOp(id: string | null, ok: boolean, message: string): void {
  if (id !== null && id !== currentOp) return;
  currentOp = null;
  const bar = $<HTMLProgressElement>("#install-progress");
  if (bar && ok && !bar.hasAttribute("value")) {
    bar.max = 1;
    bar.value = 1;
  }
  say($("#install-result"), ok, message);
  const button = $<HTMLButtonElement>("#install-button");
  if (button) button.disabled = !capFile;
  $("#install-form")?.setAttribute("aria-busy", "false");
  void refreshPanel();
}

/** The progress bar and its line back at rest. */
function resetProgress(): void {
  const bar = $<HTMLProgressElement>("#install-progress");
  if (bar) {
    bar.max = 1;
    bar.value = 0;
    bar.removeAttribute("aria-valuetext");
  }
  const text = $("#install-progress-text");
  if (text) text.textContent = "";
}

function instanceRow(aid: string, i: number): HTMLTableRowElement {
  const row = document.createElement("tr");
  row.innerHTML =
    '<td><code></code><input type="hidden" name="module"></td>' +
    `<td><label class="sr-only" for="inst-${i}">Instance AID</label><input type="text" class="mono" id="inst-${i}" name="instance" spellcheck="false"></td>` +
    `<td><label class="sr-only" for="priv-${i}">Privileges</label><input type="text" id="priv-${i}" name="privileges" placeholder="none"></td>` +
    `<td><label class="sr-only" for="params-${i}">Parameters (hex)</label><input type="text" class="mono" id="params-${i}" name="params" placeholder="none"></td>`;
  $("code", row)!.textContent = aid;
  $<HTMLInputElement>('input[name="module"]', row)!.value = aid;
  $<HTMLInputElement>('input[name="instance"]', row)!.value = aid;
  return row;
}

async function chooseCap(file: File): Promise<void> {
  capFile = file;
  const summary = $("#cap-summary")!;
  const button = $<HTMLButtonElement>("#install-button")!;
  button.disabled = true;
  // A new file starts clean: no result or progress of the one before (an install still running
  // ends on the server; this page stops following it).
  currentOp = null;
  $("#install-form")?.setAttribute("aria-busy", "false");
  say($("#install-result"), true, "");
  resetProgress();
  const fd = new FormData();
  fd.append("cap", file);
  const data = await api<{ cap: CapSummary }>("POST", "/api/cap/inspect", fd);
  if (!data.ok) {
    capFile = null;
    summary.hidden = true;
    say($("#install-result"), false, data.error);
    return;
  }
  const c = data.cap;
  $("#cap-name")!.textContent = file.name;
  $("#cap-package")!.textContent = `${c.packageAid}${c.packageName ? ` (${c.packageName})` : ""}, version ${c.version}`;
  $("#cap-size")!.textContent = `${formatBytes(c.loadBytes)} bytes to load`;
  $("#cap-imports")!.textContent = c.imports.map((i) => `${i.aid} ${i.version}${i.name ? ` (${i.name})` : ""}`).join(", ") || "none";
  const rows = $("#cap-applets")!;
  rows.textContent = "";
  c.applets.forEach((aid, i) => rows.appendChild(instanceRow(aid, i)));
  $("#cap-no-applets")!.hidden = c.applets.length > 0;
  summary.hidden = false;
  button.disabled = false;
}

function field(tr: HTMLElement, name: string): string {
  return $<HTMLInputElement>(`input[name="${name}"]`, tr)?.value.trim() ?? "";
}

async function submit(form: HTMLFormElement): Promise<void> {
  if (!capFile || currentOp) return;
  const instances = $$("#cap-applets tr").map((tr) => ({
    module: field(tr, "module"),
    instance: field(tr, "instance"),
    privileges: field(tr, "privileges"),
    params: field(tr, "params"),
  }));
  const fd = new FormData();
  fd.append("cap", capFile);
  fd.append("instances", JSON.stringify(instances));
  fd.append("via", $<HTMLSelectElement>("#install-via")!.value);
  if ($<HTMLInputElement>("#install-replace")?.checked) fd.append("replace", "yes");
  $<HTMLButtonElement>("#install-button")!.disabled = true;
  form.setAttribute("aria-busy", "true");
  say($("#install-result"), true, "");
  $<HTMLProgressElement>("#install-progress")!.value = 0;
  $("#install-progress-text")!.textContent = "Starting";
  starting = true;
  early = [];
  const data = await api<{ op: string }>("POST", cardUrl("/api", pageReader(), "/install"), fd);
  starting = false;
  const seen = early;
  early = [];
  if (!data.ok) return finishOp(null, false, data.error);
  currentOp = data.op;
  for (const p of seen) showProgress(p);
  // The operation may have ended before this answer arrived.
  const done = await api<{ result: { ok: boolean; message: string } | null }>("GET", `/api/ops/${encodeURIComponent(data.op)}`);
  if (done.ok && done.result && currentOp === data.op) finishOp(data.op, done.result.ok, done.result.message);
}

/** Wire the install form, when the page has one. */
export function setUpInstall(): void {
  const form = $<HTMLFormElement>("#install-form");
  if (!form) return;
  const input = $<HTMLInputElement>("#cap-file")!;
  input.addEventListener("change", () => {
    const f = input.files?.[0];
    if (f) void chooseCap(f);
  });
  const drop = $("#cap-drop")!;
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const f = e.dataTransfer?.files[0];
    if (f) void chooseCap(f);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void submit(form);
  });
}
