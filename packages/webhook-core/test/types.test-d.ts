import { describe, expectTypeOf, it } from "vitest";
import {
  createRetellHandler,
  parseRetellEvent,
  type HandlerContext,
  type RetellCall,
  type RetellCallInboundResponse,
  type RetellChatInboundResponse,
  type RetellEventOf,
  type RetellHandlers,
  type RetellPhoneCall,
  type RetellUnknownEvent,
} from "@callhooks/webhook-core";

describe("the on map", () => {
  it("gives each handler exactly its event's type", () => {
    createRetellHandler({
      apiKey: "k",
      on: {
        call_started: (event, context) => {
          expectTypeOf(event).toEqualTypeOf<RetellEventOf<"call_started">>();
          expectTypeOf(event.event).toEqualTypeOf<"call_started">();
          expectTypeOf(event.call).toEqualTypeOf<RetellCall>();
          expectTypeOf(context).toEqualTypeOf<HandlerContext>();
        },
        call_ended: (event) => {
          expectTypeOf(event.event).toEqualTypeOf<"call_ended">();
          expectTypeOf(event.call.disconnection_reason).toExtend<string | null | undefined>();
          if (event.call.call_type === "phone_call") {
            expectTypeOf(event.call).toExtend<RetellPhoneCall>();
            expectTypeOf(event.call.from_number).toEqualTypeOf<string | null | undefined>();
            expectTypeOf(event.call.call_id).toEqualTypeOf<string>();
          }
        },
        call_analyzed: (event) => {
          expectTypeOf(event.call.call_analysis?.call_successful).toEqualTypeOf<boolean | null | undefined>();
        },
        transfer_started: (event) => {
          expectTypeOf(event.event).toEqualTypeOf<"transfer_started">();
          expectTypeOf(event.transfer_destination).toExtend<string | { number?: string | null } | null | undefined>();
        },
        chat_ended: (event) => {
          expectTypeOf(event.chat.chat_id).toEqualTypeOf<string>();
        },
        call_inbound: (event) => {
          expectTypeOf(event.call_inbound.from_number).toEqualTypeOf<string>();
          return { call_inbound: { override_agent_id: "agent_1", dynamic_variables: { name: "Ana" } } };
        },
        chat_inbound: async () => ({ chat_inbound: { reject: true } }),
      },
      onUnknown: (event) => {
        expectTypeOf(event).toEqualTypeOf<RetellUnknownEvent>();
      },
    });
  });

  it("makes the inbound handlers return the inbound response type", () => {
    expectTypeOf<ReturnType<NonNullable<RetellHandlers["call_inbound"]>>>().toEqualTypeOf<
      RetellCallInboundResponse | Promise<RetellCallInboundResponse>
    >();
    expectTypeOf<ReturnType<NonNullable<RetellHandlers["chat_inbound"]>>>().toEqualTypeOf<
      RetellChatInboundResponse | Promise<RetellChatInboundResponse>
    >();
    createRetellHandler({
      apiKey: "k",
      on: {
        // @ts-expect-error: an inbound handler must answer with the response body
        call_inbound: async () => {},
      },
    });
    createRetellHandler({
      apiKey: "k",
      on: {
        // @ts-expect-error: dynamic variables are strings
        call_inbound: () => ({ call_inbound: { dynamic_variables: { count: 3 } } }),
      },
    });
    createRetellHandler({
      apiKey: "k",
      on: {
        // @ts-expect-error: the body is grouped under call_inbound
        call_inbound: () => ({ override_agent_id: "a" }),
      },
    });
  });

  it("rejects handlers for events that do not exist, and handlers of the wrong event type", () => {
    createRetellHandler({
      apiKey: "k",
      on: {
        // @ts-expect-error: no such Retell event
        call_exploded: () => {},
      },
    });
    createRetellHandler({
      apiKey: "k",
      on: {
        // @ts-expect-error: call_started's handler does not receive a chat event
        call_started: (event: RetellEventOf<"chat_started">) => event.chat,
      },
    });
  });
});

describe("parseRetellEvent", () => {
  it("keeps known open enums typed while accepting any string", () => {
    const event = parseRetellEvent({}) as RetellEventOf<"call_ended">;
    expectTypeOf<"user_hangup">().toExtend<NonNullable<typeof event.call.disconnection_reason>>();
    expectTypeOf<"a_reason_from_2027">().toExtend<NonNullable<typeof event.call.disconnection_reason>>();
  });
});
