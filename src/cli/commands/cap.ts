/** `webcard cap FILE`: read the file, parse it in the stack, print the facts. */
import type { Context } from "../context.ts";
import { readLoadFile } from "../load-file.ts";
import { toHex } from "../../stack/bytes.ts";
import type { CapFile } from "../../stack/cap/load-file.ts";
import { packageNameOf } from "../../stack/cap/javacard-api.ts";

/** The facts of a load file as JSON (hex strings: AIDs uppercase, digests lowercase). */
function capJson(cap: CapFile, file: string): Record<string, unknown> {
  const version = `${cap.packageVersion.major}.${cap.packageVersion.minor}`;
  return {
    file,
    container: cap.container,
    format: cap.formatVersion,
    layout: cap.extended ? "extended" : "compact",
    // The AID the card loads the file under: the package's, or the CAP file's in the extended format.
    loadFileAid: toHex(cap.packageAid),
    cap: cap.extended ? { aid: toHex(cap.packageAid), version, methodBlocks: cap.methodBlocks } : null,
    package: cap.extended ? null : { aid: toHex(cap.packageAid), name: cap.packageName ?? null, version },
    packages: cap.packages.map((p) => ({
      aid: toHex(p.aid),
      name: (cap.extended ? p.name : cap.packageName) ?? null,
      version: `${p.version.major}.${p.version.minor}`,
    })),
    applets: cap.applets.map((a) => ({
      aid: toHex(a.aid),
      className: a.className ?? null,
      ...(cap.extended ? { installMethodBlock: a.installMethodBlock } : {}),
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
  const version = `v${cap.packageVersion.major}.${cap.packageVersion.minor}`;
  if (cap.extended) {
    rows.push(["CAP AID", `${toHex(cap.packageAid)}  ${version}  (extended: ${cap.packages.length} package${cap.packages.length > 1 ? "s" : ""}, ${cap.methodBlocks} method block${cap.methodBlocks > 1 ? "s" : ""})`]);
    cap.packages.forEach((p, i) => {
      const text = [toHex(p.aid), `v${p.version.major}.${p.version.minor}`, p.name ?? ""].filter(Boolean).join("  ");
      rows.push([i === 0 ? "Packages" : "", text]);
    });
  } else rows.push(["Package", [toHex(cap.packageAid), version, cap.packageName ?? ""].filter(Boolean).join("  ")]);
  rows.push(["CAP format", `${cap.formatVersion}${cap.extended ? " extended" : ""}${cap.container === "ijc" ? " (IJC)" : ""}`]);
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

