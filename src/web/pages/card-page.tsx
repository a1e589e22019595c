/** @jsxImportSource hono/jsx */
/** A card's page: facts and registry, keys, install, the card's own pages, the APDU trace. */
import type { ReaderView } from "../reader-watch.ts";
import { CardPanel, type PanelProps } from "./card-panel.tsx";
import { GpAdminSection } from "./gp-admin-forms.tsx";
import { Layout } from "./layout.tsx";

export interface CardPageProps extends PanelProps {
  csrf: string;
  name: string;
  /** Base URL of the card's own pages (ends with '/'). */
  cardWebBase: string;
  trace: readonly string[];
  /** KCVs of the keys entered for this card, or undefined (test key). */
  kcv?: string;
  readers: readonly ReaderView[];
}

function ReaderStatus(props: { reader: ReaderView | undefined }) {
  const r = props.reader;
  if (!r) return <span class="badge absent">reader not connected</span>;
  return r.cardPresent ? <span class="badge present">card present</span> : <span class="badge absent">no card</span>;
}

function KeysSection(props: { kcv?: string }) {
  return (
    <section class="box" aria-labelledby="keys-h">
      <h2 id="keys-h">Keys for this session</h2>
      <p class="muted">
        Kept in the dashboard's memory only, never stored or shown. Now:{" "}
        <span id="keys-current">{props.kcv ?? "the GlobalPlatform test key (KCV 3DES 8BAF47 / AES 504A77)"}</span>
      </p>
      <form id="keys-form" autocomplete="off">
        <div class="row">
          <div>
            <label for="key">Key (hex, or 'default')</label>
            <input type="password" id="key" name="key" class="mono" autocomplete="off" spellcheck={false} />
          </div>
          <div>
            <label for="kdf">Key derivation</label>
            <select id="kdf" name="kdf">
              <option value="none">none</option>
              <option value="emv">EMV</option>
              <option value="visa2">VISA2</option>
              <option value="kdf3">KDF3 (AES)</option>
            </select>
          </div>
          <div>
            <label for="scp">Secure channel</label>
            <select id="scp" name="scp">
              <option value="auto">as the card says</option>
              <option value="02">SCP02</option>
              <option value="03">SCP03</option>
              <option value="11a">SCP11a (the OCE's key and certificate)</option>
              <option value="11b">SCP11b (the card's certificate, no key)</option>
              <option value="11c">SCP11c (the OCE's key and certificate)</option>
            </select>
          </div>
          <button type="submit">Use these keys</button>
        </div>
        <fieldset class="row" id="scp11-fields">
          <legend>SCP11: the key field stays empty; the files are read here and kept in memory only</legend>
          <div>
            <label for="oce-key">OCE private key (PEM), for 11a and 11c</label>
            <input type="file" id="oce-key" name="oceKey" accept=".pem,.key" />
          </div>
          <div>
            <label for="oce-cert">OCE certificate (GP format), for 11a and 11c</label>
            <input type="file" id="oce-cert" name="oceCert" accept=".gp,.cer,.der,.bin" />
          </div>
          <div>
            <label for="ca-key">CA key the card's certificate must chain to (PEM, optional)</label>
            <input type="file" id="ca-key" name="caKey" accept=".pem,.key" />
          </div>
          <div>
            <label for="s16"><input type="checkbox" id="s16" name="s16" /> S16 mode (16-byte MACs)</label>
          </div>
        </fieldset>
      </form>
      <p id="keys-result" class="result" role="status"></p>
    </section>
  );
}

function InstallSection(props: { link: boolean | undefined }) {
  return (
    <section class="box" aria-labelledby="install-h">
      <h2 id="install-h">Install a CAP file</h2>
      <form id="install-form" aria-busy="false">
        <div id="cap-drop" class="drop">
          <label for="cap-file">Choose a CAP file, or drop one here</label>
          <input type="file" id="cap-file" name="cap" accept=".cap,.jar,.zip" />
        </div>
        <div id="cap-summary" hidden>
          <dl class="facts">
            <dt>File</dt><dd id="cap-name"></dd>
            <dt>Package</dt><dd id="cap-package"></dd>
            <dt>Size</dt><dd id="cap-size"></dd>
            <dt>Imports</dt><dd id="cap-imports"></dd>
          </dl>
          <h3>Applets to install</h3>
          <p id="cap-no-applets" class="muted" hidden>This package has no applet: it is loaded only (a library).</p>
          <table>
            <thead><tr><th scope="col">Applet (module)</th><th scope="col">Instance AID</th><th scope="col">Privileges</th><th scope="col">Parameters (hex)</th></tr></thead>
            <tbody id="cap-applets"></tbody>
          </table>
          <p class="muted">Privileges: names separated by commas (card-reset, security-domain, ...) or hex; empty for none.</p>
        </div>
        <div class="row">
          <div>
            <label for="install-via">Install through</label>
            {/* The CLI's --via, with its default: auto. */}
            <select id="install-via" name="via">
              <option value="auto" selected>automatic: the card's own loader, or the bridge for a card without one</option>
              {/* Enabled once the card panel shows the link (the page's script reads it). */}
              <option value="web" disabled={props.link !== true}>the card's own loader (web-card link)</option>
              <option value="bridge">the bridge: the same loader run here, GlobalPlatform commands to the card</option>
              <option value="gp">GlobalPlatform commands from this dashboard</option>
            </select>
          </div>
          <div>
            {/* The CLI's --force. */}
            <input type="checkbox" id="install-replace" name="replace" value="yes" />
            <label for="install-replace">Replace what is on the card (deletes the package and its instances first)</label>
          </div>
          <button type="submit" id="install-button" class="primary" disabled>Load and install</button>
        </div>
        <label for="install-progress">Progress</label>
        <progress id="install-progress" max="1" value="0"></progress>
        <p id="install-progress-text" class="muted" aria-live="polite"></p>
        <p id="install-result" class="result" role="status"></p>
      </form>
    </section>
  );
}

function CardWebSection(props: { base: string; reader: string; link: boolean | undefined }) {
  return (
    <section class="box" aria-labelledby="cardweb-h">
      <h2 id="cardweb-h">The card's own web pages</h2>
      {props.link === false ? (
        <p class="muted">This card has no web-card link, so it serves no pages of its own.</p>
      ) : (
        <p class="muted">Pages the card serves itself, fetched over the web-card link. They run no script here.</p>
      )}
      <form id="card-web-form" data-base={props.base} class="row">
        <div>
          <label for="card-web-path">Path on the card</label>
          <input type="text" id="card-web-path" name="path" class="mono" value="/" spellcheck={false} />
        </div>
        <button type="submit">Open</button>
      </form>
      <div class="card-content">
        <div class="label">Content served by the card in {props.reader}, not by webcard (shown without scripts)</div>
        <iframe id="card-web-frame" title={`Web pages served by the card in ${props.reader}`} sandbox="allow-forms" referrerpolicy="no-referrer" src="about:blank"></iframe>
      </div>
    </section>
  );
}

function ConfirmDialog() {
  return (
    <dialog id="confirm" aria-labelledby="confirm-text">
      <p id="confirm-text"></p>
      <p id="confirm-related-row" hidden>
        <input type="checkbox" id="confirm-related" checked />{" "}
        <label for="confirm-related" class="inline">Also delete its applications</label>
      </p>
      <div class="actions">
        <button type="button" id="confirm-ok" class="danger">Confirm</button>
        <button type="button" id="confirm-cancel" autofocus>Cancel</button>
      </div>
    </dialog>
  );
}

/** The whole card page. */
export function CardPage(props: CardPageProps) {
  return (
    <Layout title={props.name} csrf={props.csrf} reader={props.name}>
      <h1>
        {props.name} <span id="reader-status"><ReaderStatus reader={props.reader} /></span>
      </h1>
      <p id="card-banner" class="banner" role="alert" hidden></p>
      <section class="box" aria-labelledby="card-h">
        <h2 id="card-h">Card</h2>
        <div id="card-panel" aria-live="polite">
          <CardPanel reader={props.reader} overview={props.overview} error={props.error} loading={props.loading} />
        </div>
        <p id="action-result" class="result" role="status"></p>
      </section>
      <InstallSection link={props.overview?.link?.present} />
      <GpAdminSection />
      <KeysSection kcv={props.kcv} />
      <CardWebSection base={props.cardWebBase} reader={props.name} link={props.overview?.link?.present} />
      <section class="box" aria-labelledby="trace-h">
        <h2 id="trace-h">APDU trace</h2>
        <pre id="trace" class="trace" tabindex={0} aria-label="APDU trace of this card">{props.trace.join("\n")}</pre>
        <p><button type="button" id="trace-clear">Clear the trace</button></p>
      </section>
      <ConfirmDialog />
    </Layout>
  );
}

export { ReaderStatus };
