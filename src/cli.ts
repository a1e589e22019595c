#!/usr/bin/env bun
/**
 * webcard's entry point: the only place that wires every layer together.
 * Command definitions are cheap; each action imports its implementation on
 * demand, so `--help` and `--version` load neither PC/SC nor the web server.
 */
import { cac } from "cac";
import { VERSION } from "./cli/version.ts";
import { EXIT } from "./cli/context.ts";
import { errorLine } from "./stack/errors.ts";
import { registerCommands } from "./cli/register.ts";
import { helpWithUsedGlobals } from "./cli/options.ts";
import { giveBackLoadFile, longNames, protectValues, restoreParsed } from "./cli/argv.ts";

const cli = cac("webcard");

cli
  .option("--trace", "Show every APDU (and link session) on stderr")
  .option("--json", "Machine-readable output on stdout")
  .option("--quiet", "No progress bar or progress lines on stderr")
  .option("--debug", "Print stack traces on errors");

registerCommands(cli);

cli.option("-v, --version", "Display the version");
// Each command's --help lists the global options it uses only (cli/options.ts).
cli.help((sections) => helpWithUsedGlobals(sections, cli.matchedCommand));
// The help header ("webcard/0.1.0") without cac's own --version, which adds runtime details.
cli.globalCommand.versionNumber = VERSION;

/** A usage error points to the matched command's own --help, which lists its options. */
function usageError(message: string): never {
  const command = cli.matchedCommand?.name;
  process.stderr.write(`webcard: ${message} (see 'webcard ${command ? `${command} ` : ""}--help')\n`);
  process.exit(EXIT.USAGE);
}

try {
  // The one read of the command line: values stay strings as typed (see cli/argv.ts).
  const declared = [cli.globalCommand, ...cli.commands].flatMap((c) => c.options);
  const parsed = cli.parse(protectValues(process.argv, longNames(declared)), { run: false });
  restoreParsed(cli, [...cli.globalCommand.options, ...(cli.matchedCommand?.options ?? [])]);
  giveBackLoadFile(cli, cli.matchedCommand?.args.filter((a) => a.required).length ?? 0);
  if (parsed.options.version === true && !cli.matchedCommand) {
    process.stdout.write(`webcard ${VERSION}\n`);
    process.exit(EXIT.OK);
  }
  const wantsHelp = parsed.options.help === true;
  if (!cli.matchedCommand && !wantsHelp) {
    if (cli.args.length > 0) usageError(`unknown command '${cli.args[0]}'`);
    cli.outputHelp();
    process.exit(EXIT.OK);
  }
  if (!wantsHelp) await cli.runMatchedCommand();
} catch (error) {
  if (error instanceof Error && error.name === "CACError") usageError(errorLine(error));
  process.stderr.write(`webcard: ${errorLine(error)}\n`);
  process.exit(EXIT.FAILURE);
}
