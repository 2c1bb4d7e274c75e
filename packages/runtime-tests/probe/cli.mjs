// `<runtime> probe/cli.mjs <job.json>`: prints the probe's result on a line starting with RESULT.
import { readFileSync } from "node:fs";
import { probe } from "./probe.mjs";

const file = globalThis.Deno ? globalThis.Deno.args[0] : globalThis.process.argv[2];
const result = await probe(JSON.parse(readFileSync(file, "utf8")));
console.log(`RESULT ${JSON.stringify(result)}`);
