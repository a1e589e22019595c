/**
 * Which reader a command uses: `-r/--reader` by exact name, substring
 * (case-insensitive) or 1-based index; else WEBCARD_READER; else the only
 * reader holding a card. Ambiguity is a usage error that lists the readers;
 * no card anywhere is a transport error that lists them.
 */
import { TransportError, UsageError } from "../../stack/errors.ts";

/** What reader choice needs to know about a reader. */
export interface ReaderChoiceInfo {
  name: string;
  cardPresent: boolean;
}

/** The readers of `shown`, numbered by their place in `all` (the number `-r` takes). */
function listing(all: readonly ReaderChoiceInfo[], shown: readonly ReaderChoiceInfo[] = all): string {
  return shown.map((r) => `${all.indexOf(r) + 1}: ${r.name}${r.cardPresent ? " (card)" : ""}`).join("; ");
}

/** The reader named by `choice` (or the environment), or the only one holding a card. */
export function chooseReader(readers: readonly ReaderChoiceInfo[], choice?: string, env: string | undefined = process.env.WEBCARD_READER): string {
  if (readers.length === 0) {
    throw new TransportError("no-reader", "no smart card reader found", { hint: "plug in a reader, or check pcscd" });
  }
  const wanted = choice !== undefined && choice !== "" ? choice : env !== undefined && env !== "" ? env : undefined;
  if (wanted !== undefined) return byChoice(readers, wanted);
  const withCard = readers.filter((r) => r.cardPresent);
  if (withCard.length === 1) return withCard[0]!.name;
  if (withCard.length === 0) {
    if (readers.length === 1) return readers[0]!.name;
    // Not a usage error (exit 2): the command was right, the card is missing (as SCARD_E_NO_SMARTCARD).
    throw new TransportError("removed", `no card in any reader; readers: ${listing(readers)}`, { hint: "insert a card, or choose a reader with -r" });
  }
  throw new UsageError(`several readers hold a card, choose one with -r: ${listing(readers, withCard)}`);
}

function byChoice(readers: readonly ReaderChoiceInfo[], wanted: string): string {
  if (/^\d+$/.test(wanted)) {
    const index = Number(wanted);
    const r = readers[index - 1];
    if (index >= 1 && r) return r.name;
    const exact = readers.find((x) => x.name === wanted);
    if (exact) return exact.name;
    throw new UsageError(`no reader number ${wanted}; readers: ${listing(readers)}`);
  }
  const exact = readers.find((r) => r.name === wanted);
  if (exact) return exact.name;
  const needle = wanted.toLowerCase();
  const matches = readers.filter((r) => r.name.toLowerCase().includes(needle));
  if (matches.length === 1) return matches[0]!.name;
  if (matches.length === 0) throw new UsageError(`no reader matches '${wanted}'; readers: ${listing(readers)}`);
  throw new UsageError(`'${wanted}' matches several readers, be more precise: ${listing(readers, matches)}`);
}
