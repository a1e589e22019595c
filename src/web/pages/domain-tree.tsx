/** @jsxImportSource hono/jsx */
/**
 * The registry as GlobalPlatform's hierarchy (GP 2.3.1 section 7.2): each
 * security domain with the applications, load files and security domains
 * associated with it (GET STATUS tag CC), the ISD at the root; with
 * `actions`, card lock and unlock on the ISD, behind a confirmation.
 */
import { toHex } from "../../stack/bytes.ts";
import { isLocked, lifecycleName } from "../../stack/gp/lifecycle.ts";
import { CARD_LIFECYCLE } from "../../stack/gp/constants.ts";
import type { RegistryEntry } from "../../stack/gp/registry.ts";
import { packageNameOf } from "../../stack/cap/javacard-api.ts";

const KIND = { isd: "ISD", domain: "SSD", app: "APP", "load-file": "PKG" } as const;

function label(e: RegistryEntry): string {
  const kind = e.kind === "load-file" ? "load-file" : e.kind === "app" ? "app" : e.kind === "isd" ? "card" : "domain";
  return lifecycleName(kind, e.lifecycle);
}

function CardLock(props: { isd: RegistryEntry }) {
  const aid = toHex(props.isd.aid);
  const locked = props.isd.lifecycle === CARD_LIFECYCLE.CARD_LOCKED;
  return locked ? (
    <button type="button" data-action="card-unlock" data-aid={aid} data-kind="card" data-confirm="Unlock the card? Its applications can be selected again.">Unlock card</button>
  ) : (
    <button type="button" data-action="card-lock" data-aid={aid} data-kind="card" data-confirm="Lock the card? Only the ISD answers until it is unlocked.">Lock card</button>
  );
}

/** Locked: an application or SD with the locked bit, the card CARD_LOCKED (GET STATUS of the ISD gives the card's state). */
function locked(e: RegistryEntry): boolean {
  return e.kind === "isd" ? e.lifecycle === CARD_LIFECYCLE.CARD_LOCKED : e.kind !== "load-file" && isLocked(e.lifecycle);
}

function Node(props: { e: RegistryEntry; all: readonly RegistryEntry[]; isd: string; actions: boolean }) {
  const aid = toHex(props.e.aid);
  const children = props.all.filter((c) => c !== props.e && c.kind !== "isd" && toHex(c.domainAid ?? Uint8Array.of()) === aid || (props.e.kind === "isd" && c.kind !== "isd" && !c.domainAid));
  return (
    <li data-aid={aid} data-kind={props.e.kind}>
      <span class="kind">{KIND[props.e.kind]}</span> <code>{aid}</code> <span class={locked(props.e) ? "badge locked" : "muted"}>{label(props.e)}</span>
      {props.actions && props.e.kind === "isd" ? <> <CardLock isd={props.e} /></> : null}
      {children.length ? <ul>{children.map((c) => (c.kind === "domain" ? <Node e={c} all={props.all} isd={props.isd} actions={props.actions} /> : <li data-aid={toHex(c.aid)} data-kind={c.kind}><span class="kind">{KIND[c.kind]}</span> <code>{toHex(c.aid)}</code> <span class={locked(c) ? "badge locked" : "muted"}>{label(c)}</span></li>))}</ul> : null}
    </li>
  );
}

/** The hierarchy of security domains; the card's Java Card API packages are left out. */
export function DomainTree(props: { entries: readonly RegistryEntry[]; actions: boolean }) {
  const entries = props.entries.filter((e) => e.kind !== "load-file" || packageNameOf(toHex(e.aid)) === undefined);
  const isd = entries.find((e) => e.kind === "isd");
  if (!isd) return null;
  return (
    <div id="domain-tree">
      <h3>Security domain hierarchy</h3>
      <ul class="tree"><Node e={isd} all={entries} isd={toHex(isd.aid)} actions={props.actions} /></ul>
    </div>
  );
}
