import { expect, test } from "bun:test";
import { bundleClient, clientScript } from "./client.ts";

test("the dashboard's script is src/web/client bundled into one classic script, without modules", async () => {
  const js = await bundleClient();
  expect(() => new Function(js)).not.toThrow(); // parses as a classic script (served with <script defer>, not type=module)
  expect(js).not.toMatch(/^\s*(import|export)\s/m);
  for (const part of ['meta[name="csrf-token"]', "/api/events", "X-CSRF-Token", "#install-form", "#card-web-frame"]) expect(js).toContain(part);
});

test("from source it is bundled once and served the same every time", async () => {
  const first = clientScript();
  expect(clientScript()).toBe(first);
  expect(await first).toBe(await bundleClient());
});
