/** @jsxImportSource hono/jsx */
/** The card facts block of a card page (re-fetched after operations and insertions). */
import { fromHex } from "../../stack/bytes.ts";
import { decodeAtr } from "../atr.ts";
import type { CardOverview } from "../deps.ts";
import type { ReaderView } from "../reader-watch.ts";
import { Registry } from "./registry.tsx";
import { DomainTree } from "./domain-tree.tsx";

function Atr(props: { hex: string }) {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(props.hex);
  } catch {
    return <dd><code>{props.hex}</code></dd>;
  }
  const a = decodeAtr(bytes);
  return (
    <>
      <dt>ATR</dt>
      <dd><code>{a.hex}</code>{a.problem ? <span class="muted"> ({a.problem})</span> : null}</dd>
      <dt>Protocols</dt>
      <dd>{a.protocols.join(", ")}{a.ta1 ? <span class="muted"> (TA1 {a.ta1})</span> : null}</dd>
      <dt>Historical bytes</dt>
      <dd>{a.historical ? <><code>{a.historical}</code>{a.historicalText ? <> "{a.historicalText}"</> : null}</> : <span class="muted">none</span>}</dd>
      <dt>Checksum</dt>
      <dd>{a.checksum}</dd>
    </>
  );
}

/** What the panel shows: the reader, and the card's overview or why there is none. */
export interface PanelProps {
  reader: ReaderView | undefined;
  overview?: CardOverview;
  error?: string;
  /** Not read yet: the page's script fetches the panel. */
  loading?: boolean;
}

/** The card facts and registry. */
export function CardPanel(props: PanelProps) {
  const r = props.reader;
  if (!r) return <p class="banner" role="alert">This reader is not connected.</p>;
  if (!r.cardPresent) return <p class="muted" data-state="no-card">No card in this reader. Insert one: this page follows.</p>;
  if (props.loading) return <p class="muted" data-state="loading">Reading the card…</p>;
  const o = props.overview;
  const link = o?.link ? (o.link.present ? "present" : "absent") : "unknown";
  return (
    <div data-state="card" data-link={link}>
      <dl class="facts">
        {r.atr ? <Atr hex={r.atr} /> : null}
        {r.protocol ? <><dt>Active protocol</dt><dd>{r.protocol}</dd></> : null}
        <dt>Issuer security domain</dt>
        <dd>{o?.isd ? <><code>{o.isd.aid}</code>{o.isd.lifecycle ? ` (card ${o.isd.lifecycle})` : null}</> : <span class="muted">not found</span>}</dd>
        <dt>Web-card link</dt>
        <dd>{o?.link ? (o.link.present ? <>present{o.link.detail ? `: ${o.link.detail}` : null}</> : "absent (plain GlobalPlatform card: the terminal bridges)") : <span class="muted">unknown</span>}</dd>
        {o?.freeMemory?.map((m) => <><dt>{m.label}</dt><dd>{m.value}</dd></>)}
        {o?.keyInfo?.length ? <><dt>Keys on card</dt><dd>{o.keyInfo.join("; ")}</dd></> : null}
      </dl>
      {props.error ? <p class="result error" role="alert">{props.error}</p> : null}
      {o?.problems.length ? <ul class="muted">{o.problems.map((p) => <li>{p}</li>)}</ul> : null}
      {o?.cplc?.length ? (
        <details>
          <summary>CPLC (card production life cycle)</summary>
          <dl class="facts">{o.cplc.map((f) => <><dt>{f.name}</dt><dd><code>{f.hex}</code></dd></>)}</dl>
        </details>
      ) : null}
      {o?.registry ? <DomainTree entries={o.registry} actions={true} /> : null}
      {o?.registry ? <Registry entries={o.registry} actions={true} /> : null}
    </div>
  );
}
