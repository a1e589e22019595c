/**
 * The install form's instance rows, checked before any APDU is sent:
 * AIDs of 5 to 16 bytes (ISO 7816-5), privileges by name or hex, parameters as hex.
 */
import { fromHex, isHex } from "../stack/bytes.ts";
import { aidFromText } from "../stack/aid.ts";
import { UsageError } from "../stack/errors.ts";
import { parsePrivileges } from "../stack/gp/privileges.ts";
import type { InstanceChoice } from "./deps.ts";

interface RawInstance {
  module?: unknown;
  instance?: unknown;
  privileges?: unknown;
  params?: unknown;
}

function aid(text: unknown, what: string): string {
  const t = String(text ?? "").replace(/\s/g, "").toUpperCase();
  if (aidFromText(t) === undefined) throw new UsageError(`The ${what} '${t}' is not an AID: enter 5 to 16 bytes in hex`);
  return t;
}

/** Parse the JSON list of instance rows sent by the install form. */
export function parseInstances(json: string | undefined): InstanceChoice[] {
  let rows: unknown;
  try {
    rows = JSON.parse(json ?? "[]");
  } catch (e) {
    throw new UsageError("The install form's applet list is not valid JSON: reload the page", { cause: e });
  }
  if (!Array.isArray(rows)) throw new UsageError("The install form's applet list is not a list: reload the page");
  return (rows as RawInstance[])
    .filter((r) => String(r.instance ?? "").trim() !== "")
    .map((r) => {
      const module = aid(r.module, "applet AID");
      const instance = aid(r.instance, "instance AID");
      const privText = String(r.privileges ?? "").trim();
      let privileges = 0;
      try {
        privileges = privText === "" || privText.toLowerCase() === "none" ? 0 : parsePrivileges(privText);
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e), { cause: e });
      }
      const paramText = String(r.params ?? "").replace(/\s/g, "");
      if (paramText !== "" && !isHex(paramText)) throw new UsageError(`The parameters of ${instance} are not hex: enter hex bytes or leave empty`);
      return { module, instance, privileges, params: paramText === "" ? new Uint8Array(0) : fromHex(paramText) };
    });
}
