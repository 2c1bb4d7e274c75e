import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { WebhookStorage } from "@callhooks/webhook-core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium.js";
import { type Harness, USER, XSS, retellSample, startHarness, xssEvent } from "./harness.js";

export interface BrowserSuiteOptions {
  storage: () => WebhookStorage | Promise<WebhookStorage>;
  /** Where to save a screenshot of each page (the README's come from here). */
  screenshots?: string | undefined;
}

/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) over a real server with
 * real, signed deliveries: what a person sees and does, and what an attacker's payload cannot do.
 */
export function describeInBrowser(name: string, options: BrowserSuiteOptions): void {
  describe(`the console in Chromium: ${name}`, () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const call = (what: string) => `call_${what}_${tag}`;
    let h: Harness;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const dialogs: string[] = [];
    const cspViolations: string[] = [];

    beforeAll(async () => {
      h = await startHarness(await options.storage());
      browser = await launchChromium();
      context = await browser.newContext({ httpCredentials: USER, viewport: { width: 1280, height: 860 } });
      page = await context.newPage();
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on("console", (message) => {
        if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
      });
    });
    afterAll(async () => {
      await browser?.close();
      await h?.close();
    });

    const shot = async (file: string) => {
      if (!options.screenshots) return;
      mkdirSync(options.screenshots, { recursive: true });
      await page.screenshot({ path: join(options.screenshots, file), fullPage: true });
    };
    const row = (callId: string) => page.locator(`#rows tr:has-text("${callId}")`);

    it("the inbox lists a delivered event, with its status and counts per status", async () => {
      expect((await h.retell(retellSample("call_started", { callId: call("ok") }))).status).toBe(200);
      const response = await page.goto(h.url);
      expect(response?.status()).toBe(200);
      await row(call("ok")).first().waitFor();
      expect(await row(call("ok")).locator(".chip").textContent()).toBe("processed");
      expect(await row(call("ok")).locator("td").nth(2).textContent()).toBe("call_started");
      expect(Number(await page.locator('#counts [data-status="processed"] b').textContent())).toBeGreaterThanOrEqual(1);
    });

    it("a failed event shows its error; Replay turns it processed and says so", async () => {
      h.failing.add(call("fail"));
      expect((await h.retell(retellSample("call_ended", { callId: call("fail") }))).status).toBe(500);
      await page.goto(`${h.url}?status=failed&call=${call("fail")}`);
      expect(await row(call("fail")).locator(".chip").textContent()).toBe("failed");
      await row(call("fail")).getByRole("link", { name: "call_ended" }).click();
      await page.locator("#last-error").waitFor();
      expect(await page.locator("#last-error").textContent()).toContain(`CRM unreachable while saving ${call("fail")}`);
      expect(await page.locator("h1 .chip").textContent()).toBe("failed");
      await shot("event.png");

      h.failing.delete(call("fail"));
      await Promise.all([page.waitForURL(/replayed=processed/), page.locator("#replay").click()]);
      expect(await page.locator("#replay-outcome").textContent()).toContain("processed");
      expect(await page.locator("h1 .chip").textContent()).toBe("processed");
      expect(await page.locator("#last-error").count()).toBe(0);
    });

    it("the call page shows a whole call sent out of order: the merged record, and each event with the fields it set", async () => {
      const id = call("ooo");
      for (const type of ["call_analyzed", "call_ended", "call_started"] as const) {
        expect((await h.retell(retellSample(type, { callId: id }))).status).toBe(200);
      }
      await page.goto(`${h.url}?call=${id}`);
      await row(id).first().getByRole("link", { name: id }).click();
      await page.locator("#timeline").waitFor();
      const items = page.locator("#timeline > li");
      expect(await items.evaluateAll((lis) => lis.map((li) => li.getAttribute("data-type")))).toEqual([
        "call_analyzed",
        "call_ended",
        "call_started",
      ]);
      // call_analyzed, the last stage, arrived first and set the fields; the earlier stages, arriving
      // after it, changed nothing it had said.
      expect(await items.nth(0).locator(".set").textContent()).toContain("summary");
      for (const late of [1, 2]) expect(await items.nth(late).locator(".set").textContent()).toContain("set no field");
      expect(await page.locator('#fields tr[data-field="status"] td').first().textContent()).toBe("ended");
      expect(await page.locator('#fields tr[data-field="summary"] td').nth(1).textContent()).toBe("call_analyzed");
      await shot("call.png");
    });

    it("an XSS payload stays text: no dialog fires, no element is injected", async () => {
      const id = call("xss");
      expect((await h.retell(xssEvent(id))).status).toBe(200);
      await page.goto(`${h.url}?call=${id}`);
      await row(id).first().getByRole("link", { name: "call_ended" }).click();
      await page.locator("#payload").waitFor();
      expect(await page.locator("#payload").textContent()).toContain(XSS);
      await page.goto(`${h.url}calls/retell/${id}?org=`);
      expect(await page.locator('#fields tr[data-field="transcript"] td').first().textContent()).toContain(XSS);
      expect(await page.locator("main img, main script").count()).toBe(0);
      await page.waitForTimeout(300);
      expect(dialogs).toEqual([]);
    });

    it("a quarantined event shows why; Replay parses it again and says it still fails", async () => {
      const response = await h.retell({ event: "call_ended", call: { call_id: 42 } });
      expect(response.status).toBe(202);
      const { event_id: id } = (await response.json()) as { event_id: string };
      await page.goto(`${h.url}events/${id}`);
      expect(await page.locator("h1 .chip").textContent()).toBe("quarantined");
      expect(await page.locator(".issues").textContent()).toContain("call");
      await Promise.all([page.waitForURL(/replayed=quarantined/), page.locator("#replay").click()]);
      expect(await page.locator("#replay-outcome").textContent()).toContain("still quarantined");
    });

    it("new deliveries appear in the inbox without a reload", async () => {
      await page.goto(h.url);
      await page.evaluate(() => Object.assign(window, { notReloaded: true }));
      expect(await row(call("live")).count()).toBe(0);
      expect((await h.retell(retellSample("call_started", { callId: call("live") }))).status).toBe(200);
      await row(call("live")).first().waitFor({ timeout: 20_000 });
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      await shot("inbox.png");
    });

    it("charts: events per minute by status and handler-duration percentiles, as SVG", async () => {
      await page.goto(`${h.url}charts`);
      expect(await page.locator("#events-hour rect").count()).toBeGreaterThan(0);
      expect(await page.locator("#events-day rect").count()).toBeGreaterThan(0);
      expect(await page.locator("#durations-hour rect.bar").count()).toBe(5);
      await shot("charts.png");
    });

    it("refuses unauthenticated access: 401, and no event in the page", async () => {
      const anonymous = await browser.newContext();
      try {
        const stranger = await anonymous.newPage();
        // Everything the browser got from the server: only refusals (their bodies are read below).
        const statuses: number[] = [];
        stranger.on("response", (response) => {
          if (response.url().startsWith(h.origin)) statuses.push(response.status());
        });
        for (const path of ["", "charts", `calls/retell/${call("ok")}?org=`]) {
          // Chromium answers a Basic challenge it has no credentials for with an error page of its own.
          const navigation = await stranger.goto(`${h.url}${path}`).catch((error: Error) => error);
          if (navigation instanceof Error) expect(navigation.message).toContain("ERR_INVALID_AUTH_CREDENTIALS");
          else expect(navigation?.status()).toBe(401);
          const direct = await anonymous.request.get(`${h.url}${path}`);
          expect([direct.status(), await direct.text()]).toEqual([401, "Authentication required."]);
        }
        expect(statuses.length).toBeGreaterThan(0);
        expect(new Set(statuses)).toEqual(new Set([401]));
      } finally {
        await anonymous.close();
      }
    });

    it("ran under the Content-Security-Policy without a single violation", () => {
      expect(cspViolations).toEqual([]);
    });
  });
}
