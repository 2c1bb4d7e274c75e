import { defaultHmac } from "./hmac.js";

let compareKey: string | undefined;

/**
 * Compares two secrets without leaking, through timing, where they differ or how long the expected
 * one is: both are HMAC'd under a random per-process key and the digests compared in constant time
 * (the "double HMAC" pattern; Hono's bearer-auth hashes both sides for the same reason).
 *
 * It resolves a boolean (WebCrypto is asynchronous): `if (await timingSafeEqualStrings(a, b))` —
 * without `await`, the Promise itself is truthy and every secret would match.
 */
export async function timingSafeEqualStrings(actual: string, expected: string): Promise<boolean> {
  compareKey ??= randomId();
  const hmac = await defaultHmac();
  const expectedDigest = await hmac.sign(compareKey, [expected]);
  const match = await hmac.verify(compareKey, [actual], expectedDigest);
  return match;
}

export function randomId(): string {
  return globalThis.crypto.randomUUID();
}
