/** `webcard cap FILE`: read the file, parse it in the stack, print the facts. */
import type { Context } from "../context.ts";
import { readLoadFile } from "../load-file.ts";
import { toHex } from "../../stack/bytes.ts";
import type { CapFile } from "../../stack/cap/load-file.ts";
import { packageNameOf } from "../../stack/cap/javacard-api.ts";

/** The facts of a load file as JSON (hex strings: AIDs uppercase, digests lowercase). */
function capJson(cap: CapFile, file: string): Record<string, unknown> {
  return {
    file,
    container: cap.container,
    format: cap.formatVersion,
    package: {
      aid: toHex(cap.packageAid),
      name: cap.packageName ?? null,
      version: `${cap.packageVersion.major}.${cap.packageVersion.minor}`,
    },
    applets: cap.applets.map((a) => ({
      aid: toHex(a.aid),
      className: a.className ?? null,
      installMethodOffset: a.installMethodOffset,
    })),
    imports: cap.imports.map((i) => ({
      aid: toHex(i.aid),
      name: packageNameOf(toHex(i.aid)) ?? null,
      version: `${i.major}.${i.minor}`,
    })),
    components: Object.fromEntries([...cap.components].map(([name, bytes]) => [name, bytes.length])),
    lfdb: {
      size: cap.lfdb.length,
      sha256: toHex(cap.lfdbHash("sha256")).toLowerCase(),
      sha1: toHex(cap.lfdbHash("sha1")).toLowerCase(),
    },
  };
}

/** The human form: a short block of aligned lines. */
function capLines(cap: CapFile): string[] {
  const rows: [string, string][] = [];
  const pkg = [toHex(cap.packageAid), `v${cap.packageVersion.major}.${cap.packageVersion.minor}`, cap.packageName ?? ""];
  rows.push(["Package", pkg.filter(Boolean).join("  ")]);
  rows.push(["CAP format", `${cap.formatVersion}${cap.container === "ijc" ? " (IJC)" : ""}`]);
  if (cap.applets.length === 0) rows.push(["Applets", "none (library package)"]);
  cap.applets.forEach((a, i) => rows.push([i === 0 ? "Applets" : "", [toHex(a.aid), a.className ?? ""].filter(Boolean).join("  ")]));
  const width = Math.max(0, ...cap.imports.map((i) => toHex(i.aid).length));
  cap.imports.forEach((imp, i) => {
    const aid = toHex(imp.aid);
    const text = `${aid.padEnd(width)}  ${imp.major}.${imp.minor}  ${packageNameOf(aid) ?? ""}`.trimEnd();
    rows.push([i === 0 ? "Imports" : "", text]);
  });
  rows.push(["Load size", `${cap.lfdb.length} bytes (Load File Data Block)`]);
  rows.push(["SHA-256", toHex(cap.lfdbHash("sha256")).toLowerCase()]);
  rows.push(["SHA-1", toHex(cap.lfdbHash("sha1")).toLowerCase()]);
  const label = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(label)}  ${v}`);
}

export async function capCommand(ctx: Context, file: string): Promise<void> {
  const cap = readLoadFile(file);
  if (ctx.json) ctx.printJson(capJson(cap, file));
  else for (const line of capLines(cap)) ctx.out(line);
}

