// Supabase Edge Function at the URL the hand-written functions gave MightyCall for recordings
// (…/functions/v1/mightycall-recordings-webhook). It is the same handler as every other MightyCall URL of
// this project (see ../_shared/serve.ts), so an event sent to the wrong one is still handled.
import { serveMightyCall } from "../_shared/serve.ts";

serveMightyCall();
