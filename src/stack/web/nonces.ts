/** One-time nonces of the loading page: issued by GET /loader, spent by the CGI script. */
import { toHex } from "../bytes.ts";

/** A small book of outstanding nonces; the oldest is forgotten past `max`. */
export class NonceBook {
  private readonly outstanding: string[] = [];
  constructor(private readonly max = 8, private readonly random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))) {}

  /** A fresh 16-byte nonce as hex. */
  issue(): string {
    const nonce = toHex(this.random(16));
    this.outstanding.push(nonce);
    if (this.outstanding.length > this.max) this.outstanding.shift();
    return nonce;
  }

  /** True, once, for a nonce this book issued. */
  spend(nonce: string | undefined): boolean {
    if (!nonce) return false;
    const i = this.outstanding.indexOf(nonce.toUpperCase());
    if (i < 0) return false;
    this.outstanding.splice(i, 1);
    return true;
  }

  /** Forget every nonce (power-off, re-SELECT). */
  clear(): void {
    this.outstanding.length = 0;
  }
}
