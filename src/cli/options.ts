/**
 * The options several commands share, declared once: where the card is
 * (`--reader`, `--timeout`, `--sim`), how to authenticate (`--key`, `--scp`,
 * `--mode`, ...), and the typed flags each command receives. After the
 * pre-pass of argv.ts every value is a string as typed (a repeatable option a
 * list of them), so the flags say exactly that. What the values mean is
 * decided in option-values.ts, which the implementations import; this file
 * stays light so that `--help` loads nothing else.
 */
import type { Command } from "cac";

/** The global flags every action receives. */
export interface GlobalFlags {
  json?: boolean;
  quiet?: boolean;
  trace?: boolean;
  debug?: boolean;
}

/** A card through a PC/SC reader. */
export interface ReaderFlags extends GlobalFlags {
  reader?: string;
  timeout?: string;
}

/** A reader, or with `--sim [STATE]` an in-process simulated card (true: the default state). */
export interface TargetFlags extends ReaderFlags {
  sim?: string | true;
  /** With --sim: the Java Card release the simulated card runs. */
  javaCard?: string;
  /** Work on this logical channel (1-19): MANAGE CHANNEL opens it first and closes it at the end. */
  channel?: string;
  /** With --sim: the card profile (docs/profiles.md). */
  profile?: string;
}

/** How to open a secure channel to the security domain. */
export interface KeyFlags extends TargetFlags {
  key?: string;
  kdf?: string;
  scp?: string;
  mode?: string;
  keyVersion?: string;
  isd?: string;
  /** The security domain to open the secure channel with (same as --isd). */
  sd?: string;
  /** SCP11a/c: SK.OCE.ECKA (PEM) and the OCE certificate chain files. */
  oceKey?: string;
  oceCert?: string[];
  /** SCP11: the CA key (PEM) the card's certificate must chain to. */
  caKey?: string;
  /** SCP11: S16 mode (16-byte MACs) instead of S8. */
  s16?: boolean;
}

/** The commands that send LOAD: keyOptions and `--block-size` (loadOptions). */
export interface LoadBlockFlags extends KeyFlags {
  blockSize?: string;
}

/**
 * The global options (src/cli.ts) only some commands use: --trace where
 * APDUs go to a card, --quiet where a LOAD progress bar shows. --json and
 * --debug serve every command. A command's --help leaves out the ones it
 * does not use (helpWithUsedGlobals).
 */
export type SometimesGlobal = "trace" | "quiet";
const globalsUsed = new WeakMap<Command, Set<SometimesGlobal>>();

/** Say that `cmd` uses these global options, so its --help lists them. */
export function usesGlobals(cmd: Command, ...names: SometimesGlobal[]): Command {
  const used = globalsUsed.get(cmd) ?? new Set();
  for (const name of names) used.add(name);
  globalsUsed.set(cmd, used);
  return cmd;
}

/** The sometimes-global options `cmd` uses. */
export function globalsUsedBy(cmd: Command): ReadonlySet<SometimesGlobal> {
  return globalsUsed.get(cmd) ?? new Set();
}

/** cac's help sections for `cmd` without the lines of global options it does not use (cac lists every global option). */
export function helpWithUsedGlobals<S extends { title?: string; body: string }>(sections: S[], cmd: Command | undefined): S[] {
  if (!cmd) return sections;
  const unused = (["trace", "quiet"] as const).filter((n) => !globalsUsedBy(cmd).has(n));
  const drop = new RegExp(`^\\s+--(?:${unused.join("|")})\\s`);
  return sections.map((s) => (s.title === "Options" && unused.length ? { ...s, body: s.body.split("\n").filter((l) => !drop.test(l)).join("\n") } : s));
}

/** Repeatable options come as a list (see argv.ts). */
export const REPEATABLE = { type: [String] };

/** Add `-r, --reader` and `--timeout` to a command (reader choice of src/host/pcsc). */
export function readerOptions(cmd: Command): Command {
  return cmd
    .option("-r, --reader <reader>", "Reader by exact name, part of its name or number (1 = first); default: $WEBCARD_READER, else the only reader holding a card")
    .option("--timeout <seconds>", "Give up on a card that does not answer a command within this many seconds (default 30)");
}

/** The reader options and `--sim [state]`: where the card is. */
export function targetOptions(cmd: Command, sim = "Use an in-process simulated card instead of a reader (state file; default: the sim's default state)"): Command {
  return readerOptions(usesGlobals(cmd, "trace"))
    .option("--sim [state]", sim)
    .option("--java-card <version>", `With --sim: ${JAVA_CARD_HELP}`)
    .option("--channel <n>", "Work on logical channel N (1-19): MANAGE CHANNEL opens it, every command (secure channel included) goes with its class byte, and it is closed at the end")
    .option("--profile <name|file>", "With --sim: a new simulated card behaves as this real card (webcard sim --profiles); an existing state keeps its own");
}

/** The Java Card releases of the simulated card, for --help (the list is javacard-api.ts's JAVA_CARD_VERSIONS). */
export const JAVA_CARD_HELP =
  "Java Card release the simulated card runs, with that release's API packages and CAP formats: 2.1.1, 2.2.1, 2.2.2, 3.0.1, 3.0.4, 3.0.5, 3.1 or 3.2 (default 3.0.5)";

/** `--key`, `--kdf`, `--scp`, `--mode`: the secure channel, for commands that authenticate (fetch --auth among them). */
export function channelOptions(cmd: Command): Command {
  return cmd
    .option("--key <hex>", "Static key for ENC, MAC and DEK (hex) or 'default' (404142..4F), optionally as emv:KEY, visa2:KEY or kdf3:KEY; env WEBCARD_KEY, or GP_KEY (with GP_KEY_KDF, GP_KEY_VER, GP_KEY_ENC/_MAC/_DEK)")
    .option("--kdf <name>", "Key diversification: none, emv, visa2 or kdf3 (default: the one the card's cryptogram matches; asked only when several would)")
    .option("--scp <version>", "Secure channel protocol 02, 03, 11a, 11b or 11c (default: SCP02/03, what the card offers)")
    .option("--mode <level>", "Security level: clear, mac (C-MAC), enc (+ encryption), rmac (enc + R-MAC) or renc (rmac + R-ENC, SCP03) (default mac); SCP11: mac (C-MAC, R-MAC) or enc (all four)")
    .option("--oce-key <file>", "SCP11a/c: the OCE's private key, PEM (env WEBCARD_OCE_KEY)")
    .option("--oce-cert <file>", "SCP11a/c: the OCE certificate (GP format), repeat for a chain, CA side first (env WEBCARD_OCE_CERT)", REPEATABLE)
    .option("--ca-key <file>", "SCP11: the CA public (or private) key, PEM, the card's certificate must chain to (env WEBCARD_CA_KEY); without it the card is not verified")
    .option("--s16", "SCP11: S16 mode (16-byte MACs), as the card's SCP11 keys are set up (default S8, 8-byte MACs)");
}

/** Where the card is, keys and secure channel, ISD: every command that manages card content. */
export function keyOptions(cmd: Command): Command {
  return channelOptions(targetOptions(cmd))
    .option("--key-version <n>", "Key set version to use (default 0 = the card's choice)")
    .option("--isd <aid>", "AID of the security domain (default: discovered)")
    .option("--sd <aid>", "Open the secure channel with this security domain, for example a supplementary one (same as --isd)");
}

/** keyOptions and the LOAD block size: only the commands that send LOAD offer it. */
export function loadOptions(cmd: Command): Command {
  return keyOptions(usesGlobals(cmd, "quiet")).option(
    "--block-size <n>",
    "LOAD block size in bytes (default: from the card, 247 with MAC, 239 with encryption; over 255 needs extended-length APDUs)",
  );
}
