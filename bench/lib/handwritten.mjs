// The receiver a careful developer writes by hand without callhooks: Retell's signature checked with
// node:crypto in constant time, JSON.parse, then the same zod 4 schema the library uses (so that the
// comparison measures the library's own overhead, not a weaker validation). No storage, no
// duplicate detection, no records: this is the floor the full pipeline is compared with.
import { createHmac, timingSafeEqual } from "node:crypto";
import { retellEventSchemas } from "@callhooks/webhook-core/schemas";

const SIGNATURE = /^v=(\d{1,16}),d=([0-9a-fA-F]{64})$/;
const TOLERANCE_MS = 5 * 60 * 1000;

/** Hand-written verification: header parsed, timestamp checked, HMAC compared in constant time. */
export function handwrittenVerify(body, header, key, now = Date.now()) {
  const match = typeof header === "string" ? SIGNATURE.exec(header) : null;
  if (!match) return false;
  if (Math.abs(now - Number(match[1])) > TOLERANCE_MS) return false;
  const actual = createHmac("sha256", key).update(body).update(match[1]).digest();
  return timingSafeEqual(actual, Buffer.from(match[2], "hex"));
}

/** JSON.parse plus the event's zod schema, as the hand-written receiver validates. */
export function handwrittenParse(text) {
  const event = JSON.parse(text);
  const schema = retellEventSchemas[event?.event];
  if (!schema) throw new Error("unknown event");
  return schema.parse(event);
}

/**
 * The whole hand-written receiver over the raw bytes: the status it would answer and the parsed
 * event. `body` is a Buffer (what every Node framework hands over) or a string.
 */
export function handwrittenReceive(body, header, key) {
  if (!handwrittenVerify(body, header, key)) return { status: 401 };
  try {
    return { status: 200, event: handwrittenParse(typeof body === "string" ? body : body.toString("utf8")) };
  } catch {
    return { status: 400 };
  }
}

export const OK_BODY = '{"status":"processed"}';
