/** What the technician's scenario must show (GP 2.3.1), shared by the in-process and the pcscd + vpcd runs. */
import { expect } from "bun:test";
import { ISD, SSD, SSD_PLAIN, type runScenario } from "./domain-scenario.ts";

export { ISD };
export const PKG = "D0D1D2D3D4D501";
const APPLET = "D0D1D2D3D4D50101";

/** What `list --json` must show after each step (GP 11.4.3: lifecycle, privileges, associated SD in CC). */
export const EXPECTED_STEPS = [
  {
    step: "ssd created",
    registry: {
      card: "secured",
      apps: [
        { aid: SSD, lifecycle: "selectable", privileges: ["security-domain", "dap-verification", "delegated-management"], domain: ISD },
        { aid: SSD_PLAIN, lifecycle: "selectable", privileges: ["security-domain"], domain: ISD },
      ],
      loadFiles: [],
    },
  },
  { step: "ssd keys put", apps: { [SSD]: "personalized" } },
  { step: "loaded into ssd", loadFiles: [{ aid: PKG, domain: SSD }] },
  { step: "installed in ssd", app: { aid: APPLET, lifecycle: "selectable", domain: SSD } },
  { step: "personalized", app: { aid: APPLET, lifecycle: "selectable", domain: SSD } },
  { step: "moved to isd", app: { aid: APPLET, lifecycle: "selectable", domain: ISD } },
  { step: "card locked", app: { aid: APPLET, lifecycle: "selectable", domain: ISD } },
  { step: "card unlocked", app: { aid: APPLET, lifecycle: "selectable", domain: ISD } },
  { step: "all deleted", registry: { card: "secured", apps: [], loadFiles: [] } },
] as const;

export const EXPECTED_REFUSALS = {
  "delete the key set in use": "6985",
  "load without token": "6982",
  "load with a bad token": "6982",
  "load with a bad DAP": "6982",
  "load without DAP": "6A80",
  "ssd reads the ISD entry": "6A88",
  "load through an SSD without DM": "6985",
  "install on a locked card": "6985",
  "terminate without --allow-terminate": "6985",
  "delete an SSD with content": "6985",
};

/** Check a scenario result against the expectations (shared with the pcscd + vpcd run). */
export function checkScenario(result: Awaited<ReturnType<typeof runScenario>>): void {
  expect(result.steps.map((s) => s.step)).toEqual(EXPECTED_STEPS.map((s) => s.step));
  expect(result.steps[0]!.registry).toEqual(JSON.parse(JSON.stringify(EXPECTED_STEPS[0].registry)));
  const at = (name: string) => result.steps.find((s) => s.step === name)!.registry;
  expect(at("ssd keys put").apps.find((a) => a.aid === SSD)!.lifecycle).toBe("personalized");
  expect(at("loaded into ssd").loadFiles).toEqual([{ aid: PKG, domain: SSD }]);
  for (const e of EXPECTED_STEPS) {
    if ("app" in e) expect({ step: e.step, app: at(e.step).apps.find((a) => a.aid === APPLET) }).toMatchObject({ step: e.step, app: e.app });
  }
  expect(at("all deleted")).toEqual({ card: "secured", apps: [], loadFiles: [] });
  expect(at("card locked").card).toBe("card-locked");
  expect(at("card unlocked").card).toBe("secured");
  expect(result.refusals).toEqual(EXPECTED_REFUSALS);
  expect(result.receipts).toEqual({ load: true, install: true, extradition: true, delete: true });
  expect(result.storedObject).toBe("450411223344" + "9000");
  // The SSD (no Global Registry) sees itself and its own content only.
  expect(result.ssdView.apps.sort()).toEqual([APPLET, SSD].sort());
  expect(result.ssdView.loadFiles).toEqual([PKG]);
}

