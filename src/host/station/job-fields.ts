/**
 * Reading the job file's fields with their place, collecting every mistake
 * as one line ("install[1].instance: ...") instead of stopping at the first.
 */
import type { JobProblem } from "./job.ts";

export type Raw = Record<string, unknown>;

/** Collects problems; `at` makes a child place. */
export class Fields {
  constructor(
    readonly problems: JobProblem[],
    readonly file: string,
    readonly place: string,
  ) {}

  at(key: string | number): Fields {
    const p = typeof key === "number" ? `${this.place}[${key}]` : this.place ? `${this.place}.${key}` : key;
    return new Fields(this.problems, this.file, p);
  }

  /** Note a problem at this place (or at a child key). */
  add(message: string, key?: string): undefined {
    const place = key === undefined ? this.place : this.at(key).place;
    this.problems.push({ place: place ? `${this.file}: ${place}` : this.file, message });
    return undefined;
  }

  /** Run `fn`, turning a thrown error into a problem here. */
  attempt<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      return this.add(error instanceof Error ? error.message : String(error));
    }
  }
}

/** Whether `v` is a plain object (a table in TOML). */
export function isObject(v: unknown): v is Raw {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Problems for keys of `obj` that the job format does not know (a typo would otherwise be ignored). */
export function unknownKeys(f: Fields, obj: Raw, known: readonly string[]): void {
  for (const k of Object.keys(obj)) if (!known.includes(k)) f.add(`unknown field '${k}': the fields here are ${known.join(", ")}`, k);
}

export function str(f: Fields, obj: Raw, key: string, required = false): string | undefined {
  const v = obj[key];
  if (v === undefined) return required ? f.add("is missing", key) : undefined;
  if (typeof v !== "string" || v.trim() === "") return f.add("must be a non-empty string", key);
  return v.trim();
}

export function bool(f: Fields, obj: Raw, key: string, fallback: boolean): boolean {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") return f.add("must be true or false", key) ?? fallback;
  return v;
}

/** An integer in [min, max], decimal or "0x" hex text. */
export function int(f: Fields, obj: Raw, key: string, min: number, max: number): number | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  const n = typeof v === "string" && /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v.slice(2), 16) : typeof v === "number" ? v : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) return f.add(`must be a whole number from ${min} to ${max}`, key);
  return n;
}

/** A list of objects (an array of tables in TOML); [] when absent. */
export function objects(f: Fields, obj: Raw, key: string): { item: Raw; f: Fields }[] {
  const v = obj[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) return f.add("must be a list", key) ?? [];
  const out: { item: Raw; f: Fields }[] = [];
  v.forEach((item, i) => {
    const here = f.at(key).at(i);
    if (isObject(item)) out.push({ item, f: here });
    else here.add("must be an object (a table)");
  });
  return out;
}

/** A list of strings; [] when absent. */
export function strings(f: Fields, obj: Raw, key: string): string[] {
  const v = obj[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) return f.add("must be a list of strings", key) ?? [];
  const out: string[] = [];
  v.forEach((s, i) => (typeof s === "string" && s.trim() !== "" ? out.push(s.trim()) : f.at(key).at(i).add("must be a non-empty string")));
  return out;
}
