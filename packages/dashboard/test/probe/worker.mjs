// The console as a Cloudflare Worker, as it is: `export default { fetch }`.
import { probeDashboard } from "./console.mjs";

let dashboard;
export default {
  async fetch(request) {
    dashboard ??= await probeDashboard();
    return dashboard.fetch(request);
  },
};
