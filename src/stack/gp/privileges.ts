/**
 * Privileges (GP 2.3.1 section 6.6.1, table 6-1 and 11-7) by name, in both
 * directions. A privilege set is a 24-bit number: byte 1 in bits 23-16,
 * byte 2 in 15-8, byte 3 in 7-0. Names are kebab-case; GlobalPlatformPro's
 * CamelCase names ("SecurityDomain", "CardReset") are accepted too, since
 * matching ignores case, dashes and underscores.
 */
import { FormatError } from "../errors.ts";
import { PRIV1, PRIV2 } from "./constants.ts";

/** Privilege bits of byte 3 (GP 2.2 and later, table 6-1). */
const PRIV3 = {
  RECEIPT_GENERATION: 0x80,
  CIPHERED_LOAD_FILE_DATA_BLOCK: 0x40,
  CONTACTLESS_ACTIVATION: 0x20,
  CONTACTLESS_SELF_ACTIVATION: 0x10,
} as const;

interface PrivilegeDef {
  readonly name: string;
  /** The bits it sets, in the 24-bit form (DAP verification sets the security domain bit too). */
  readonly bits: number;
  readonly aliases?: readonly string[];
}

const b1 = (v: number) => v << 16;
const b2 = (v: number) => v << 8;

/** Every named privilege, in table order. */
export const PRIVILEGES: readonly PrivilegeDef[] = [
  { name: "security-domain", bits: b1(PRIV1.SECURITY_DOMAIN), aliases: ["sd"] },
  { name: "dap-verification", bits: b1(PRIV1.DAP_VERIFICATION) },
  { name: "delegated-management", bits: b1(PRIV1.DELEGATED_MANAGEMENT) },
  { name: "card-lock", bits: b1(PRIV1.CARD_LOCK) },
  { name: "card-terminate", bits: b1(PRIV1.CARD_TERMINATE) },
  // Card reset is what makes an application the default selected one (GP 6.6.1).
  { name: "card-reset", bits: b1(PRIV1.CARD_RESET), aliases: ["default-selected", "default"] },
  { name: "cvm-management", bits: b1(PRIV1.CVM_MANAGEMENT), aliases: ["pin-change"] },
  { name: "mandated-dap-verification", bits: b1(PRIV1.MANDATED_DAP), aliases: ["mandated-dap"] },
  { name: "trusted-path", bits: b2(PRIV2.TRUSTED_PATH) },
  { name: "authorized-management", bits: b2(PRIV2.AUTHORIZED_MANAGEMENT) },
  { name: "token-verification", bits: b2(PRIV2.TOKEN_VERIFICATION), aliases: ["token-verify"] },
  { name: "global-delete", bits: b2(PRIV2.GLOBAL_DELETE) },
  { name: "global-lock", bits: b2(PRIV2.GLOBAL_LOCK) },
  { name: "global-registry", bits: b2(PRIV2.GLOBAL_REGISTRY) },
  { name: "final-application", bits: b2(PRIV2.FINAL_APPLICATION) },
  { name: "global-service", bits: b2(PRIV2.GLOBAL_SERVICE) },
  { name: "receipt-generation", bits: PRIV3.RECEIPT_GENERATION },
  { name: "ciphered-load-file-data-block", bits: PRIV3.CIPHERED_LOAD_FILE_DATA_BLOCK },
  { name: "contactless-activation", bits: PRIV3.CONTACTLESS_ACTIVATION },
  { name: "contactless-self-activation", bits: PRIV3.CONTACTLESS_SELF_ACTIVATION },
];

const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, "");

const BY_NAME: ReadonlyMap<string, PrivilegeDef> = new Map(
  PRIVILEGES.flatMap((p) => [p.name, ...(p.aliases ?? [])].map((n) => [squash(n), p] as const)),
);

/** The bits of one privilege name, or undefined when unknown. */
function privilegeBits(name: string): number | undefined {
  return BY_NAME.get(squash(name))?.bits;
}

/**
 * Parse a comma-separated list of privilege names ("security-domain,card-reset",
 * "SecurityDomain,CardReset") or hex bytes ("04", "800000") into a 24-bit set.
 */
export function parsePrivileges(list: string): number {
  const text = list.trim();
  if (/^(0x)?([0-9a-f]{2}|[0-9a-f]{6})$/i.test(text)) {
    const hex = text.replace(/^0x/i, "");
    const v = Number.parseInt(hex, 16);
    return hex.length === 2 ? v << 16 : v;
  }
  if (/^(0x)?[0-9a-f]+$/i.test(text) && privilegeBits(text) === undefined) {
    // GP 11.1.2: privileges are one byte, or three (GP 2.2 and later).
    throw new FormatError(`Privileges '${text}' in hex are 1 or 3 bytes (2 or 6 hex digits), such as 04 or 800000`);
  }
  let bits = 0;
  for (const part of text.split(",")) {
    const name = part.trim();
    if (name === "") continue;
    const found = privilegeBits(name);
    if (found === undefined) {
      throw new FormatError(
        `Unknown privilege '${name}': use names such as ${PRIVILEGES.slice(0, 7)
          .map((p) => p.name)
          .join(", ")} (or hex)`,
      );
    }
    bits |= found;
  }
  return bits;
}

/** Encode a privilege set for INSTALL: one byte when bytes 2 and 3 are zero, else three (GP 11.5.2.3.2). */
export function encodePrivileges(bits: number): Uint8Array {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffff) throw new RangeError(`Privileges out of range: ${bits}`);
  if ((bits & 0xffff) === 0) return Uint8Array.of(bits >> 16);
  return Uint8Array.of(bits >> 16, (bits >> 8) & 0xff, bits & 0xff);
}

/** Decode 1 or 3 privilege bytes (tag C5 or the legacy one-byte field) into a 24-bit set. */
export function decodePrivileges(bytes: Uint8Array): number {
  return ((bytes[0] ?? 0) << 16) | ((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0);
}

/** The names of the privileges set in `bits`, in table order. */
export function privilegeNames(bits: number): string[] {
  return PRIVILEGES.filter((p) => (bits & p.bits) === p.bits).map((p) => p.name);
}
