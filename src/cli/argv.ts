/**
 * The one pre-pass over the command line. cac parses with mri, which turns
 * every value that looks like a number into one: `--key 0102...` or
 * `--isd 0102030405` would lose leading zeros and precision, and `--force
 * 0011223344` would leave a number among the arguments. So before cac sees
 * argv, every value it could read as a number is marked (a NUL prefix, which
 * no real argument can hold) and after parsing the mark is taken off again:
 * options and arguments reach the commands exactly as typed, as strings.
 */

/** The mark: a NUL cannot occur in a process argument (C strings end there). */
const MARK = "\0";

function looksNumeric(value: string): boolean {
  // mri's own test: `x = +value, x * 0 === 0`.
  const x = +value;
  return x * 0 === 0;
}

/**
 * The long name of each one-letter option (`H` -> `header`), from every
 * declared option whose letter means the same everywhere. mri keeps `-H a`
 * and `--header b` apart and then lets one overwrite the other; written the
 * long way before parsing, both values are kept.
 */
export function longNames(declared: readonly OptionShape[]): Map<string, string> {
  const long = new Map<string, string>();
  const clash = new Set<string>();
  for (const { names } of declared) {
    const letter = names.find((n) => n.length === 1);
    const name = names.find((n) => n.length > 1);
    if (letter === undefined || name === undefined) continue;
    if (long.has(letter) && long.get(letter) !== name) clash.add(letter);
    long.set(letter, name);
  }
  for (const letter of clash) long.delete(letter);
  return long;
}

/**
 * argv with every number-like value (a whole argument, or what follows `=`)
 * marked, and one-letter options written the long way (see longNames);
 * untouched after `--`.
 */
export function protectValues(argv: readonly string[], long: ReadonlyMap<string, string> = new Map()): string[] {
  const out: string[] = [];
  let rest = false;
  for (const given of argv) {
    if (rest || given === "--") {
      rest = true;
      out.push(given);
      continue;
    }
    const letter = /^-([A-Za-z])(=|$)/.exec(given);
    const arg = letter && long.has(letter[1]!) ? `--${long.get(letter[1]!)}${given.slice(2)}` : given;
    const eq = arg.indexOf("=");
    if (arg.startsWith("-") && eq > 0) {
      const value = arg.slice(eq + 1);
      out.push(looksNumeric(value) ? `${arg.slice(0, eq + 1)}${MARK}${value}` : arg);
    } else if (!arg.startsWith("-") && looksNumeric(arg)) {
      out.push(MARK + arg);
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** A parsed value with the marks taken off (strings, and arrays of them; anything else as it is). */
function restoreValue<T>(value: T): T {
  if (typeof value === "string") return (value.startsWith(MARK) ? value.slice(MARK.length) : value) as T;
  if (Array.isArray(value)) return value.map(restoreValue) as T;
  return value;
}

/** What restoreParsed needs to know of an option: its names and whether it may repeat. */
export interface OptionShape {
  names: string[];
  /** Repeatable options are declared with `{ type: [String] }` and always come as a list. */
  config: { type?: unknown[] };
}

/**
 * The name an action reads an option by: every dash followed by a letter or
 * digit camel-cased (`yes-i-understand-terminate` -> `yesIUnderstandTerminate`,
 * `scp11-key` -> `scp11Key`). cac camel-cases only a dash between two
 * lowercase letters, one match at a time, so it leaves `yesI-understandTerminate`
 * and `scp11-key`; its names are mapped to these.
 */
export function flagName(name: string): string {
  return name.replace(/-([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Take the marks off cac's parse result, in place, give every single-value
 * option its last value when it was repeated (as most tools do), so each
 * option has one type: a string, a list of strings, or a boolean; and store
 * each option under its flagName too (cac's own name stays for its checks).
 */
export function restoreParsed(parsed: { args: readonly unknown[]; options: Record<string, unknown> }, declared: readonly OptionShape[]): void {
  // cac hands its own arrays to the action (typed readonly for its users): restore them where they are.
  const args = parsed.args as unknown[];
  args.splice(0, args.length, ...args.map(restoreValue));
  const lists = new Set(declared.filter((o) => Array.isArray(o.config.type)).flatMap((o) => o.names));
  for (const [name, value] of Object.entries(parsed.options)) {
    const restored = restoreValue(value);
    const single = Array.isArray(restored) && name !== "--" && !lists.has(name) ? restored.at(-1) : restored;
    parsed.options[name] = single;
    if (name !== "--") parsed.options[flagName(name)] = single;
  }
  // cac then checks the parsed names against the declared ones: it must know both spellings.
  for (const option of declared) for (const name of [...option.names]) if (!option.names.includes(flagName(name))) option.names.push(flagName(name));
}

/** What a simulated card's state file is never named: a CAP or IJC load file. */
const LOAD_FILE_NAME = /\.(cap|ijc)$/i;

/**
 * `install --sim app.cap`: `--sim` takes an optional state file, so the
 * parser hands it the CAP path and the command misses its file. A state file
 * is never a CAP, so the path goes back to the arguments and `--sim` means the
 * default state, as the user meant. Only when the command lacks a required
 * argument, in place.
 */
export function giveBackLoadFile(parsed: { args: readonly unknown[]; options: Record<string, unknown> }, requiredArgs: number): void {
  const sim = parsed.options.sim;
  if (typeof sim !== "string" || !LOAD_FILE_NAME.test(sim) || parsed.args.length >= requiredArgs) return;
  (parsed.args as unknown[]).unshift(sim);
  parsed.options.sim = true;
}
