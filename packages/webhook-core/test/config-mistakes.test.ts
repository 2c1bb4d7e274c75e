import { createMemoryStorage } from "@callhooks/storage-memory";
import {
  createMightyCallHandler,
  createRetellHandler,
  isWebhookError,
  type MightyCallHandlers,
  type RetellHandlers,
  WebhookConfigError,
} from "@callhooks/webhook-core";
import { createSignedRetellRequest } from "@callhooks/webhook-core/testing";
import { describe, expect, it, vi } from "vitest";
import { recordingLogger } from "./helpers.ts";

const apiKey = "key_config_0123456789";

/** What `createX` threw, or undefined. */
function thrown(create: () => unknown): unknown {
  try {
    create();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("a key of `on` that names no event type", () => {
  // Declared apart from the call (or written in JavaScript), where TypeScript's excess-property check does not reach.
  const misspelt = { call_endd: () => {} } as unknown as RetellHandlers;

  it("throws WebhookConfigError at creation, naming the key and the closest event type", () => {
    const error = thrown(() => createRetellHandler({ apiKey, storage: false, on: misspelt }));
    expect(error).toBeInstanceOf(WebhookConfigError);
    expect((error as Error).message).toContain("on.call_endd");
    expect((error as Error).message).toContain('did you mean "call_ended"?');
    expect((error as Error).message).toContain("onUnknown");
  });

  it("suggests by edit distance, whatever the case", () => {
    const suggestion = (name: string) =>
      /did you mean "([^"]+)"/.exec(
        (thrown(() => createRetellHandler({ apiKey, storage: false, on: { [name]: () => {} } as RetellHandlers })) as Error).message,
      )?.[1];
    expect(suggestion("CALL_ANALYSED")).toBe("call_analyzed");
    expect(suggestion("transfer_ende")).toBe("transfer_ended");
    expect(suggestion("chat_inbund")).toBe("chat_inbound");
  });

  it("is checked for MightyCall's push names and native EventTypes alike", () => {
    const create = (on: Record<string, () => void>) => () =>
      createMightyCallHandler({
        push: { secret: "s" },
        native: { apiKey: "k", orgId: "org" },
        storage: false,
        on: on as MightyCallHandlers,
      });
    const push = thrown(create({ "call.complete": () => {} }));
    expect(isWebhookError(push) && push.code).toBe("invalid_config");
    expect((push as Error).message).toMatch(/on\.call\.complete .*"call\.completed"/);
    const native = thrown(create({ IncomingCallCompleeted: () => {} }));
    expect((native as Error).message).toMatch(/on\.IncomingCallCompleeted .*"IncomingCallCompleted"/);
  });

  it("leaves every known type, and onUnknown for types added later, as they were", async () => {
    const onUnknown = vi.fn();
    const handler = createRetellHandler({
      apiKey,
      storage: false,
      on: { call_ended: () => {}, chat_inbound: () => ({ chat_inbound: {} }) },
      onUnknown,
    });
    const response = await handler.fetch(await createSignedRetellRequest({ event: "call_summarized", call: {} }, { apiKey }));
    expect(response.status).toBe(200);
    expect(onUnknown).toHaveBeenCalledWith(expect.objectContaining({ event: "call_summarized" }), expect.anything());
    expect(() =>
      createMightyCallHandler({ push: { secret: "s" }, storage: false, on: { "sms.received": () => {}, CallbackCallConnected: () => {} } }),
    ).not.toThrow();
  });
});

describe("a handler without a storage", () => {
  /** The core's modules evaluated afresh: the warning is once per process, so each case needs its own. */
  async function freshCore() {
    vi.resetModules();
    return import("@callhooks/webhook-core");
  }

  it("logs one warning, once, that duplicates will not be detected", async () => {
    const core = await freshCore();
    const first = recordingLogger();
    const second = recordingLogger();
    core.createRetellHandler({ apiKey, logger: first.logger });
    core.createRetellHandler({ apiKey, logger: first.logger });
    core.createMightyCallHandler({ push: { secret: "s" }, logger: second.logger });
    const warnings = [...first.lines, ...second.lines].filter((line) => line.startsWith("warn"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no storage: a delivery the provider repeats .* runs your handlers again/);
    expect(warnings[0]).toContain("storage: false");
  });

  it("goes to the console when the app gives no logger", async () => {
    const core = await freshCore();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      core.createRetellHandler({ apiKey });
      core.createRetellHandler({ apiKey });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/^\[callhooks\] A retell handler has no storage/);
    } finally {
      warn.mockRestore();
    }
  });

  it("says nothing when the app passes storage: false, or a storage", async () => {
    const core = await freshCore();
    const { lines, logger } = recordingLogger();
    core.createRetellHandler({ apiKey, storage: false, logger });
    core.createRetellHandler({ apiKey, storage: createMemoryStorage(), logger });
    core.createMightyCallHandler({ push: { secret: "s" }, storage: false, logger });
    expect(lines).toEqual([]);
    // Still a handler without a storage: modes that need one refuse it.
    expect(() => core.createRetellHandler({ apiKey, storage: false, mode: "deferred", logger })).toThrow(/needs a storage/);
  });
});
