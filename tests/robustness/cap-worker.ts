/**
 * Worker of the mutated-CAP suite: parse one CAP with parseLoadFile and, if
 * it parses, install it by `--via gp` on a fresh in-process card. Runs in a
 * worker so that a hang can be cut off (the parent terminates it).
 */
import { createWebCard } from "../../src/card/link/with-link.ts";
import { inProcessTransport } from "../../src/card/in-process.ts";
import { parseLoadFile } from "../../src/stack/cap/load-file.ts";
import { WebcardError } from "../../src/stack/errors.ts";
import { counting, installOn } from "./paths.ts";

export interface CapVerdict {
  stage: "parse" | "install" | "installed";
  /** The error's class and message when refused; "clear" = a WebcardError with a one-line message. */
  error?: string;
  clear?: boolean;
}

declare const self: Worker;

function verdict(stage: CapVerdict["stage"], e: unknown): CapVerdict {
  const message = e instanceof Error ? e.message : String(e);
  const clear =
    e instanceof WebcardError && message.length > 0 && message.length < 400 && !message.includes("\n") && !/undefined|NaN|\[object /.test(message);
  return { stage, error: `${e instanceof Error ? e.name : typeof e}: ${message}`, clear };
}

self.onmessage = async (event: MessageEvent<{ id: number; bytes: Uint8Array }>) => {
  const { id, bytes } = event.data;
  let result: CapVerdict;
  let file;
  try {
    file = parseLoadFile(bytes, "mutated.cap");
  } catch (e) {
    self.postMessage({ id, ...verdict("parse", e) });
    return;
  }
  const card = createWebCard({ link: false });
  try {
    await installOn("gp", counting(inProcessTransport(card)), { name: "mutated.cap", bytes, file });
    result = { stage: "installed" };
  } catch (e) {
    result = verdict("install", e);
  } finally {
    card.close();
  }
  self.postMessage({ id, ...result });
};
