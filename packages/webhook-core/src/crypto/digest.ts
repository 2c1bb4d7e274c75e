import { bytesToHex } from "./hex.js";

const encoder = new TextEncoder();

/**
 * SHA-256 of a text, in hex, through WebCrypto (every runtime the core supports has it). Used off the
 * hot path only: to name over-long keys and bodies that carry no key of their own.
 */
export async function sha256Hex(text: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error("This runtime has no WebCrypto (crypto.subtle).");
  return bytesToHex(new Uint8Array(await subtle.digest("SHA-256", encoder.encode(text))));
}
