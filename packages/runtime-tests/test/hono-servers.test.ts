import { sign } from "retell-sdk";
import { describe, expect, it } from "vitest";
import { apiKey } from "./job.js";
import { assertBuilt, childEnv, fixture, missing, runtimes, serve } from "./runtimes.js";

describe.each([runtimes.bun, runtimes.deno])("Hono adapter on $name's own server", (runtime) => {
  it.skipIf(missing(runtime))("verifies a real delivery and finds the peer address for allowedIps", async () => {
    assertBuilt();
    const args = runtime === runtimes.deno ? ["run", "--allow-net", "--allow-env", "--allow-read"] : [];
    const { url, child, waitFor } = await serve(runtime.bin, [...args, "probe/hono-server.mjs"], childEnv({ RETELL_API_KEY: apiKey }));
    try {
      const body = fixture("call_ended.phone.json");
      const deliver = async (key: string) =>
        (
          await fetch(`${url}/webhooks/retell`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-retell-signature": await sign(body.toString("utf8"), key) },
            body: new Uint8Array(body),
          })
        ).status;
      expect([await deliver(apiKey), await deliver(apiKey), await deliver("key_forger")]).toEqual([200, 200, 401]);
      expect(await waitFor(/handled \S+/)).toMatch(/handled call_/);
    } finally {
      child.kill();
    }
  });
});
