/** @jsxImportSource hono/jsx */
/** The station page: the rack of readers (card, step, result), counts and rate, the last failures, start and pause. */
import { Layout } from "./pages/layout.tsx";
import type { StationSnapshot } from "./station-view.ts";

export function StationPage(props: { csrf: string; snapshot: StationSnapshot }) {
  const s = props.snapshot;
  return (
    <Layout title={`Station: ${s.job}`} csrf={props.csrf}>
      <section id="station" data-paused={s.paused ? "1" : "0"}>
        <h1>Station: {s.job}</h1>
        <p class="muted">Record: {s.record}</p>
        <p id="station-counts">
          {s.counts.done} done, {s.counts.failed} failed, {s.counts.alreadyDone} already done; {s.counts.perHour} cards/hour{s.paused ? " (paused)" : ""}
        </p>
        <p>
          <button type="button" id="station-start" disabled={!s.paused}>Start</button>{" "}
          <button type="button" id="station-pause" disabled={s.paused}>Pause</button>{" "}
          <span id="station-status" role="status"></span>
        </p>
        <table id="station-rack">
          <thead>
            <tr><th>Reader</th><th>Card</th><th>Step</th><th>Result</th></tr>
          </thead>
          <tbody>
            {s.readers.map((r) => (
              <tr data-state={r.state}>
                <td>{r.reader}</td>
                <td>{r.identity ?? ""}</td>
                <td>{r.state === "working" ? (r.step ?? "") : ""}</td>
                <td>{r.state === "empty" ? "(no card)" : r.state === "working" ? "working" : `${r.state}${r.detail ? `: ${r.detail}` : ""}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Last failures</h2>
        <ul id="station-failures">
          {s.failures.length === 0 ? <li class="muted">None</li> : s.failures.map((f) => (
            <li>
              Row {f.seq}, card {f.identity} in {f.reader}: {f.step}: {f.error} (card {f.cardState})
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}
