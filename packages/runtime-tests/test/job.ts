import { sign } from "retell-sdk";
import { fixture } from "./runtimes.js";

export const apiKey = `key_runtime_matrix_${Math.random().toString(36).slice(2)}`;

/**
 * Recorded Retell bodies, byte for byte, signed by retell-sdk (the reference implementation), for
 * the probe to send through handler.fetch in each runtime.
 */
export async function buildJob() {
  const ended = fixture("call_ended.phone.json");
  const inbound = fixture("call_inbound.json");
  const delivery = async (name: string, body: Buffer, options: { key?: string; crypto?: "webcrypto" } = {}) => ({
    name,
    body: body.toString("base64"),
    signature: await sign(body.toString("utf8"), options.key ?? apiKey),
    ...(options.crypto && { crypto: options.crypto }),
  });
  return {
    apiKey,
    callId: (JSON.parse(ended.toString("utf8")) as { call: { call_id: string } }).call.call_id,
    inboundResponse: JSON.parse(fixture("call_inbound.response.json").toString("utf8")) as unknown,
    deliveries: [
      await delivery("call_ended", ended),
      await delivery("duplicate", ended),
      await delivery("forged", ended, { key: "key_forger" }),
      await delivery("call_inbound", inbound),
      await delivery("webcrypto", ended, { crypto: "webcrypto" }),
      await delivery("webcrypto_forged", ended, { key: "key_forger", crypto: "webcrypto" }),
    ],
  };
}
