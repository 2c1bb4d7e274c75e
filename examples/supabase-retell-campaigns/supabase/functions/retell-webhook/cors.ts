// Retell and MightyCall call server to server and never send a preflight; these headers are for a
// browser (a dashboard's "send test event" button, supabase.functions.invoke) calling the function.
export const corsHeaders: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type, x-retell-signature",
  "access-control-allow-methods": "POST, OPTIONS",
};

type Handler = (request: Request) => Promise<Response>;

/** Answers the preflight itself (callhooks would answer 405 to OPTIONS) and adds the headers to every answer. */
export function withCors(handler: Handler): Handler {
  return async (request) => {
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
    const response = await handler(request);
    for (const [name, value] of Object.entries(corsHeaders)) response.headers.set(name, value);
    return response;
  };
}
