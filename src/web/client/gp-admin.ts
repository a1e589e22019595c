/**
 * The administration forms (pages/gp-admin-forms.tsx): a submit opens the
 * page's confirmation dialog with the form's own question; Confirm sends
 * the form as JSON to /api/cards/<reader>/<data-admin>. The dialog is the
 * one actions.ts uses; its handlers there ignore a confirmation they did not ask for.
 */
import { api } from "./api.ts";
import { $, cardUrl, pageReader, say } from "./dom.ts";
import { refreshPanel } from "./panel.ts";

export function setUpAdmin(): void {
  const dialog = $<HTMLDialogElement>("#confirm");
  if (!dialog) return;
  let pending: { path: string; body: Record<string, string> } | null = null;
  document.addEventListener("submit", (e) => {
    const form = (e.target as Element | null)?.closest?.<HTMLFormElement>("form[data-admin]");
    if (!form) return;
    e.preventDefault();
    const body: Record<string, string> = {};
    for (const [name, value] of new FormData(form).entries()) body[name] = String(value);
    pending = { path: form.dataset.admin ?? "", body };
    $("#confirm-text")!.textContent = (form.dataset.confirm ?? "").replace("{aid}", (body.aid ?? "").toUpperCase());
    $("#confirm-related-row")!.hidden = true;
    dialog.showModal();
  });
  $("#confirm-cancel")?.addEventListener("click", () => {
    pending = null;
  });
  $("#confirm-ok")?.addEventListener("click", async () => {
    const p = pending;
    pending = null;
    if (!p) return;
    dialog.close();
    say($("#admin-result"), null, "Working");
    const data = await api<{ message: string }>("POST", cardUrl("/api", pageReader(), `/${p.path}`), p.body);
    say($("#admin-result"), data.ok, data.ok ? data.message : data.error);
    if (data.ok) void refreshPanel();
  });
}
