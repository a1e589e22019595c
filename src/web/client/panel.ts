/**
 * The card panel (facts and registry). The page is served without reading
 * the card; the panel is fetched here with the CSRF header, which a tag on
 * another page cannot send (src/web/security.ts).
 */
import { csrfToken } from "./api.ts";
import { $, cardUrl, pageReader } from "./dom.ts";

/** Fetch the panel again and put it in place; enable the card's-own-loader option when the card has the link. */
export async function refreshPanel(): Promise<void> {
  const panel = $("#card-panel");
  if (!panel) return;
  const res = await fetch(cardUrl("", pageReader(), "/panel"), { credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() } });
  if (!res.ok) return;
  panel.innerHTML = await res.text();
  const facts = $("[data-link]", panel);
  const web = $<HTMLOptionElement>('#install-via option[value="web"]');
  if (web) web.disabled = facts?.dataset.link !== "present";
}

/** Read the card once the page is up, when the panel waits for it. */
export function loadPanel(): void {
  if ($('#card-panel [data-state="loading"]')) void refreshPanel();
}
