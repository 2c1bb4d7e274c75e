import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Copies of /work/shared/fixtures/retell/*, so that `pnpm bench` runs from a clean clone. They are
// signed exactly as stored (call_started is pretty-printed, call_analyzed minified).
const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

export const API_KEY = "key_bench_0123456789abcdef";

function load(label, file) {
  const text = readFileSync(join(dir, file), "utf8");
  const callId = JSON.parse(text).call.call_id;
  const parts = text.split(callId);
  return {
    label,
    file,
    text,
    bytes: Buffer.from(text),
    size: Buffer.byteLength(text),
    callId,
    /**
     * The same body as another call: every occurrence of the call id (it also appears in URLs)
     * replaced by a distinct id of the same length, so sizes stay identical and storage sees a new
     * event every time.
     */
    distinct(tag, i) {
      // "g" is not a hex digit: tag + counter cannot collide with another tag's.
      const suffix = `${tag}g${i.toString(16)}`;
      const id = `${callId.slice(0, callId.length - suffix.length)}${suffix}`;
      if (suffix.length > callId.length - 5) throw new Error("distinct id too long");
      return Buffer.from(parts.join(id));
    },
  };
}

export const fixtures = {
  small: load("1 KB call_started", "call_started.phone.json"),
  large: load("48 KB call_analyzed", "call_analyzed.phone.json"),
};

/** Retell's scheme, done with node:crypto directly so that the bench does not grade its own signer. */
export function sign(body, key = API_KEY, timestamp = Date.now()) {
  const ts = String(timestamp);
  return `v=${ts},d=${createHmac("sha256", key).update(body).update(ts).digest("hex")}`;
}

/** A fresh tag so that ids never repeat between rounds or processes. */
export function runTag() {
  return Math.floor(Math.random() * 0xffffffff)
    .toString(16)
    .padStart(8, "0");
}
