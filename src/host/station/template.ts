/**
 * Hex templates of the job file: hex digits with placeholders that take a
 * card's data row. `{column}` is the column's value as hex, `{column:ascii}`
 * its UTF-8 bytes, `{identity}` the card's identity; anything else is an
 * error found when the job is checked, not on the card.
 */
import { fromHex, isHex, toHex } from "../../stack/bytes.ts";

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_.-]*)(?::(hex|ascii))?\}/g;

/** The names a template refers to (columns, or "identity"). */
export function templateNames(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** What is wrong with a template before any row is put in: stray braces. */
export function templateProblem(template: string): string | undefined {
  const rest = template.replace(PLACEHOLDER, "");
  if (/[{}]/.test(rest)) return "has a '{' or '}' that is not a placeholder: write {column} or {column:ascii}";
  if (!/^[0-9a-fA-F\s]*$/.test(rest)) return "is not hex outside its placeholders";
  return undefined;
}

/** The template with `values` put in, as hex; throws a message (not the value) when the result is not hex. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const filled = template.replace(PLACEHOLDER, (_, name: string, form: string | undefined) => {
    const v = values[name];
    if (v === undefined) throw new Error(`placeholder {${name}} has no value`);
    if (form === "ascii") return toHex(new TextEncoder().encode(v));
    if (!isHex(v)) throw new Error(`column '${name}' is not hex (use {${name}:ascii} for text)`);
    return v;
  });
  const hex = filled.replace(/\s+/g, "");
  if (!isHex(hex)) throw new Error("the result is not whole hex bytes");
  return hex;
}

/** `fillTemplate` as bytes. */
export function fillBytes(template: string, values: Readonly<Record<string, string>>): Uint8Array {
  return fromHex(fillTemplate(template, values));
}
