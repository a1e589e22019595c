/**
 * The JAR manifest a converter writes beside the components
 * (META-INF/MANIFEST.MF, Java Card 2.2.2+ converters). The components carry
 * no class names (the Descriptor holds tokens only, JCVM §6.13), so applet
 * class names come from here: Java-Card-Applet-<n>-AID / -Name.
 */
import { toHex } from "../bytes.ts";

/** Attributes of every section, later sections overriding earlier ones; continuation lines joined (JAR spec). */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let key: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.startsWith(" ") && key !== undefined) {
      out.set(key, out.get(key)! + line.slice(1));
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      key = undefined;
      continue;
    }
    key = line.slice(0, colon).trim();
    out.set(key, line.slice(colon + 1).trim());
  }
  return out;
}

/** Applet class names by applet AID (uppercase hex), from Java-Card-Applet-<n>-AID/-Name. */
export function appletNames(manifest: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of manifest) {
    const m = /^Java-Card-Applet-(\d+)-AID$/i.exec(key);
    if (!m) continue;
    const name = manifest.get(`Java-Card-Applet-${m[1]}-Name`);
    const aid = manifestAid(value);
    if (name && aid) out.set(aid, name);
  }
  return out;
}

/** "0xa0:0x00:..." (the manifest's AID form) to uppercase hex, or undefined. */
export function manifestAid(value: string): string | undefined {
  const parts = value.split(":").map((p) => p.trim().replace(/^0x/i, ""));
  if (parts.length === 0 || !parts.every((p) => /^[0-9a-f]{1,2}$/i.test(p))) return undefined;
  return toHex(Uint8Array.from(parts, (p) => Number.parseInt(p, 16)));
}
