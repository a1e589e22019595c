/** Delete, lock and unlock behind a confirmation; the session keys; the card's own pages; clearing the trace. */
import { api } from "./api.ts";
import { $, $$, cardUrl, pageReader, say } from "./dom.ts";
import { cardWebAddress } from "./format.ts";
import { refreshPanel } from "./panel.ts";

interface Pending {
  action: string;
  aid: string;
  kind: string;
}

/** The registry's buttons (data-action, data-aid, data-kind, data-confirm) open the dialog; Confirm sends the action. */
function setUpConfirm(): void {
  const dialog = $<HTMLDialogElement>("#confirm");
  if (!dialog) return;
  let pending: Pending | null = null;
  document.addEventListener("click", (e) => {
    const b = (e.target as Element | null)?.closest?.<HTMLButtonElement>("button[data-action]");
    if (!b) return;
    pending = { action: b.dataset.action ?? "", aid: b.dataset.aid ?? "", kind: b.dataset.kind ?? "" };
    $("#confirm-text")!.textContent = b.dataset.confirm ?? "";
    $("#confirm-related-row")!.hidden = !(pending.action === "delete" && pending.kind === "load-file");
    $<HTMLInputElement>("#confirm-related")!.checked = true;
    dialog.showModal();
  });
  $("#confirm-cancel")!.addEventListener("click", () => {
    pending = null;
    dialog.close();
  });
  $("#confirm-ok")!.addEventListener("click", async () => {
    const p = pending;
    pending = null;
    dialog.close();
    if (!p) return;
    const payload: { aid: string; related?: boolean } = { aid: p.aid };
    if (p.action === "delete") payload.related = p.kind === "load-file" ? $<HTMLInputElement>("#confirm-related")!.checked : false;
    say($("#action-result"), null, "Working");
    const data = await api<{ message: string }>("POST", cardUrl("/api", pageReader(), `/${p.action}`), payload);
    say($("#action-result"), data.ok, data.ok ? data.message : data.error);
    void refreshPanel();
  });
}

function setUpKeys(): void {
  const form = $<HTMLFormElement>("#keys-form");
  if (!form) return;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const payload = await keyPayload(new FormData(form));
    const data = await api<{ kcv: string }>("POST", cardUrl("/api", pageReader(), "/keys"), payload);
    // Never keep key material in the page: the key field and the chosen key files are emptied.
    for (const input of $$<HTMLInputElement>('input[type="password"], input[type="file"]', form)) input.value = "";
    say($("#keys-result"), data.ok, data.ok ? `Keys set for this session: ${data.kcv}` : data.error);
    if (data.ok) $("#keys-current")!.textContent = data.kcv;
  });
}

/** The key form as JSON: PEM files as text, the certificate file in base64, empty file fields left out. */
async function keyPayload(data: FormData): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, value] of data.entries()) {
    // FormData holds strings and files; this project's DOM types give entries as strings only.
    const file = value as unknown as Blob | string;
    if (typeof file === "string") out[name] = file;
    else if (file.size > 0) out[name] = name === "oceCert" ? btoa(String.fromCharCode(...new Uint8Array(await file.arrayBuffer()))) : await file.text();
  }
  return out;
}

function setUpCardWeb(): void {
  const form = $<HTMLFormElement>("#card-web-form");
  if (!form) return;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    $<HTMLIFrameElement>("#card-web-frame")!.src = cardWebAddress(form.dataset.base ?? "/", $<HTMLInputElement>("#card-web-path")!.value);
  });
}

function setUpTraceClear(): void {
  $("#trace-clear")?.addEventListener("click", async () => {
    await api("POST", cardUrl("/api", pageReader(), "/trace/clear"), {});
    $("#trace")!.textContent = "";
  });
}

/** Wire every action the page has. */
export function setUpActions(): void {
  setUpConfirm();
  setUpKeys();
  setUpCardWeb();
  setUpTraceClear();
}
