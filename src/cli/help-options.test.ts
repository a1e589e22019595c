/**
 * Every option a command's --help offers is one its action reads (issue 12:
 * "options that a command ignores are not offered in its help").
 *
 * Static, at function level: each action names its implementation
 * (`const { listCommand } = await import("../commands/list.ts")`); from that
 * function the test follows calls to the other functions of src/cli/ and
 * collects every `flags.NAME` (or `given.NAME`) they read. A declared option
 * missing from that set is one the command ignores. Running the actions
 * instead would start servers (sim, ui, station) and take only one path
 * through each command.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cac } from "cac";
import { registerCommands } from "./register.ts";
import { flagName } from "./argv.ts";

const CLI_DIR = import.meta.dir;
/** The global options (src/cli.ts): read by `run` for every command. */
const GLOBAL = new Set(["trace", "json", "quiet", "debug", "help", "version"]);

interface Fn {
  file: string;
  body: string;
}

/** The top-level functions of src/cli/ (declare/ and tests aside), by name. */
function functionsOfCli(): Map<string, Fn[]> {
  const files = [
    ...readdirSync(CLI_DIR).map((f) => join(CLI_DIR, f)),
    ...readdirSync(join(CLI_DIR, "commands")).map((f) => join(CLI_DIR, "commands", f)),
  ].filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  const byName = new Map<string, Fn[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^(?:export )?(?:async )?function (\w+)[\s\S]*?^}/gm)) {
      const list = byName.get(m[1]!) ?? [];
      list.push({ file, body: m[0] });
      byName.set(m[1]!, list);
    }
  }
  return byName;
}

/** The option names read by `name` and every src/cli/ function it calls (same file first). */
function readsFrom(byName: Map<string, Fn[]>, name: string, file: string): Set<string> {
  const reads = new Set<string>();
  const seen = new Set<Fn>();
  const visit = (fn: Fn): void => {
    if (seen.has(fn)) return;
    seen.add(fn);
    for (const m of fn.body.matchAll(/\b(?:flags|given)\??\.(\w+)/g)) reads.add(m[1]!);
    for (const m of fn.body.matchAll(/\b(\w+)\(/g)) {
      const candidates = byName.get(m[1]!) ?? [];
      const local = candidates.filter((c) => c.file === fn.file);
      for (const c of local.length > 0 ? local : candidates) visit(c);
    }
  };
  const entry = (byName.get(name) ?? []).filter((f) => f.file === file);
  for (const fn of entry) visit(fn);
  return reads;
}

const cli = cac("webcard");
registerCommands(cli);
const byName = functionsOfCli();

describe("--help offers only the options a command reads", () => {
  test.each(cli.commands.map((c) => [c.name, c] as const))("%s", (_name, command) => {
    const source = String(command.commandAction);
    const entry = /\{\s*(\w+)\s*\}\s*=\s*await import\(["']\.\.\/commands\/([\w-]+)\.ts["']\)/.exec(source);
    expect(entry, "the action imports its implementation from commands/").not.toBeNull();
    const reads = readsFrom(byName, entry![1]!, join(CLI_DIR, "commands", `${entry![2]}.ts`));
    expect(reads.size + GLOBAL.size, `${entry![1]} found in commands/${entry![2]}.ts`).toBeGreaterThan(0);
    const ignored = command.options.map((o) => flagName(o.name)).filter((n) => !GLOBAL.has(n) && !reads.has(n));
    expect(ignored).toEqual([]);
  });

  test("the scan sees a read through a helper (list reads --reader via withSession)", () => {
    const reads = readsFrom(byName, "listCommand", join(CLI_DIR, "commands", "list.ts"));
    expect(reads.has("reader")).toBe(true);
    expect(reads.has("all")).toBe(true);
    expect(reads.has("newKey")).toBe(false);
    // --block-size is read on the LOAD path only, so a list that offered it would fail above.
    expect(reads.has("blockSize")).toBe(false);
    expect(readsFrom(byName, "loadCommand", join(CLI_DIR, "commands", "load.ts")).has("blockSize")).toBe(true);
  });
});
