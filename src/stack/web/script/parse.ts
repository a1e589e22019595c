/**
 * The card-script language (docs/card-scripts.md): one instruction a line,
 * `#` comments, `each install ... end` and `if A OP B ... end` blocks. Parsing checks every
 * line, so a bad script is refused when it is stored, not when it runs.
 */
import { FormatError } from "../../errors.ts";

export type Operand = { kind: "var"; name: string } | { kind: "text"; value: string } | { kind: "number"; value: number };

export const COMPARATORS = ["==", "!=", "<", "<=", ">", ">=", "in", "!in"] as const;
export type Comparator = (typeof COMPARATORS)[number];

export const ORDERS = ["install-for-load", "load", "install", "delete"] as const;
export type OrderName = (typeof ORDERS)[number];

export type Instruction =
  | { op: "require-auth"; line: number }
  | { op: "require-level"; line: number; level: number }
  | { op: "require-nonce"; line: number }
  | { op: "require-field"; line: number; field: string }
  | { op: "check"; line: number; left: Operand; cmp: Comparator; right: Operand; status: number; message: string }
  | { op: "set"; line: number; name: string; value: Operand }
  | { op: "order"; line: number; order: OrderName; args: Record<string, Operand> }
  | { op: "report"; line: number; message: string }
  | { op: "respond"; line: number; status: number; message: string }
  | { op: "each"; line: number; list: "install"; body: Instruction[] }
  | { op: "if"; line: number; left: Operand; cmp: Comparator; right: Operand; body: Instruction[] }
  | { op: "find-package"; line: number; package: Operand };

/** Deepest nesting of blocks (`if` in `each` in `if` ...). */
const MAX_DEPTH = 4;

/** Words of a line: bare words, "quoted strings" (with \" and \\), key=value pairs kept whole. */
function words(text: string, line: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === " " || text[i] === "\t") {
      i++;
      continue;
    }
    if (text[i] === "#") break;
    let word = "";
    while (i < text.length && text[i] !== " " && text[i] !== "\t") {
      if (text[i] === '"') {
        i++;
        word += '"';
        while (i < text.length && text[i] !== '"') {
          if (text[i] === "\\" && i + 1 < text.length) i++;
          word += text[i++];
        }
        if (i >= text.length) throw new FormatError(`Script line ${line}: unterminated string`);
        i++;
        word += '"';
      } else {
        word += text[i++];
      }
    }
    out.push(word);
  }
  return out;
}

function operand(word: string, line: number): Operand {
  if (word.startsWith('"')) return { kind: "text", value: word.slice(1, -1) };
  if (word.startsWith("$")) {
    if (!/^\$[a-z][a-z0-9-]*$/.test(word)) throw new FormatError(`Script line ${line}: bad variable name ${word}`);
    return { kind: "var", name: word.slice(1) };
  }
  // A leading zero makes it text: AIDs and hex (0102030405) keep every digit.
  if (/^(0x[0-9a-fA-F]+|0|[1-9]\d*)$/.test(word)) return { kind: "number", value: Number(word) };
  return { kind: "text", value: word };
}

function text(word: string | undefined, line: number, what: string): string {
  if (word === undefined || !word.startsWith('"')) throw new FormatError(`Script line ${line}: ${what} must be a "quoted string"`);
  return word.slice(1, -1);
}

function status(word: string | undefined, line: number): number {
  const n = Number(word);
  if (!word || !/^\d{3}$/.test(word) || n < 200 || n > 599) throw new FormatError(`Script line ${line}: status must be 200-599, got ${word ?? "nothing"}`);
  return n;
}

/** Parse a script; throws FormatError naming the line at fault. */
export function parseScript(source: string): Instruction[] {
  const root: Instruction[] = [];
  const stack: { body: Instruction[]; line: number; each: boolean }[] = [{ body: root, line: 0, each: false }];
  source.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const w = words(raw, line);
    if (w.length === 0) return;
    const body = stack[stack.length - 1]!.body;
    const [head, ...rest] = w as [string, ...string[]];
    const bad = (why: string): never => {
      throw new FormatError(`Script line ${line}: ${why}`);
    };
    switch (head) {
      case "require": {
        const [what, arg] = rest;
        if (what === "auth" && rest.length === 1) body.push({ op: "require-auth", line });
        else if (what === "nonce" && rest.length === 1) body.push({ op: "require-nonce", line });
        else if (what === "level" && arg && rest.length === 2 && /^[0-9a-fA-F]{2}$/.test(arg)) body.push({ op: "require-level", line, level: parseInt(arg, 16) });
        else if (what === "field" && arg && rest.length === 2) body.push({ op: "require-field", line, field: arg });
        else bad("require takes auth, nonce, level XX or field NAME");
        break;
      }
      case "check": {
        const [l, cmp, r, st, msg] = rest;
        if (rest.length !== 5 || !l || !r || !(COMPARATORS as readonly string[]).includes(cmp ?? "")) {
          bad('check takes LEFT OP RIGHT STATUS "message" with OP one of ' + COMPARATORS.join(" "));
        }
        body.push({ op: "check", line, left: operand(l!, line), cmp: cmp as Comparator, right: operand(r!, line), status: status(st, line), message: text(msg, line, "the message") });
        break;
      }
      case "set": {
        const [name, value] = rest;
        if (rest.length !== 2 || !name || !/^[a-z][a-z0-9-]*$/.test(name)) bad("set takes NAME VALUE");
        body.push({ op: "set", line, name: name!, value: operand(value!, line) });
        break;
      }
      case "order": {
        const [name, ...pairs] = rest;
        if (!(ORDERS as readonly string[]).includes(name ?? "")) bad(`order takes one of ${ORDERS.join(", ")}`);
        const args: Record<string, Operand> = {};
        for (const p of pairs) {
          const eq = p.indexOf("=");
          if (eq <= 0) bad(`order arguments are KEY=VALUE, got ${p}`);
          args[p.slice(0, eq)] = operand(p.slice(eq + 1), line);
        }
        body.push({ op: "order", line, order: name as OrderName, args });
        break;
      }
      case "report":
        if (rest.length !== 1) bad('report takes one "quoted string"');
        body.push({ op: "report", line, message: text(rest[0], line, "the report") });
        break;
      case "respond":
        if (rest.length !== 2) bad('respond takes STATUS "message"');
        body.push({ op: "respond", line, status: status(rest[0], line), message: text(rest[1], line, "the message") });
        break;
      case "each": {
        if (rest.length !== 1 || rest[0] !== "install") bad("each takes the list name install");
        if (stack.some((b) => b.each)) bad("each blocks do not nest");
        if (stack.length > MAX_DEPTH) bad(`blocks nest at most ${MAX_DEPTH} deep`);
        const block: Instruction = { op: "each", line, list: "install", body: [] };
        body.push(block);
        stack.push({ body: block.body, line, each: true });
        break;
      }
      case "if": {
        const [l, cmp, r] = rest;
        if (rest.length !== 3 || !l || !r || !(COMPARATORS as readonly string[]).includes(cmp ?? "")) {
          bad("if takes LEFT OP RIGHT with OP one of " + COMPARATORS.join(" "));
        }
        if (stack.length > MAX_DEPTH) bad(`blocks nest at most ${MAX_DEPTH} deep`);
        const block: Instruction = { op: "if", line, left: operand(l!, line), cmp: cmp as Comparator, right: operand(r!, line), body: [] };
        body.push(block);
        stack.push({ body: block.body, line, each: false });
        break;
      }
      case "find": {
        if (rest.length !== 2 || rest[0] !== "package") bad("find takes package AID");
        body.push({ op: "find-package", line, package: operand(rest[1]!, line) });
        break;
      }
      case "end":
        if (stack.length === 1 || rest.length) bad("end without each or if");
        stack.pop();
        break;
      default:
        bad(`unknown instruction ${head}`);
    }
  });
  if (stack.length > 1) throw new FormatError(`Script line ${stack[stack.length - 1]!.line}: ${stack[stack.length - 1]!.each ? "each" : "if"} without end`);
  return root;
}
