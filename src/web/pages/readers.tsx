/** @jsxImportSource hono/jsx */
/** The readers page: every reader, live, with its card. */
import type { ReaderView } from "../reader-watch.ts";
import { Layout, cardPath } from "./layout.tsx";

/** The list itself (also sent as HTML in "readers" events). */
export function ReaderList(props: { readers: readonly ReaderView[]; problem?: string }) {
  return (
    <>
      {props.problem ? <p class="banner" role="alert">Readers cannot be listed: {props.problem}</p> : null}
      {props.readers.length === 0 ? (
        <p class="muted">No reader found. Plug in a reader, or start the dashboard with --sim.</p>
      ) : (
        <ul class="readers">
          {props.readers.map((r) => (
            <li data-reader={r.name} data-card={r.cardPresent ? "present" : "absent"}>
              <a href={cardPath(r.name)}>
                <strong>{r.name}</strong>
              </a>
              {r.simulated ? <span class="badge sim">simulated</span> : null}
              {r.cardPresent ? <span class="badge present">card present</span> : <span class="badge absent">no card</span>}
              {r.atr ? (
                <span class="muted">
                  ATR <code>{r.atr}</code>
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The whole readers page. */
export function ReadersPage(props: { csrf: string; readers: readonly ReaderView[]; problem?: string }) {
  return (
    <Layout title="Readers" csrf={props.csrf}>
      <h1>Readers and cards</h1>
      <section class="box" aria-labelledby="readers-h">
        <h2 id="readers-h">Readers</h2>
        <div id="readers" aria-live="polite">
          <ReaderList readers={props.readers} problem={props.problem} />
        </div>
      </section>
      <p class="muted">This list follows card insertions and removals as they happen. Choose a reader to see its card.</p>
    </Layout>
  );
}
