/**
 * Option values exactly as typed. The CLI parser (cac, on mri) turns
 * digit-only values into numbers, so `--key 4041...` or `--isd 0102030405`
 * would lose leading zeros and precision; hex options are read back here.
 */

/** Every value given for `--name` (as `--name v` or `--name=v`), in order. */
export function rawOptionValues(name: string, argv: readonly string[] = process.argv): string[] {
  const flag = `--${name}`;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a === flag) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith("-")) {
        out.push(next);
        i++;
      }
    } else if (a.startsWith(flag + "=")) {
      out.push(a.slice(flag.length + 1));
    }
  }
  return out;
}

/** The last value of `--name` as typed, or undefined. */
export function rawOption(name: string, argv: readonly string[] = process.argv): string | undefined {
  const all = rawOptionValues(name, argv);
  return all[all.length - 1];
}

/** A positional argument as typed: when the parser made a number of it, find the digits in argv. */
export function rawArg(value: unknown, argv: readonly string[] = process.argv): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") {
    const hit = argv.slice(2).find((a) => /^[0-9]+$/.test(a) && Number(a) === value);
    if (hit !== undefined) return hit;
  }
  return String(value);
}
