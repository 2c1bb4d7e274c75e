// The CommonJS builds, loaded with require() as a CJS app would: one signed delivery through handle().
const { createRetellHandler, signRetellPayload } = require("@callhooks/webhook-core");
const { createMemoryStorage } = require("@callhooks/storage-memory");

(async () => {
  const apiKey = "key_cjs_probe";
  const handler = createRetellHandler({ apiKey, storage: createMemoryStorage(), logger: {} });
  const body = JSON.stringify({
    event: "call_started",
    call: { call_type: "web_call", call_id: "call_cjs", agent_id: "a", agent_version: 1, call_status: "ongoing", access_token: "t" },
  });
  const signature = await signRetellPayload(body, apiKey);
  const result = await handler.handle({ method: "POST", headers: { "x-retell-signature": signature }, body });
  console.log(`RESULT ${JSON.stringify({ status: result.status, resolved: require.resolve("@callhooks/webhook-core") })}`);
})();
