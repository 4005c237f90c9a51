// node bench.mjs cold EVENT            one decision from a fresh process
// node bench.mjs warm EVENT SECONDS    decisions per second in-process
import { readFileSync } from "node:fs";
import { handler } from "./handler.mjs";

const [mode, path, seconds] = process.argv.slice(2);
const event = JSON.parse(readFileSync(path, "utf8"));
if (mode === "cold") {
  const answer = await handler(event);
  // Microseconds since BENCH_T0 (ns since the epoch, taken just before this process started).
  const sinceT0 = Math.round((performance.timeOrigin + performance.now()) * 1000 - Number(BigInt(process.env.BENCH_T0 ?? 0) / 1000n));
  console.log(`${JSON.stringify(answer.policyDocument.Statement[0].Effect)} ${sinceT0}`);
} else if (mode === "warm") {
  const deadline = performance.now() + Number(seconds) * 1000;
  const start = performance.now();
  let n = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) {
      const answer = await handler(structuredClone(event));
      if (answer.policyDocument.Statement[0].Effect !== "Allow") throw new Error("not allowed");
    }
    n += 100;
  }
  console.log(`uncached ${Math.round(n / ((performance.now() - start) / 1000))}`);
} else {
  console.error("usage: node bench.mjs cold EVENT | warm EVENT SECONDS");
  process.exit(2);
}
