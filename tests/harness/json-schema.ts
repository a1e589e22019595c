/**
 * A JSON Schema checker for the subset docs/json.md uses (type, required,
 * properties, additionalProperties: false, enum, pattern, items), so the
 * documented schema itself is what tests check output against. Returns the
 * problems found, each with its JSON path; empty when the value conforms.
 */
export interface Schema {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean;
  enum?: unknown[];
  pattern?: string;
  items?: Schema;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

export function schemaProblems(schema: Schema, value: unknown, path = "$"): string[] {
  const problems: string[] = [];
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!allowed.includes(actual) && !(actual === "integer" && allowed.includes("number"))) {
      return [`${path}: ${actual}, expected ${allowed.join(" or ")}`];
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => e === value)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.pattern !== undefined && typeof value === "string" && !new RegExp(schema.pattern).test(value)) problems.push(`${path}: '${value}' does not match ${schema.pattern}`);
  if (actual === "object") {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in object)) problems.push(`${path}: missing ${name}`);
    for (const [name, v] of Object.entries(object)) {
      const sub = schema.properties?.[name];
      if (sub) problems.push(...schemaProblems(sub, v, `${path}.${name}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: unexpected ${name}`);
    }
  }
  if (actual === "array" && schema.items) {
    (value as unknown[]).forEach((v, i) => problems.push(...schemaProblems(schema.items!, v, `${path}[${i}]`)));
  }
  return problems;
}

/** The first ```json block of a Markdown document, parsed. */
export function schemaFromMarkdown(markdown: string): Schema {
  const m = /```json\n([\s\S]*?)\n```/.exec(markdown);
  if (!m) throw new Error("no ```json block in the document");
  return JSON.parse(m[1]!) as Schema;
}
