/** The HTML of the card's pages: small, no scripts, no outside resources. */
import type { LoaderFacts, LoaderParameters, RegistryView } from "./port.ts";
import type { ScriptResult } from "./script/run.ts";
import { hexNumber } from "../bytes.ts";

/** Escape text for HTML. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}<p><a href="/">home</a> · <a href="/card">card</a> · <a href="/registry">registry</a> · <a href="/loader">loader</a></p></body></html>`;
}

export function homePage(where: "card" | "bridge"): string {
  return page(
    "webcard",
    `<p>${where === "card" ? "This page is served by the smart card itself, over the web-card link." : "This page is served by the webcard bridge for a card without a web server of its own."}</p>`,
  );
}

export function cardPage(facts: LoaderFacts): string {
  const rows = [
    ["Java Card", facts.javaCardVersion ?? "unknown"],
    ["CAP formats", facts.capVersions.join(", ")],
    ["Free memory", `${facts.freeMemory} bytes`],
    ["LOAD block size", `${facts.blockSize} bytes`],
  ];
  return page("Card", `<table>${rows.map(([k, v]) => `<tr><th>${esc(k!)}</th><td>${esc(v!)}</td></tr>`).join("")}</table>`);
}

export function registryPage(r: RegistryView): string {
  const apps = r.applications.map((a) => `<tr><td>${esc(a.aid)}</td><td>${hexNumber(a.lifecycle)}</td><td>${esc(a.privileges)}</td><td>${esc(a.loadFile ?? "")}</td></tr>`).join("");
  const pkgs = r.loadFiles.map((f) => `<tr><td>${esc(f.aid)}</td><td>${esc(f.version ?? "")}</td><td>${esc(f.modules.join(" "))}</td></tr>`).join("");
  return page(
    "Registry",
    `<p>Issuer Security Domain ${esc(r.isd)}</p><h2>Applications</h2><table><tr><th>AID</th><th>state</th><th>privileges</th><th>package</th></tr>${apps}</table><h2>Packages</h2><table><tr><th>AID</th><th>version</th><th>applets</th></tr>${pkgs}</table>`,
  );
}

export function loaderPage(p: LoaderParameters): string {
  return page(
    "Load an applet",
    `<p>The loader takes CAP ${esc(p.capVersions.join(", "))}, ${p.freeMemory} bytes free, blocks of ${p.blockSize} bytes; it needs an authenticated secure channel (level ${hexNumber(p.securityLevel)}).</p>
<form method="post" action="${esc(p.script)}" enctype="multipart/form-data">
<input type="hidden" name="${esc(p.fields.nonce)}" value="${esc(p.nonce)}">
<p><label>CAP file <input type="file" name="${esc(p.fields.loadFile)}" accept=".cap,.ijc" required></label></p>
<p><label>Install choices (JSON, optional) <input type="text" name="${esc(p.fields.install)}" placeholder='[{"module":"…","instance":"…"}]'></label></p>
<p><button type="submit">Load and install</button></p>
</form>`,
  );
}

export function resultPage(r: ScriptResult): string {
  return page(r.status < 300 ? "Loaded" : `Refused (${r.status})`, `<p>${esc(r.message)}</p><pre>${esc(r.progress.join("\n"))}</pre>`);
}
