/**
 * Write a CAP file for a minimal applet package: the components of
 * `layoutComponents` at `<package path>/javacard/<Name>.cap` in a ZIP, with a
 * manifest naming the applets, as the Java Card converter lays them out
 * (JCVM 2.2.2 §6.1; the JAR manifest keys of the Java Card 2.2.2+ converter).
 */
import { zipSync } from "fflate";
import { toHex } from "../../bytes.ts";
import { layoutComponents } from "./components.ts";
import { normalize, type CapSpec } from "./spec.ts";

export type { CapSpec } from "./spec.ts";

/** Fixed ZIP timestamp, so the same spec always gives the same bytes. */
const MTIME = new Date("2020-01-01T00:00:00Z");

/** Order of the component files in the ZIP (the converter's order). */
const FILE_ORDER = ["Header", "Directory", "Applet", "Import", "ConstantPool", "Class", "Method", "StaticField", "RefLocation", "Export", "Descriptor"];

/** Build a CAP file (ZIP bytes) for `spec`: one class extending javacard.framework.Applet per applet. */
export function writeCap(spec: CapSpec): Uint8Array {
  const s = normalize(spec);
  const components = layoutComponents(s);
  const dir = `${s.packageName.replaceAll(".", "/")}/javacard/`;
  const files: Record<string, [Uint8Array, { mtime: Date }]> = {};
  files["META-INF/MANIFEST.MF"] = [new TextEncoder().encode(manifest(spec, s.format)), { mtime: MTIME }];
  for (const name of FILE_ORDER) {
    const c = components.get(name);
    if (c) files[`${dir}${name}.cap`] = [c, { mtime: MTIME }];
  }
  return zipSync(files, { level: 6, mtime: MTIME });
}

/** An AID as the converter's manifest writes it (0xa0:0x00:...). */
export function manifestAid(aid: Uint8Array): string {
  return [...toHex(aid).matchAll(/../g)].map((m) => `0x${m[0].toLowerCase()}`).join(":");
}

function manifest(spec: CapSpec, format: string): string {
  const version = spec.packageVersion ?? { major: 1, minor: 0 };
  const lines = [
    "Manifest-Version: 1.0",
    "Created-By: webcard CAP builder",
    "",
    `Name: ${spec.packageName.replaceAll(".", "/")}`,
    `Java-Card-CAP-File-Version: ${format}`,
    `Java-Card-Package-Version: ${version.major}.${version.minor}`,
    `Java-Card-Package-Name: ${spec.packageName}`,
    `Java-Card-Package-AID: ${manifestAid(spec.packageAid)}`,
  ];
  spec.applets.forEach((a, i) => {
    lines.push(`Java-Card-Applet-${i + 1}-Name: ${a.className}`, `Java-Card-Applet-${i + 1}-AID: ${manifestAid(a.aid)}`);
  });
  // Manifest lines are at most 72 bytes (JAR spec): a 16-byte AID in 0x..: form needs a continuation line.
  return lines.flatMap(wrap).join("\r\n") + "\r\n\r\n";
}

/** Manifest lines are at most 72 bytes (JAR spec): longer ones go on continuation lines. */
export function wrap(line: string): string[] {
  const out = [line.slice(0, 72)];
  for (let i = 72; i < line.length; i += 71) out.push(" " + line.slice(i, i + 71));
  return out;
}
