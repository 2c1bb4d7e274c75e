import { type MightyCallHandlers, type MightyCallNativeEvent, mightyCallNativeEventTypes } from "@callhooks/webhook-core";
import type { SupabaseClient } from "@supabase/supabase-js";

/**
 * callhooks has merged each event into its record (a call, an SMS, a recording, a report) before
 * these run, and runs each event's handler once. So a handler only asks the database to project that
 * record into the app's table (the sync_mightycall_* functions in supabase/migrations): the row ends
 * up the same whatever order or however often MightyCall delivers.
 */
export function recordHandlers(db: SupabaseClient): MightyCallHandlers {
  const sync = async (kind: "call" | "message" | "recording" | "report", id: string) => {
    const { error } = await db.rpc(`sync_mightycall_${kind}`, { p_id: id });
    // Thrown, so callhooks answers 500 and the event stays stored, failed and replayable.
    if (error) throw new Error(`sync_mightycall_${kind}(${id}): ${error.message}`);
  };
  // Every native event moves its call along (ringing, connected, completed): the row follows the record.
  const nativeCall = (event: MightyCallNativeEvent) => sync("call", event.Body.Id);

  return {
    ...Object.fromEntries(mightyCallNativeEventTypes.map((type) => [type, nativeCall])),
    // The call's row, and a recording row for the recording_url it carries (unless one is already stored).
    "call.completed": (event) => sync("call", event.call_id),
    "sms.received": (event) => sync("message", event.sms_id),
    "sms.sent": (event) => sync("message", event.sms_id),
    "recording.available": async (event) => {
      await sync("recording", event.recording_id);
      // The call's record now knows its recording URL too (a no-op until the call's own event arrives).
      if (event.call_id) await sync("call", event.call_id);
    },
    "report.daily": (event) => sync("report", event.report_id),
    "report.hourly": (event) => sync("report", event.report_id),
  };
}
