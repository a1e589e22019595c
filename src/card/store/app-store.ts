/**
 * AppContext.store: each application's own key-value table in the card's
 * memory. Writes happen inside the current APDU's transaction and count
 * against the card's memory size.
 */
import { SW } from "../../stack/status-words.ts";
import type { AppStore } from "../application.ts";
import { refuse } from "../refusal.ts";
import type { CardStore } from "./store.ts";

/** The store of application `app`; `free()` is the card's free memory now. */
export function appStore(store: CardStore, app: Uint8Array, free: () => number): AppStore {
  const db = store.db;
  const sizeOf = (key: string): number =>
    db.query<{ n: number }, [Uint8Array, string]>("SELECT length(value) + length(key) AS n FROM app_data WHERE app = ? AND key = ?").get(app, key)?.n ?? 0;
  return {
    get(key) {
      const r = db.query<{ value: Uint8Array }, [Uint8Array, string]>("SELECT value FROM app_data WHERE app = ? AND key = ?").get(app, key);
      return r ? new Uint8Array(r.value) : undefined;
    },
    set(key, value) {
      const need = key.length + value.length - sizeOf(key);
      if (need > free()) refuse("STORE", SW.NOT_ENOUGH_MEMORY, `storing ${value.length} bytes under '${key}' needs ${need} more bytes, ${free()} are free`);
      store.put("app_data", { app, key, value });
    },
    delete(key) {
      db.query("DELETE FROM app_data WHERE app = ? AND key = ?").run(app, key);
    },
    keys() {
      return db
        .query<{ key: string }, [Uint8Array]>("SELECT key FROM app_data WHERE app = ? ORDER BY key")
        .all(app)
        .map((r) => r.key);
    },
  };
}
