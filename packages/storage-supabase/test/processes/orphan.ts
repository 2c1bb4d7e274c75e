// Starts stacks and never stops them: the parent SIGKILLs this process to prove nothing is left.
import { startSupabaseStack } from "../../src/testing/index.js";

const stacks = [];
for (const databaseUrl of JSON.parse(process.argv[2] ?? "[null]") as Array<string | null>) {
  stacks.push((await startSupabaseStack({ databaseUrl, migrate: false })).info);
}
process.send?.(stacks);
setInterval(() => undefined, 1000);
