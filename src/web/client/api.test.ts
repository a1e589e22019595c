import { describe, expect, test } from "bun:test";
import { toResult } from "./api.ts";

describe("answers of the dashboard as the page handles them", () => {
  test("a JSON answer passes as it is, ok or not", () => {
    expect(toResult<{ message: string }>(200, "OK", { ok: true, message: "Locked A000" }, true)).toEqual({ ok: true, message: "Locked A000" });
    expect(toResult(409, "Conflict", { ok: false, error: "busy" }, true)).toEqual({ ok: false, error: "busy" });
  });

  test("an HTTP error without ok: false becomes one, with its error or its status", () => {
    expect(toResult(500, "Internal Server Error", { error: "boom" }, true)).toEqual({ ok: false, error: "boom" });
    expect(toResult(502, "Bad Gateway", {}, true)).toEqual({ ok: false, error: "HTTP 502" });
  });

  test("a body that is not JSON says what the dashboard answered", () => {
    expect(toResult(413, "Payload Too Large", undefined, false)).toEqual({ ok: false, error: "The dashboard answered 413 Payload Too Large" });
    expect(toResult(200, "OK", 42, true)).toEqual({ ok: false, error: "The dashboard answered 200 OK" });
  });
});
