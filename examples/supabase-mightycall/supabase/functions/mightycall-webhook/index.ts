// Supabase Edge Function: MightyCall webhooks of both formats on one URL (see ../../../README.md).
// Deploy with `supabase functions deploy mightycall-webhook --no-verify-jwt`: MightyCall
// authenticates with its own credentials (checked in _shared/serve.ts), not a Supabase JWT.
import { serveMightyCall } from "../_shared/serve.ts";

// The callhooks console at …/functions/v1/mightycall-webhook/console/ (with the DASHBOARD_PASSWORD secret).
serveMightyCall({ consolePath: "/mightycall-webhook/console" });
