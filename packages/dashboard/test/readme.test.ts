import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createSignedRetellRequest, retellSample } from "@callhooks/webhook-core/samples";
import { afterAll, expect, it } from "vitest";

const dir = fileURLToPath(new URL("..", import.meta.url));
const example = readFileSync(new URL("../example/server.ts", import.meta.url), "utf8");
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill();
});

it("the README's example is example/server.ts, word for word", () => {
  expect(readFileSync(new URL("../README.md", import.meta.url), "utf8")).toContain(`\`\`\`ts\n${example}\`\`\``);
});

it("runs as it is (Node, the built packages): it receives a signed delivery and shows it in the console, behind its password", async () => {
  const env = { ...process.env, RETELL_API_KEY: "key_readme_example_0123", DASHBOARD_PASSWORD: "readme-example-password", PORT: "0" };
  const running = spawn(process.execPath, ["example/server.ts"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  child = running;
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk;
      const found = /Console: (http:\/\/localhost:\d+\/admin\/callhooks\/)/.exec(output);
      if (found) resolve(found[1] as string);
    };
    running.stdout?.on("data", read);
    running.stderr?.on("data", read);
    running.once("exit", (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  const webhook = new URL("/webhooks/retell", url).href;
  expect(
    (
      await fetch(
        await createSignedRetellRequest(retellSample("call_ended", { callId: "call_readme" }), {
          apiKey: env.RETELL_API_KEY,
          url: webhook,
        }),
      )
    ).status,
  ).toBe(200);
  expect((await fetch(url)).status).toBe(401);
  const inbox = await fetch(url, { headers: { authorization: `Basic ${btoa(`admin:${env.DASHBOARD_PASSWORD}`)}` } });
  expect(inbox.status).toBe(200);
  expect(await inbox.text()).toContain("call_readme");
});
