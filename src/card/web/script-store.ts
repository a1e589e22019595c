/** The card's CGI scripts, kept in the link application's own persistent store. */
import type { ScriptStore } from "../../stack/web/server.ts";
import type { AppStore } from "../application.ts";

const PREFIX = "script:";

/** A ScriptStore over an application's key-value memory. */
export function cardScriptStore(store: AppStore): ScriptStore {
  return {
    get: (name) => {
      const v = store.get(PREFIX + name);
      return v === undefined ? undefined : new TextDecoder().decode(v);
    },
    set: (name, source) => store.set(PREFIX + name, new TextEncoder().encode(source)),
    names: () => store.keys().filter((k) => k.startsWith(PREFIX)).map((k) => k.slice(PREFIX.length)),
  };
}
