/**
 * A CGI script's run as a response in steps (docs/link-protocol.md section
 * 8.1): a client that asks for `application/x-ndjson` gets one JSON line per
 * event while the script runs, and its outcome last:
 *
 *   {"line":"loading package A000000001 version 1.0 (21870 bytes)"}
 *   {"load":{"done":2964,"total":21870}}      the loader has taken this much of the LOAD
 *   ...
 *   {"result":{"status":200,"message":"...","progress":[...],"installed":[...]}}
 *
 * The body is a pull stream: the script runs only while the body is read,
 * and pauses at each LOAD step until the reader asks for more. Over the link
 * each read is one EXCHANGE, so on the card every step runs inside an APDU
 * (and its transaction), never between two.
 */
import { FormatError } from "../errors.ts";
import type { ScriptResult } from "./script/run.ts";

/** The media type of a response in steps. */
export const LIVE_MEDIA_TYPE = "application/x-ndjson";

/** One line of a response in steps. */
export type LiveEvent = { line: string } | { load: { done: number; total: number } } | { result: ScriptResult };

/** What the running script calls: lines go out with the next step, `load` ends a step. */
export interface LiveHooks {
  line(text: string): void;
  load(done: number, total: number): Promise<void>;
}

/** True when `accept` asks for a response in steps. */
export function wantsLive(accept: string | undefined): boolean {
  return (accept ?? "").toLowerCase().includes(LIVE_MEDIA_TYPE);
}

/** Run `script` as a response in steps (HTTP 200; the script's own status is in its `result` line). */
export function liveResponse(script: (hooks: LiveHooks) => Promise<ScriptResult>): Response {
  const encoder = new TextEncoder();
  let queued: string[] = [];
  let started = false;
  let finished = false;
  /** Ends the pending read with what is queued. */
  let deliver: (() => void) | undefined;
  /** Lets the paused script go on. */
  let resume: (() => void) | undefined;
  const emit = (event: LiveEvent) => queued.push(JSON.stringify(event) + "\n");
  const hooks: LiveHooks = {
    line: (text) => emit({ line: text }),
    load(done, total) {
      emit({ load: { done, total } });
      return new Promise<void>((go) => {
        resume = go;
        const d = deliver;
        deliver = undefined;
        d?.();
      });
    },
  };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        return new Promise<void>((stepDone) => {
          deliver = () => {
            controller.enqueue(encoder.encode(queued.join("")));
            queued = [];
            if (finished) controller.close();
            stepDone();
          };
          if (started) {
            const go = resume;
            resume = undefined;
            go?.();
            return;
          }
          started = true;
          script(hooks).then(
            (result) => {
              emit({ result });
              finished = true;
              const d = deliver;
              deliver = undefined;
              d?.();
            },
            (error) => {
              controller.error(error);
              stepDone();
            },
          );
        });
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: 200, headers: { "content-type": LIVE_MEDIA_TYPE } });
}

/** Longest line read: a result with its progress lines is a few KB. */
const MAX_LINE = 256 * 1024;

/** Read a response in steps: `onEvent` for each line as it arrives; resolves with the script's result. */
export async function readLive(body: ReadableStream<Uint8Array>, onEvent: (event: LiveEvent) => void): Promise<ScriptResult | undefined> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let text = "";
  let result: ScriptResult | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (!done) text += decoder.decode(value, { stream: true });
    let eol: number;
    while ((eol = text.indexOf("\n")) >= 0) {
      const line = text.slice(0, eol);
      text = text.slice(eol + 1);
      if (line.trim() === "") continue;
      let event: LiveEvent;
      try {
        event = JSON.parse(line) as LiveEvent;
      } catch (error) {
        throw new FormatError(`A line of the loader's report is not JSON: ${line.slice(0, 60)}`, undefined, { cause: error });
      }
      if ("result" in event) result = event.result;
      onEvent(event);
    }
    if (text.length > MAX_LINE) throw new FormatError(`A line of the loader's report is over ${MAX_LINE} bytes`);
    if (done) return result;
  }
}
