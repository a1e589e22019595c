/**
 * Where STORE DATA goes (GP 2.3.1 sections 7.3.2 and 11.11): to the
 * security domain itself, or, after INSTALL [for personalization], through
 * the SD to one of its applications. Applications get their blocks through
 * a PersonalizationSink: today the card records them (applications here do
 * not run code yet), later the Java Card VM hands them to the applet's
 * `Application.processData` (GP API `org.globalplatform.Application`).
 */
import type { StoreDataEncryption, StoreDataFormat } from "../../stack/gp/store-data.ts";
import { SW } from "../../stack/status-words.ts";
import { refuse } from "../refusal.ts";
import type { CardStore } from "../store/store.ts";
import { appStore } from "../store/app-store.ts";

/** One STORE DATA block as the application receives it. */
export interface StoreDataBlock {
  /** P2. */
  block: number;
  last: boolean;
  format: StoreDataFormat;
  encryption: StoreDataEncryption;
  data: Uint8Array;
}

/** The STORE DATA session in progress. */
export interface PersonalizationTarget {
  /** The application (or the SD itself) receiving the data. */
  app: Uint8Array;
  /** The security domain the commands come through. */
  sd: Uint8Array;
  nextBlock: number;
}

/** Hands STORE DATA blocks to an application; returns its response data. */
export interface PersonalizationSink {
  deliver(app: Uint8Array, block: StoreDataBlock): Uint8Array;
}

/** Key under which the n-th recorded block of an application lives in its own store. */
export const recordKey = (n: number) => `gp.store-data.${n.toString().padStart(4, "0")}`;

/** The sink of a card whose applications do not run code: each block is kept in the application's store (counted against memory). */
export function recordingSink(store: CardStore, freeMemory: () => number): PersonalizationSink {
  return {
    deliver(app, block) {
      const s = appStore(store, app, freeMemory);
      const n = s.keys().filter((k) => k.startsWith("gp.store-data.")).length;
      if (n >= 1000) refuse("STORE DATA", SW.NOT_ENOUGH_MEMORY, "the application already holds 1000 recorded blocks");
      s.set(recordKey(n), Uint8Array.of(block.block, ...block.data));
      return new Uint8Array(0);
    },
  };
}
