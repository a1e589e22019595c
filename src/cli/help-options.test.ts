/**
 * Every option a command's --help offers is one its action reads (issue 12:
 * "options that a command ignores are not offered in its help").
 *
 * Static, at function level: each action names its implementation
 * (`const { listCommand } = await import("../commands/list.ts")`); from that
 * function the test follows calls to the other functions of src/cli/ and
 * collects every `flags.NAME` (or `given.NAME`) they read; a call is
 * followed to a function of the same module or one the module imports. A declared option
 * missing from that set is one the command ignores. Running the actions
 * instead would start servers (sim, ui, station) and take only one path
 * through each command.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { cac, type Command } from "cac";
import { registerCommands } from "./register.ts";
import { flagName } from "./argv.ts";
import { globalsUsedBy } from "./options.ts";
import { webcard } from "../../tests/harness/cli.ts";

const CLI_DIR = import.meta.dir;
/** The global options (src/cli.ts): which a command lists is checked below. */
const GLOBAL = new Set(["trace", "json", "quiet", "debug", "help", "version"]);

interface Fn {
  file: string;
  body: string;
}

interface Module {
  functions: Map<string, Fn>;
  /** Local name -> the module and name it is imported from (static or `await import`). */
  imports: Map<string, { file: string; name: string }>;
}

/** The top-level functions and the imports of each module of src/cli/ (declare/ and tests aside). */
function modulesOfCli(): Map<string, Module> {
  const files = [
    ...readdirSync(CLI_DIR).map((f) => join(CLI_DIR, f)),
    ...readdirSync(join(CLI_DIR, "commands")).map((f) => join(CLI_DIR, "commands", f)),
  ].filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  const modules = new Map<string, Module>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const functions = new Map<string, Fn>();
    for (const m of text.matchAll(/^(?:export )?(?:async )?function (\w+)[\s\S]*?^}/gm)) functions.set(m[1]!, { file, body: m[0] });
    const imports = new Map<string, { file: string; name: string }>();
    for (const m of text.matchAll(/(?:import|const)\s*\{([^}]*)\}\s*(?:from|=\s*await import\()\s*["'](\.[^"']+)["']/g)) {
      for (const spec of m[1]!.split(",")) {
        const [name, local] = spec.replace(/^\s*type\s+/, "").trim().split(/\s+as\s+/);
        if (name) imports.set(local ?? name, { file: join(dirname(file), m[2]!), name });
      }
    }
    modules.set(file, { functions, imports });
  }
  return modules;
}

/**
 * The option names read by `name` of `file` and every src/cli/ function it
 * calls: one defined in the caller's module or imported by it.
 */
function readsFrom(modules: Map<string, Module>, name: string, file: string): Set<string> {
  const reads = new Set<string>();
  const seen = new Set<Fn>();
  const visit = (fn: Fn | undefined): void => {
    if (!fn || seen.has(fn)) return;
    seen.add(fn);
    for (const m of fn.body.matchAll(/\b(?:flags|given)\??\.(\w+)/g)) reads.add(m[1]!);
    for (const m of fn.body.matchAll(/\bctx\.(json|printJson|trace|interactive|debug)\b/g)) reads.add(`ctx.${m[1]}`);
    const module = modules.get(fn.file)!;
    // A call, not a method: `name(` or `...name(`, never `x.name(`.
    for (const m of fn.body.matchAll(/(?<![\w$]|[^.]\.)(\w+)\(/g)) {
      const local = module.functions.get(m[1]!);
      const imported = module.imports.get(m[1]!);
      visit(local ?? (imported && modules.get(imported.file)?.functions.get(imported.name)));
    }
  };
  visit(modules.get(file)?.functions.get(name));
  return reads;
}

/** What the action of `command` reads: from the implementation it imports (`const { listCommand } = await import(...)`). */
function readsOfAction(command: Command): Set<string> {
  const entry = /\{\s*(\w+)\s*\}\s*=\s*await import\(["']\.\.\/commands\/([\w-]+)\.ts["']\)/.exec(String(command.commandAction));
  expect(entry, `${command.name}: the action imports its implementation from commands/`).not.toBeNull();
  const reads = readsFrom(modules, entry![1]!, join(CLI_DIR, "commands", `${entry![2]}.ts`));
  expect(reads.size, `${entry![1]} found in commands/${entry![2]}.ts`).toBeGreaterThan(0);
  return reads;
}

const cli = cac("webcard");
registerCommands(cli);
const modules = modulesOfCli();

describe("--help offers only the options a command reads", () => {
  test.each(cli.commands.map((c) => [c.name, c] as const))("%s", (_name, command) => {
    const reads = readsOfAction(command);
    const ignored = command.options.map((o) => flagName(o.name)).filter((n) => !GLOBAL.has(n) && !reads.has(n));
    expect(ignored).toEqual([]);
  });

  // --trace and --quiet only where the command reads ctx.trace or ctx.interactive; --json everywhere.
  test.each(cli.commands.map((c) => [c.name, c] as const))("%s: the global options it lists", (_name, command) => {
    const reads = readsOfAction(command);
    const used = globalsUsedBy(command);
    expect({ trace: used.has("trace"), quiet: used.has("quiet"), json: true }).toEqual({
      trace: reads.has("ctx.trace"),
      quiet: reads.has("ctx.interactive"),
      json: reads.has("ctx.json") || reads.has("ctx.printJson"),
    });
  });

  test("help shows it: cap lists neither --trace nor --quiet, install both", () => {
    const options = (args: string[]) => webcard(args).stdout.split("Options:")[1] ?? "";
    expect(options(["cap", "--help"])).not.toMatch(/--trace\s|--quiet\s/);
    expect(options(["cap", "--help"])).toContain("--json");
    expect(options(["install", "--help"])).toMatch(/--trace\s[\s\S]*--quiet\s/);
  });

  test("the scan sees a read through a helper (list reads --reader via withSession)", () => {
    const reads = readsFrom(modules, "listCommand", join(CLI_DIR, "commands", "list.ts"));
    expect(reads.has("reader")).toBe(true);
    expect(reads.has("all")).toBe(true);
    expect(reads.has("newKey")).toBe(false);
    // --block-size is read on the LOAD path only, so a list that offered it would fail above.
    expect(reads.has("blockSize")).toBe(false);
    expect(readsFrom(modules, "loadCommand", join(CLI_DIR, "commands", "load.ts")).has("blockSize")).toBe(true);
  });
});
