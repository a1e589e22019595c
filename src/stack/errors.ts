/**
 * The error family. Library code throws these; only the CLI and the web layer
 * turn them into text, both with errorLine. Bugs use the built-in RangeError /
 * TypeError instead.
 */
import { describeSw, swHex } from "./status-words.ts";
import { toHex } from "./hex.ts";

/** Base of every error a user may see. `hint` says what to do about it. */
export class WebcardError extends Error {
  override name = "WebcardError";
  readonly hint: string | undefined;
  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options?.hint;
  }
}

/** The one line a user sees for an error: the message, and the hint in parentheses. */
export function errorLine(error: unknown): string {
  if (error instanceof WebcardError) return error.hint ? `${error.message} (${error.hint})` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Malformed input: bad hex, truncated TLV, a CAP that does not parse. Carries the bad bytes. */
export class FormatError extends WebcardError {
  override name = "FormatError";
  readonly bytes: string | undefined;
  constructor(message: string, bytes?: Uint8Array, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.bytes = bytes === undefined ? undefined : toHex(bytes.subarray(0, 64));
  }
}

/** A card answered an unexpected status word to `operation`. */
export class SwError extends WebcardError {
  override name = "SwError";
  readonly operation: string;
  readonly sw: number;
  constructor(operation: string, sw: number, options?: { cause?: unknown; hint?: string; detail?: string }) {
    const detail = options?.detail ? `: ${options.detail}` : "";
    super(`${operation} failed with ${describeSw(sw)}${detail}`, options);
    this.operation = operation;
    this.sw = sw;
  }
  /** The SW as four uppercase hex digits. */
  get swHex(): string {
    return swHex(this.sw);
  }
}

/** The path to the card failed: timeout, card removed, reader gone, protocol error on the link. */
export class TransportError extends WebcardError {
  override name = "TransportError";
  readonly kind: "timeout" | "removed" | "reset" | "no-service" | "no-reader" | "protocol" | "closed" | "busy" | "other";
  constructor(kind: TransportError["kind"], message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options);
    this.kind = kind;
  }
}

/** Secure channel failures: wrong cryptogram, bad MAC on a response. */
export class SecurityError extends WebcardError {
  override name = "SecurityError";
}

/** Bad usage by the caller (CLI exit code 2). */
export class UsageError extends WebcardError {
  override name = "UsageError";
}
