import { test, expect } from "bun:test";
import { CI, pcscUsable, pcscMissing, ensurePcscd, claimReader, vpcdPortOf } from "./harness/pcscd.ts";

// In CI a missing pcscd is a failure, not a skip; elsewhere the check shows as skipped.
test.if(CI || pcscUsable)("PC/SC is usable (pcscd, libpcsclite, vpcd)", () => {
  expect(pcscMissing).toBeUndefined();
});

test("vpcd reader names map to ports", () => {
  expect(vpcdPortOf("Virtual PCD 00 00")).toBe(35963);
  expect(vpcdPortOf("Virtual PCD 00 01")).toBe(35964);
  expect(vpcdPortOf("Virtual PCD 35974 00 01")).toBe(35975);
  expect(vpcdPortOf("ACS ACR39U 00 00")).toBeUndefined();
});

test.if(pcscUsable)("pcscd runs with vpcd readers, and readers are claimed exclusively", async () => {
  const readers = await ensurePcscd();
  expect(readers.length).toBeGreaterThanOrEqual(2);
  const a = await claimReader();
  const b = await claimReader();
  expect(a.port).not.toBe(b.port);
  a.release();
  b.release();
});
