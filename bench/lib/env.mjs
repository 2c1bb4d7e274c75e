import { readFileSync } from "node:fs";
import { availableParallelism, cpus, freemem, loadavg, totalmem } from "node:os";

/** What the figures were measured on: they mean little without it. */
export function machine() {
  const cpu = cpus()[0];
  let model = cpu?.model ?? "unknown";
  if (model === "unknown") {
    try {
      model = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? model;
    } catch {}
  }
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    cpu: model.trim(),
    cores: availableParallelism(),
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    freeMemoryGiB: Number((freemem() / 2 ** 30).toFixed(1)),
    load: loadavg().map((l) => Number(l.toFixed(2))),
    date: new Date().toISOString(),
  };
}
