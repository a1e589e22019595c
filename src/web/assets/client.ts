/**
 * The dashboard's one client script, served at /assets/app.js (a separate
 * route, so the CSP needs no 'unsafe-inline'). It follows the server-sent
 * events (readers, card insertions, progress, trace) and drives the forms.
 * Plain ES2020, no build step; every request carries the CSRF header.
 */
export const CLIENT_JS = String.raw`"use strict";
(() => {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const body = document.body;
  const reader = body.dataset.reader || "";
  const enc = encodeURIComponent;

  async function api(method, url, payload) {
    const init = { method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
    if (payload instanceof FormData) init.body = payload;
    else if (payload !== undefined) { init.body = JSON.stringify(payload); init.headers["Content-Type"] = "application/json"; }
    const res = await fetch(url, init);
    let data;
    try { data = await res.json(); } catch { data = { ok: false, error: "The dashboard answered " + res.status + " " + res.statusText }; }
    if (!res.ok && data.ok !== false) data = { ok: false, error: data.error || ("HTTP " + res.status) };
    return data;
  }

  function say(el, ok, text) {
    if (!el) return;
    el.textContent = text;
    el.className = "result " + (ok === null ? "pending" : ok ? "ok" : "error");
  }

  // ---- card panel (registry, facts) ----
  // Reading the card needs the CSRF header (no GET of a tag on another page can send it).
  async function refreshPanel() {
    const panel = $("#card-panel");
    if (!panel) return;
    const res = await fetch("/cards/" + enc(reader) + "/panel", { credentials: "same-origin", headers: { "X-CSRF-Token": csrf } });
    if (!res.ok) return;
    panel.innerHTML = await res.text();
    const facts = $("[data-link]", panel);
    const web = $('#install-via option[value="web"]');
    if (web) web.disabled = !facts || facts.dataset.link !== "present";
  }

  // ---- events ----
  function connect() {
    const es = new EventSource("/api/events" + (reader ? "?reader=" + enc(reader) : ""));
    es.addEventListener("readers", (ev) => {
      const data = JSON.parse(ev.data);
      const list = $("#readers");
      if (list) list.innerHTML = data.html;
      const status = $("#reader-status");
      if (status && data.status !== undefined) status.innerHTML = data.status;
    });
    es.addEventListener("card", (ev) => {
      const data = JSON.parse(ev.data);
      const banner = $("#card-banner");
      if (data.type === "card-removed" || data.type === "reader-removed") {
        if (banner) { banner.hidden = false; banner.textContent = "The card was removed from this reader. Insert a card to continue."; }
        body.dataset.card = "absent";
        refreshPanel();
      } else if (data.type === "card-inserted") {
        if (banner) { banner.hidden = true; banner.textContent = ""; }
        body.dataset.card = "present";
        refreshPanel();
      }
    });
    es.addEventListener("progress", (ev) => showProgress(JSON.parse(ev.data)));
    es.addEventListener("done", (ev) => {
      const data = JSON.parse(ev.data);
      if (data.id !== currentOp) return;
      finishOp(data.ok, data.message);
    });
    es.addEventListener("trace", (ev) => {
      const pre = $("#trace");
      if (!pre) return;
      const line = JSON.parse(ev.data);
      pre.textContent += (pre.textContent ? "\n" : "") + line;
      const lines = pre.textContent.split("\n");
      if (lines.length > 400) pre.textContent = lines.slice(-400).join("\n");
      pre.scrollTop = pre.scrollHeight;
    });
  }

  // ---- install ----
  let currentOp = null;
  let capFile = null;
  const form = $("#install-form");

  function fmtBytes(n) { return n.toLocaleString("en-US"); }

  function showProgress(p) {
    if (p.op !== currentOp) return;
    const bar = $("#install-progress");
    if (p.line !== undefined) {
      // The card's loader reports lines, not blocks: an indeterminate bar.
      bar.removeAttribute("value");
      $("#install-progress-text").textContent = p.line;
      return;
    }
    bar.max = p.totalBytes || 1;
    bar.value = p.bytes;
    bar.setAttribute("aria-valuetext", p.block + " of " + p.blocks + " blocks");
    $("#install-progress-text").textContent =
      "Block " + p.block + " of " + p.blocks + ", " + fmtBytes(p.bytes) + " of " + fmtBytes(p.totalBytes) + " bytes, " +
      (p.rate >= 1024 ? (p.rate / 1024).toFixed(1) + " KiB/s" : Math.round(p.rate) + " B/s");
  }

  function finishOp(ok, message) {
    currentOp = null;
    const bar = $("#install-progress");
    if (bar && ok && !bar.hasAttribute("value")) { bar.max = 1; bar.value = 1; }
    say($("#install-result"), ok, message);
    const button = $("#install-button");
    if (button) button.disabled = !capFile;
    if (form) form.setAttribute("aria-busy", "false");
    refreshPanel();
  }

  function instanceRow(aid, i) {
    const row = document.createElement("tr");
    row.innerHTML =
      '<td><code></code><input type="hidden" name="module"></td>' +
      '<td><label class="sr-only" for="inst-' + i + '">Instance AID</label><input type="text" class="mono" id="inst-' + i + '" name="instance" spellcheck="false"></td>' +
      '<td><label class="sr-only" for="priv-' + i + '">Privileges</label><input type="text" id="priv-' + i + '" name="privileges" placeholder="none"></td>' +
      '<td><label class="sr-only" for="params-' + i + '">Parameters (hex)</label><input type="text" class="mono" id="params-' + i + '" name="params" placeholder="none"></td>';
    row.querySelector("code").textContent = aid;
    row.querySelector('input[name="module"]').value = aid;
    row.querySelector('input[name="instance"]').value = aid;
    return row;
  }

  async function chooseCap(file) {
    capFile = file;
    const summary = $("#cap-summary");
    const button = $("#install-button");
    button.disabled = true;
    say($("#install-result"), true, "");
    const fd = new FormData();
    fd.append("cap", file);
    const data = await api("POST", "/api/cap/inspect", fd);
    if (!data.ok) { capFile = null; summary.hidden = true; say($("#install-result"), false, data.error); return; }
    const c = data.cap;
    $("#cap-name").textContent = file.name;
    $("#cap-package").textContent = c.packageAid + (c.packageName ? " (" + c.packageName + ")" : "") + ", version " + c.version;
    $("#cap-size").textContent = fmtBytes(c.loadBytes) + " bytes to load";
    $("#cap-imports").textContent = c.imports.map((i) => i.aid + " " + i.version + (i.name ? " (" + i.name + ")" : "")).join(", ") || "none";
    const rows = $("#cap-applets");
    rows.textContent = "";
    c.applets.forEach((aid, i) => rows.appendChild(instanceRow(aid, i)));
    $("#cap-no-applets").hidden = c.applets.length > 0;
    summary.hidden = false;
    button.disabled = false;
  }

  if (form) {
    const input = $("#cap-file");
    input.addEventListener("change", () => { if (input.files && input.files[0]) chooseCap(input.files[0]); });
    const drop = $("#cap-drop");
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      const f = e.dataTransfer && e.dataTransfer.files[0];
      if (f) chooseCap(f);
    });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!capFile || currentOp) return;
      const instances = $$("#cap-applets tr").map((tr) => ({
        module: $('input[name="module"]', tr).value,
        instance: $('input[name="instance"]', tr).value.trim(),
        privileges: $('input[name="privileges"]', tr).value.trim(),
        params: $('input[name="params"]', tr).value.trim(),
      }));
      const fd = new FormData();
      fd.append("cap", capFile);
      fd.append("instances", JSON.stringify(instances));
      fd.append("via", $("#install-via").value);
      $("#install-button").disabled = true;
      form.setAttribute("aria-busy", "true");
      say($("#install-result"), true, "");
      $("#install-progress").value = 0;
      $("#install-progress-text").textContent = "Starting";
      const data = await api("POST", "/api/cards/" + enc(reader) + "/install", fd);
      if (!data.ok) { finishOp(false, data.error); return; }
      currentOp = data.op;
      // The operation may have ended before this answer arrived.
      const done = await api("GET", "/api/ops/" + enc(data.op));
      if (done.ok && done.result && currentOp === data.op) finishOp(done.result.ok, done.result.message);
    });
  }

  // ---- delete / lock / unlock, with a confirmation ----
  const dialog = $("#confirm");
  let pending = null;
  document.addEventListener("click", (e) => {
    const b = e.target.closest && e.target.closest("button[data-action]");
    if (!b || !dialog) return;
    pending = { action: b.dataset.action, aid: b.dataset.aid, kind: b.dataset.kind };
    $("#confirm-text").textContent = b.dataset.confirm;
    const related = $("#confirm-related-row");
    related.hidden = !(pending.action === "delete" && pending.kind === "load-file");
    $("#confirm-related").checked = true;
    dialog.showModal();
  });
  if (dialog) {
    $("#confirm-cancel").addEventListener("click", () => { pending = null; dialog.close(); });
    $("#confirm-ok").addEventListener("click", async () => {
      const p = pending;
      pending = null;
      dialog.close();
      if (!p) return;
      const payload = { aid: p.aid };
      if (p.action === "delete") payload.related = p.kind === "load-file" ? $("#confirm-related").checked : false;
      say($("#action-result"), null, "Working");
      const data = await api("POST", "/api/cards/" + enc(reader) + "/" + p.action, payload);
      say($("#action-result"), data.ok, data.ok ? data.message : data.error);
      refreshPanel();
    });
  }

  // ---- keys ----
  const keysForm = $("#keys-form");
  if (keysForm) {
    keysForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      const fd = new FormData(keysForm);
      const payload = Object.fromEntries(fd.entries());
      const data = await api("POST", "/api/cards/" + enc(reader) + "/keys", payload);
      // Never keep key material in the page.
      $$('input[type="password"]', keysForm).forEach((i) => { i.value = ""; });
      say($("#keys-result"), data.ok, data.ok ? "Keys set for this session: " + data.kcv : data.error);
      if (data.ok) $("#keys-current").textContent = data.kcv;
    });
  }

  // ---- the card's own pages ----
  const webForm = $("#card-web-form");
  if (webForm) {
    webForm.addEventListener("submit", (e) => {
      e.preventDefault();
      let path = $("#card-web-path").value.trim() || "/";
      if (!path.startsWith("/")) path = "/" + path;
      $("#card-web-frame").src = webForm.dataset.base + path.slice(1);
    });
  }

  // ---- trace ----
  const clear = $("#trace-clear");
  if (clear) clear.addEventListener("click", async () => {
    await api("POST", "/api/cards/" + enc(reader) + "/trace/clear", {});
    $("#trace").textContent = "";
  });

  connect();
  if ($('#card-panel [data-state="loading"]')) refreshPanel();
})();
`;
