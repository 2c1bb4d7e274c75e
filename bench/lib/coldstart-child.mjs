// One cold start, in a fresh process (spawned by bench/coldstart.mjs): times each step from the
// moment this module runs, and prints them as JSON. `performance.now()` counts from process start,
// so `bootMs` is Node's own start-up before any user code.
const mode = process.argv[2];
const t = { bootMs: performance.now() };
const mark = (name, since) => {
  const now = performance.now();
  t[name] = now - since;
  return now;
};
let at = performance.now();
if (mode === "zod") {
  const { z } = await import("zod");
  at = mark("importMs", at);
  // The floor for a first event: what a receiver written with zod alone does — its own schema of the
  // event built and the same call_started body parsed (JSON.parse + zod), nothing else.
  const { fixtures } = await import("./fixtures.mjs");
  const body = fixtures.small.distinct("c0", 1).toString("utf8");
  at = performance.now();
  const callStarted = z.looseObject({
    event: z.literal("call_started"),
    call: z.looseObject({
      call_type: z.enum(["phone_call", "web_call"]),
      call_id: z.string(),
      agent_id: z.string(),
      agent_version: z.number().int().optional(),
      agent_name: z.string().optional(),
      call_status: z.string(),
      direction: z.enum(["inbound", "outbound"]).optional(),
      from_number: z.string().optional(),
      to_number: z.string().optional(),
      metadata: z.record(z.string(), z.unknown()).optional(),
      retell_llm_dynamic_variables: z.record(z.string(), z.unknown()).optional(),
      custom_sip_headers: z.record(z.string(), z.string()).optional(),
      data_storage_setting: z.string().optional(),
      opt_in_signed_url: z.boolean().optional(),
      start_timestamp: z.number().optional(),
      telephony_identifier: z.looseObject({ twilio_call_sid: z.string().optional() }).optional(),
    }),
  });
  callStarted.parse(JSON.parse(body));
  at = mark("firstParseMs", at);
} else if (mode === "retell-sdk") {
  await import("retell-sdk");
  at = mark("importMs", at);
} else if (mode === "core" || mode === "handler") {
  const core = await import("@callhooks/webhook-core");
  at = mark("importMs", at);
  if (mode === "handler") {
    // Loaded first: the bench's own helpers (node:crypto, the fixture files) are not the library's cost.
    const { API_KEY, fixtures, sign } = await import("./fixtures.mjs");
    at = performance.now();
    const { createMemoryStorage } = await import("@callhooks/storage-memory");
    at = mark("importStorageMs", at);
    const noop = () => undefined;
    const handler = core.createRetellHandler({ apiKey: API_KEY, storage: createMemoryStorage(), on: { call_started: noop } });
    at = mark("createHandlerMs", at);
    for (const [name, i] of [
      ["firstEventMs", 1],
      ["secondEventMs", 2],
    ]) {
      const body = fixtures.small.distinct("c0", i);
      const request = { method: "POST", headers: { "x-retell-signature": sign(body) }, body };
      const started = performance.now();
      const result = await handler.handle(request);
      if (result.status !== 200) throw new Error(`status ${result.status}`);
      t[name] = performance.now() - started;
    }
  }
}
t.totalMs = performance.now();
process.stdout.write(JSON.stringify(t));
