export { createDashboard } from "./dashboard.js";
export { CSRF_HEADER } from "./csrf.js";
export { CONTENT_SECURITY_POLICY } from "./http.js";
export type { BasicAuth, Dashboard, DashboardAuth, DashboardOptions } from "./types.js";
