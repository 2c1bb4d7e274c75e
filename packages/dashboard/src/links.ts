/** Links between the console's pages, relative to its root (see PageContext.root). */
export const eventHref = (root: string, id: string) => `${root}events/${encodeURIComponent(id)}`;

/**
 * A call's page. `org` names the tenant: an organisation's id, or empty for the records without one;
 * the call of any tenant (the most recently updated) when absent.
 */
export function callHref(root: string, provider: string, callId: string, orgId?: string | null): string {
  const path = `${root}calls/${encodeURIComponent(provider)}/${encodeURIComponent(callId)}`;
  return orgId === undefined ? path : `${path}?${new URLSearchParams({ org: orgId ?? "" })}`;
}
