/** @jsxImportSource hono/jsx */
/** The card's registry as tables: security domains, applications, load files, with names for states and privileges. */
import { toHex } from "../../stack/bytes.ts";
import { isLocked, lifecycleName } from "../../stack/gp/lifecycle.ts";
import { privilegeNames } from "../../stack/gp/privileges.ts";
import type { RegistryEntry } from "../../stack/gp/registry.ts";
import { packageNameOf } from "../../stack/cap/javacard-api.ts";

function Privileges(props: { bits: number }) {
  const names = privilegeNames(props.bits);
  return names.length ? <>{names.join(", ")}</> : <span class="muted">none</span>;
}

function Lifecycle(props: { entry: RegistryEntry }) {
  const e = props.entry;
  // GET STATUS for the ISD reports the card's life cycle (GP 11.4.2.1).
  const kind = e.kind === "load-file" ? "load-file" : e.kind === "app" ? "app" : e.kind === "isd" ? "card" : "domain";
  const name = lifecycleName(kind, e.lifecycle);
  return e.kind !== "load-file" && isLocked(e.lifecycle) ? <span class="badge locked">{name}</span> : <>{name}</>;
}

function AppActions(props: { e: RegistryEntry; aid: string }) {
  const locked = isLocked(props.e.lifecycle);
  return (
    <div class="actions">
      {locked ? (
        <button type="button" data-action="unlock" data-aid={props.aid} data-kind="app" data-confirm={`Unlock application ${props.aid}?`} aria-label={`Unlock ${props.aid}`}>
          Unlock
        </button>
      ) : (
        <button type="button" data-action="lock" data-aid={props.aid} data-kind="app" data-confirm={`Lock application ${props.aid}? It stays on the card but cannot be selected.`} aria-label={`Lock ${props.aid}`}>
          Lock
        </button>
      )}
      <button type="button" class="danger" data-action="delete" data-aid={props.aid} data-kind="app" data-confirm={`Delete application ${props.aid}? Its data is lost.`} aria-label={`Delete ${props.aid}`}>
        Delete
      </button>
    </div>
  );
}

/** Registry tables; `actions` adds delete, lock and unlock buttons. */
export function Registry(props: { entries: readonly RegistryEntry[]; actions: boolean }) {
  const domains = props.entries.filter((e) => e.kind === "isd" || e.kind === "domain");
  const apps = props.entries.filter((e) => e.kind === "app");
  const allFiles = props.entries.filter((e) => e.kind === "load-file");
  // The card's own Java Card API packages are listed apart: they are not the user's to manage.
  const api = allFiles.filter((e) => packageNameOf(toHex(e.aid)) !== undefined);
  const files = allFiles.filter((e) => packageNameOf(toHex(e.aid)) === undefined);
  return (
    <div id="registry">
      <h3>Security domains</h3>
      {domains.length === 0 ? <p class="muted">None listed.</p> : (
        <table>
          <thead><tr><th scope="col">AID</th><th scope="col">Kind</th><th scope="col">Life cycle</th><th scope="col">Privileges</th></tr></thead>
          <tbody>
            {domains.map((e) => (
              <tr><td><code>{toHex(e.aid)}</code></td><td>{e.kind === "isd" ? "issuer security domain" : "security domain"}</td><td><Lifecycle entry={e} /></td><td><Privileges bits={e.privileges} /></td></tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Applications</h3>
      {apps.length === 0 ? <p class="muted">No application installed.</p> : (
        <table id="registry-apps">
          <thead><tr><th scope="col">AID</th><th scope="col">Life cycle</th><th scope="col">Privileges</th><th scope="col">Load file</th>{props.actions ? <th scope="col">Actions</th> : null}</tr></thead>
          <tbody>
            {apps.map((e) => {
              const aid = toHex(e.aid);
              return (
                <tr data-aid={aid}>
                  <td><code>{aid}</code></td>
                  <td><Lifecycle entry={e} /></td>
                  <td><Privileges bits={e.privileges} /></td>
                  <td>{e.loadFileAid ? <code>{toHex(e.loadFileAid)}</code> : <span class="muted">-</span>}</td>
                  {props.actions ? <td><AppActions e={e} aid={aid} /></td> : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <h3>Load files</h3>
      {files.length === 0 ? <p class="muted">No load file besides the card's Java Card API.</p> : (
        <table id="registry-files">
          <thead><tr><th scope="col">AID</th><th scope="col">Version</th><th scope="col">Life cycle</th><th scope="col">Modules</th>{props.actions ? <th scope="col">Actions</th> : null}</tr></thead>
          <tbody>
            {files.map((e) => {
              const aid = toHex(e.aid);
              return (
                <tr data-aid={aid}>
                  <td><code>{aid}</code></td>
                  <td>{e.version && e.version.length >= 2 ? `${e.version[0]}.${e.version[1]}` : <span class="muted">-</span>}</td>
                  <td><Lifecycle entry={e} /></td>
                  <td>{e.modules.length ? e.modules.map((m) => <div><code>{toHex(m)}</code></div>) : <span class="muted">none</span>}</td>
                  {props.actions ? (
                    <td>
                      <button type="button" class="danger" data-action="delete" data-aid={aid} data-kind="load-file" data-confirm={`Delete load file ${aid}?`} aria-label={`Delete ${aid}`}>
                        Delete
                      </button>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {api.length ? (
        <details>
          <summary>Java Card API packages on the card ({api.length})</summary>
          <ul>{api.map((e) => <li><code>{toHex(e.aid)}</code> {packageNameOf(toHex(e.aid))} {e.version && e.version.length >= 2 ? `${e.version[0]}.${e.version[1]}` : ""}</li>)}</ul>
        </details>
      ) : null}
    </div>
  );
}
