/** @jsxImportSource hono/jsx */
/**
 * The HTML of the card's pages: small, no scripts, no outside resources.
 * Written in hono/jsx like the dashboard's pages, so text is escaped by the
 * one JSX renderer and never by hand.
 */
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { LoaderFacts, LoaderParameters, RegistryView } from "./port.ts";
import type { ScriptResult } from "./script/run.ts";
import { hexNumber } from "../bytes.ts";

function Page(props: { title: string; children?: Child }) {
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>{props.title}</title>
        </head>
        <body>
          <h1>{props.title}</h1>
          {props.children}
          <p>
            <a href="/">home</a> · <a href="/card">card</a> · <a href="/registry">registry</a> · <a href="/loader">loader</a>
          </p>
        </body>
      </html>
    </>
  );
}

export function homePage(where: "card" | "bridge") {
  return (
    <Page title="webcard">
      <p>
        {where === "card"
          ? "This page is served by the smart card itself, over the web-card link."
          : "This page is served by the webcard bridge for a card without a web server of its own."}
      </p>
    </Page>
  );
}

export function cardPage(facts: LoaderFacts) {
  const rows: [string, string][] = [
    ["Java Card", facts.javaCardVersion ?? "unknown"],
    ["CAP formats", facts.capVersions.join(", ")],
    ["Free memory", `${facts.freeMemory} bytes`],
    ["LOAD block size", `${facts.blockSize} bytes`],
  ];
  return (
    <Page title="Card">
      <table>
        {rows.map(([k, v]) => (
          <tr>
            <th>{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </table>
    </Page>
  );
}

export function registryPage(r: RegistryView) {
  return (
    <Page title="Registry">
      <p>Issuer Security Domain {r.isd}</p>
      <h2>Applications</h2>
      <table>
        <tr>
          <th>AID</th>
          <th>state</th>
          <th>privileges</th>
          <th>package</th>
        </tr>
        {r.applications.map((a) => (
          <tr>
            <td>{a.aid}</td>
            <td>{hexNumber(a.lifecycle)}</td>
            <td>{a.privileges}</td>
            <td>{a.loadFile ?? ""}</td>
          </tr>
        ))}
      </table>
      <h2>Packages</h2>
      <table>
        <tr>
          <th>AID</th>
          <th>version</th>
          <th>applets</th>
        </tr>
        {r.loadFiles.map((f) => (
          <tr>
            <td>{f.aid}</td>
            <td>{f.version ?? ""}</td>
            <td>{f.modules.join(" ")}</td>
          </tr>
        ))}
      </table>
    </Page>
  );
}

export function loaderPage(p: LoaderParameters) {
  return (
    <Page title="Load an applet">
      <p>
        The loader takes CAP {p.capVersions.join(", ")}, {p.freeMemory} bytes free, blocks of {p.blockSize} bytes; it needs an authenticated secure
        channel (level {hexNumber(p.securityLevel)}).
      </p>
      <form method="post" action={p.script} enctype="multipart/form-data">
        <input type="hidden" name={p.fields.nonce} value={p.nonce} />
        <p>
          <label>
            CAP file <input type="file" name={p.fields.loadFile} accept=".cap,.ijc" required />
          </label>
        </p>
        <p>
          <label>
            Install choices (JSON, optional) <input type="text" name={p.fields.install} placeholder='[{"module":"…","instance":"…"}]' />
          </label>
        </p>
        <p>
          <button type="submit">Load and install</button>
        </p>
      </form>
    </Page>
  );
}

export function resultPage(r: ScriptResult) {
  return (
    <Page title={r.status < 300 ? "Loaded" : `Refused (${r.status})`}>
      <p>{r.message}</p>
      <pre>{r.progress.join("\n")}</pre>
    </Page>
  );
}
