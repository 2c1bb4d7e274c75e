// The round trip every runtime runs against the BUILT packages (resolved through node_modules to
// dist/): signed deliveries prepared by the test (signed with retell-sdk, the reference) go through
// handler.fetch, once with the HMAC the core picks for this runtime and once with WebCrypto forced.
import { createMemoryStorage } from "@callhooks/storage-memory";
import { createRetellHandler, defaultHmac, webCryptoHmac } from "@callhooks/webhook-core";

export function runtimeName() {
  if (globalThis.Deno?.version) return `deno ${globalThis.Deno.version.deno}`;
  if (globalThis.Bun) return `bun ${globalThis.Bun.version}`;
  if (globalThis.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  return `node ${globalThis.process.versions.node}`;
}

const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/**
 * @param {{ apiKey: string, inboundResponse: unknown, deliveries: Array<{ name: string, body: string, signature: string, crypto?: "webcrypto" }> }} job
 */
export async function probe(job) {
  const seen = [];
  const make = (hmac) =>
    createRetellHandler({
      apiKey: job.apiKey,
      storage: createMemoryStorage(),
      logger: {},
      ...(hmac && { hmac }),
      on: {
        call_ended: ({ call }) => {
          seen.push(call.call_id);
        },
        call_inbound: () => job.inboundResponse,
      },
    });
  const handlers = { default: make(), webcrypto: make(webCryptoHmac()) };
  const results = {};
  for (const delivery of job.deliveries) {
    const request = new Request("https://example.test/webhooks/retell", {
      method: "POST",
      headers: { "content-type": "application/json", "x-retell-signature": delivery.signature },
      body: bytes(delivery.body),
    });
    const response = await handlers[delivery.crypto ?? "default"].fetch(request);
    results[delivery.name] = { status: response.status, body: await response.text() };
  }
  return { runtime: runtimeName(), hmac: (await defaultHmac()).name, results, seen };
}
