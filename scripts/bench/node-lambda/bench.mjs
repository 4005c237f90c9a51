// node bench.mjs cold EVENT            one decision from a fresh process
// node bench.mjs warm EVENT SECONDS    decisions per second in-process
import { readFileSync } from "node:fs";
import { handler } from "./handler.mjs";

const [mode, path, seconds] = process.argv.slice(2);
const event = JSON.parse(readFileSync(path, "utf8"));
if (mode === "cold") {
  const answer = await handler(event);
  console.log(JSON.stringify(answer.policyDocument.Statement[0].Effect));
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
