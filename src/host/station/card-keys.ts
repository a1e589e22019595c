/**
 * Which keys open a card at each point of the job, decided before any
 * authentication: the card's key information (GET DATA E0) lists its key
 * set versions, so a card that already has its per-card keys (a station
 * stopped after PUT KEY) is opened with those, and no key is tried that the
 * card is not expected to hold (failed authentications lock cards).
 */
import { WebcardError } from "../../stack/errors.ts";
import { diversify, type StaticKeys } from "../../stack/gp/keys.ts";
import type { SecureChannelOptions } from "../../stack/gp/secure-channel.ts";
import type { Job } from "./job.ts";

/** Whether the per-card key set is already on the card. */
export function rotated(job: Job, versions: readonly number[]): boolean {
  const r = job.keys.rotate;
  if (!r || !versions.includes(r.version)) return false;
  return job.keys.card.version === 0 || !versions.includes(job.keys.card.version);
}

/** Channel options for the keys the card arrived with. */
export function arrivalKeys(job: Job): SecureChannelOptions {
  const c = job.keys.card;
  return { keys: c.keys, kdf: c.kdf, keyVersion: c.version, level: job.keys.level, ...(job.keys.scp ? { scp: job.keys.scp } : {}) };
}

/** Channel options for the card's own keys (after rotation). */
export function perCardKeys(job: Job, identity: string): SecureChannelOptions {
  const r = job.keys.rotate;
  if (!r) throw new RangeError("the job rotates no keys");
  const base = { keyVersion: r.version, level: job.keys.level, ...(job.keys.scp ? { scp: job.keys.scp } : {}) };
  if (r.kind === "master") return { ...base, keys: r.master, kdf: r.kdf };
  return { ...base, keys: csvKeys(job, identity), kdf: "none" };
}

/** The card's row of the per-card key CSV. */
export function csvKeys(job: Job, identity: string): StaticKeys {
  const r = job.keys.rotate;
  if (r?.kind !== "csv") throw new RangeError("the job has no per-card key CSV");
  const keys = r.byIdentity.get(identity.toUpperCase());
  if (!keys) throw new WebcardError(`${r.file} has no keys for card ${identity}`, { hint: "add its row, or leave the card out" });
  return keys;
}

/** The key set to put on the card: the master diversified with the card's KDD, or its CSV row; at the rotation's version. */
export function newKeySet(job: Job, identity: string, kdd: Uint8Array, scp: 2 | 3): StaticKeys {
  const r = job.keys.rotate;
  if (!r) throw new RangeError("the job rotates no keys");
  // 16-byte keys are 3DES under SCP02 and AES-128 under SCP03, as the channel itself takes them.
  const type = scp === 3 ? "AES" : "3DES";
  const keys = r.kind === "master" ? diversify(r.master.withType(type), r.kdf, kdd) : csvKeys(job, identity).withType(type);
  return keys.withVersion(r.version);
}
