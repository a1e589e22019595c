/**
 * What a reset or a deselect clears in API objects (JC API 3.0.5
 * KeyBuilder: a CLEAR_ON_RESET / CLEAR_ON_DESELECT key loses its value on
 * that event; JCRE §6.2.5 for transient arrays): the components of
 * transient keys, and the key an engine (Signature, Cipher, KeyAgreement)
 * copied from such a key at init, so that no key material outlives its key
 * (the engine answers as uninitialized until init again). What lives in
 * RAM is never written to the card's persistent memory (`persistentView`).
 */
import type { JObject } from "../model.ts";

interface TransientNative {
  family?: string;
  transient?: number;
  value?: unknown;
  parts?: Record<string, unknown>;
  /** Engines: the transient kind of the key given to init. */
  keyTransient?: number;
}

/** Clear what `obj`'s native state holds for transient memory of `kind`. */
export function clearTransientState(obj: JObject, kind: number): void {
  const s = obj.native as TransientNative | null | undefined;
  if (!s || typeof s !== "object") return;
  if (s.family !== undefined && s.transient === kind) {
    if (s.parts) s.parts = {};
    else s.value = undefined;
  }
  if (s.keyTransient === kind) forgetKey(s as Record<string, unknown>);
}

/** An engine's state without its key: as before init. */
export function forgetKey(s: Record<string, unknown>): void {
  for (const k of ["secret", "asym", "key", "init", "engine", "mode", "iv", "pending", "keyTransient"]) delete s[k];
}

/** The native state as the card's persistent memory may keep it: without the contents of transient keys or copies of them. */
export function persistentView(native: unknown): unknown {
  if (!native || typeof native !== "object") return native;
  const s = native as TransientNative;
  const transientKey = s.family !== undefined && s.transient !== undefined && s.transient !== 0;
  if (!transientKey && s.keyTransient === undefined) return native;
  const copy: Record<string, unknown> = { ...(native as Record<string, unknown>) };
  if (transientKey) {
    if (s.parts) copy.parts = {};
    else delete copy.value;
  }
  if (s.keyTransient !== undefined) forgetKey(copy);
  return copy;
}
