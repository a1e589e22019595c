/**
 * A bounded CSV reader (RFC 4180: comma-separated, double quotes around a
 * field that holds commas, quotes or line breaks, "" for a quote inside),
 * for the job's per-card data and per-card keys. Size, rows and field
 * length are limited before anything is trusted; every problem names its
 * line.
 */
import { FormatError } from "../../stack/errors.ts";

/** Limits of one CSV file. */
export const CSV_LIMITS = { bytes: 16 * 1024 * 1024, rows: 100_000, columns: 64, field: 4096 } as const;

/** A parsed CSV: its header and its rows, each with the line it starts on. */
export interface Csv {
  header: string[];
  rows: { line: number; values: Record<string, string> }[];
}

/** Parse `text` (the first line is the header); `name` is the file, for messages. */
export function parseCsv(text: string, name: string): Csv {
  if (text.length > CSV_LIMITS.bytes) throw new FormatError(`${name}: ${text.length} characters is over the ${CSV_LIMITS.bytes} limit of a CSV file`);
  const records = splitRecords(text.replace(/^\uFEFF/, ""), name);
  const first = records.shift();
  if (!first || first.fields.every((f) => f === "")) throw new FormatError(`${name}: the file is empty; the first line must name the columns`);
  const header = first.fields.map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of header) {
    if (h === "") throw new FormatError(`${name}:${first.line}: a column has no name in the header line`);
    if (seen.has(h)) throw new FormatError(`${name}:${first.line}: column '${h}' is named twice in the header line`);
    seen.add(h);
  }
  if (header.length > CSV_LIMITS.columns) throw new FormatError(`${name}:${first.line}: ${header.length} columns is over the limit of ${CSV_LIMITS.columns}`);
  const rows: Csv["rows"] = [];
  for (const r of records) {
    if (r.fields.length === 1 && r.fields[0] === "") continue; // a blank line
    if (r.fields.length !== header.length) {
      throw new FormatError(`${name}:${r.line}: ${r.fields.length} fields, the header names ${header.length} columns`);
    }
    if (rows.length >= CSV_LIMITS.rows) throw new FormatError(`${name}:${r.line}: more than ${CSV_LIMITS.rows} rows`);
    rows.push({ line: r.line, values: Object.fromEntries(header.map((h, i) => [h, r.fields[i]!.trim()])) });
  }
  return { header, rows };
}

/** The records of the text, each with its first line number. */
function splitRecords(text: string, name: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let start = 1;
  let quoted = false;
  let i = 0;
  const push = () => {
    if (field.length > CSV_LIMITS.field) throw new FormatError(`${name}:${line}: a field of ${field.length} characters is over the limit of ${CSV_LIMITS.field}`);
    fields.push(field);
    field = "";
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field.trim() === "") {
      field = "";
      quoted = true;
    } else if (c === ",") push();
    else if (c === "\n" || c === "\r") {
      push();
      out.push({ line: start, fields });
      fields = [];
      if (c === "\r" && text[i + 1] === "\n") i++;
      line++;
      start = line;
    } else field += c;
    i++;
  }
  if (quoted) throw new FormatError(`${name}:${start}: a quoted field is not closed`);
  if (field !== "" || fields.length > 0) {
    push();
    out.push({ line: start, fields });
  }
  return out;
}
