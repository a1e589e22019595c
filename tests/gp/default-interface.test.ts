/**
 * `install --default contact|contactless|both` (GP amendment C: the Implicit
 * Selection Parameter CF in the install parameters' EF; GP 2.3.1 6.6.1 card
 * reset privilege on the contact side): GET STATUS reports CF (list shows
 * it), the contact default is what the card selects at power-on, one
 * application per interface, and a second one is refused in one line.
 */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { tempTrees } from "../harness/temp-tree.ts";
import { webcard } from "../harness/cli.ts";
import { FIXTURE_DIR } from "../card/fixtures.ts";
import { fromHex, toHex } from "../../src/stack/bytes.ts";
import { implicitSelectionOf, withImplicitSelection } from "../../src/stack/gp/implicit-selection.ts";

const trees = tempTrees("webcard-default-if-");
afterAll(() => trees.remove());
const dir = trees.tree({});
const CAP = join(FIXTURE_DIR, "kaoh_helloworld.cap");
const APPLET = "D0D1D2D3D4D50101";

const ok = (args: string[]) => {
  const r = webcard([...args, "--json"]);
  expect({ args: args.join(" "), stderr: r.stderr, code: r.code }).toEqual({ args: args.join(" "), stderr: "", code: 0 });
  return JSON.parse(r.stdout);
};
const app = (sim: string[], aid: string) => (ok(["list", ...sim]).apps as { aid: string; defaultOn?: string[]; privileges: string[] }[]).find((a) => a.aid === aid);

test("the install parameter field gets EF { CF 01 xx }, beside C9 or inside an EF already there", () => {
  expect(toHex(withImplicitSelection(undefined, 0x80))).toBe("C900EF03CF0180");
  expect(toHex(withImplicitSelection(fromHex("0102"), 0x40))).toBe("C9020102EF03CF0140");
  expect(toHex(withImplicitSelection(fromHex("C900EF04C8020100"), 0xc0))).toBe("C900EF07C8020100CF01C0");
  expect(implicitSelectionOf(fromHex("C900EF07C8020100CF01C0"))).toEqual([0xc0]);
});

test("contactless, contact and both: reported, selected at power-on on contact, one per interface", () => {
  const sim = ["--sim", join(dir, "card.sqlite")];
  ok(["install", CAP, "--via", "gp", "--default", "contactless", ...sim]);
  expect(app(sim, APPLET)).toMatchObject({ defaultOn: ["contactless"] });
  // Contactless only: the contact side (this card's) still selects the ISD at power-on.
  expect(webcard(["apdu", ...sim, "00A4040000"]).stdout).toContain("A000000151000000");
  // A second contactless default is refused in one line; the card is as it was.
  const second = webcard(["install", CAP, "--via", "gp", "--instance", "D0D1D2D3D4D50102", "--default", "contactless", ...sim]);
  expect({ code: second.code, lines: second.stderr.trim().split("\n").length }).toEqual({ code: 1, lines: 1 });
  expect(second.stderr).toContain(`Application ${APPLET} is already the default selected one there (6985)`);
  expect(app(sim, "D0D1D2D3D4D50102")).toBeUndefined();
  // The contact default: card reset privilege and CF 40; the card selects it at power-on (SELECT with no AID).
  ok(["install", CAP, "--via", "gp", "--instance", "D0D1D2D3D4D50103", "--default", "contact", ...sim]);
  expect(app(sim, "D0D1D2D3D4D50103")).toMatchObject({ defaultOn: ["contact"], privileges: ["card-reset"] });
  expect(webcard(["apdu", ...sim, "00A4040000"]).stdout).not.toContain("A000000151000000");
  const both = webcard(["install", CAP, "--via", "gp", "--instance", "D0D1D2D3D4D50104", "--default", "both", ...sim]);
  expect({ code: both.code, lines: both.stderr.trim().split("\n").length }).toEqual({ code: 1, lines: 1 });
  const bad = webcard(["install", CAP, "--default", "sideways", ...sim]);
  expect({ code: bad.code, stderr: bad.stderr }).toEqual({ code: 2, stderr: "webcard: --default 'sideways': give contact, contactless or both (or --default alone for the card reset privilege)\n" });
}, 120_000);
