import {
  type HandlerContext,
  type MightyCallHandlers,
  type MightyCallNativeEvent,
  mightyCallNativeEventTypes,
} from "@callhooks/webhook-core";
import type { SupabaseClient } from "@supabase/supabase-js";

/**
 * callhooks has merged each event into its record (a call, an SMS, a recording, a report) before
 * these run, and runs each event's handler once. So a handler only asks the database to project that
 * record into the app's table (the sync_mightycall_* functions in supabase/migrations): the row ends
 * up the same whatever order or however often MightyCall delivers.
 */
export function recordHandlers(db: SupabaseClient): MightyCallHandlers {
  // Records belong to an organisation: the one callhooks recorded the event under (context.orgId).
  const sync = async (kind: "call" | "message" | "recording" | "report", id: string, orgId: string | null) => {
    const { error } = await db.rpc(`sync_mightycall_${kind}`, { p_id: id, p_org: orgId });
    // Thrown, so callhooks answers 500 and the event stays stored, failed and replayable.
    if (error) throw new Error(`sync_mightycall_${kind}(${id}): ${error.message}`);
  };
  // Every native event moves its call along (ringing, connected, completed): the row follows the record.
  const nativeCall = (event: MightyCallNativeEvent, context: HandlerContext) => sync("call", event.Body.Id, context.orgId);

  return {
    ...Object.fromEntries(mightyCallNativeEventTypes.map((type) => [type, nativeCall])),
    // The call's row, and a recording row for the recording_url it carries (unless one is already stored).
    "call.completed": (event, context) => sync("call", event.call_id, context.orgId),
    "sms.received": (event, context) => sync("message", event.sms_id, context.orgId),
    "sms.sent": (event, context) => sync("message", event.sms_id, context.orgId),
    "recording.available": async (event, context) => {
      await sync("recording", event.recording_id, context.orgId);
      // The call's record now knows its recording URL too (a no-op until the call's own event arrives).
      if (event.call_id) await sync("call", event.call_id, context.orgId);
    },
    "report.daily": (event, context) => sync("report", event.report_id, context.orgId),
    "report.hourly": (event, context) => sync("report", event.report_id, context.orgId),
  };
}
