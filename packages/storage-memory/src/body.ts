/**
 * An event's payload as storage-memory keeps it: its JSON text, as a string when small and as UTF-8
 * bytes when large. Every kept body is promoted to V8's old generation and dropped from it later (the
 * payload window moves on); with large bodies V8 holds on to the pages that churn leaves, and with 48 KB
 * events the process's RSS was about twice what it is when the bytes live outside the heap
 * (bench/NOTES.md). For small bodies an ArrayBuffer each costs more time than it saves.
 */
export type KeptBody = string | Uint8Array;

const LARGE = 8 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function keepBody(text: string): KeptBody {
  return text.length >= LARGE ? encoder.encode(text) : text;
}

export function bodyText(body: KeptBody): string {
  return typeof body === "string" ? body : decoder.decode(body);
}

/** What a body costs to hold: its bytes, or 2 per UTF-16 unit of a string (as V8 may keep it). */
export function bodySize(body: KeptBody): number {
  return typeof body === "string" ? 2 * body.length : body.byteLength;
}
