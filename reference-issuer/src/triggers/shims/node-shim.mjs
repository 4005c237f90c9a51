// cognito-issuer's Node shim (written by the issuer; edits are overwritten).
// Loads the team's Lambda module and runs its handler on each event the
// issuer writes to stdin as one JSON line; answers one JSON line on stdout:
// {"result": <returned event>} or {"error": {"errorMessage", "errorType"}}.
// The handler's own console output goes to stderr, which the issuer logs.
import fs from 'node:fs';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';

const [, , modulePath, exportName = 'handler', functionName = 'function'] = process.argv;
const answer = (obj) => fs.writeSync(1, JSON.stringify(obj) + '\n');
// fd 1 carries the protocol: route everything else written to stdout to stderr.
process.stdout.write = process.stderr.write.bind(process.stderr);

const describe = (err) => {
  if (err instanceof Error) return { errorMessage: err.message, errorType: err.name };
  if (typeof err === 'string') return { errorMessage: err, errorType: 'string' };
  let text;
  try { text = JSON.stringify(err); } catch { text = String(err); }
  return { errorMessage: text ?? String(err), errorType: typeof err };
};

let mod;
try {
  mod = await import(pathToFileURL(modulePath).href);
} catch (err) {
  console.error(`cannot load ${modulePath}:`, err);
  process.exit(1);
}
const handler = mod[exportName] ?? mod.default?.[exportName];
if (typeof handler !== 'function') {
  console.error(`${modulePath} exports no function named ${exportName}`);
  process.exit(1);
}

let pending = null; // settles the invocation in flight
process.on('uncaughtException', (err) => {
  console.error('uncaught exception:', err);
  if (pending) pending(err);
});
process.on('unhandledRejection', (err) => {
  console.error('unhandled rejection:', err);
  if (pending) pending(err);
});

function run(event, deadline) {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (err, result) => {
      if (settled) return;
      settled = true;
      pending = null;
      resolve(err != null ? { error: describe(err) } : { result: result ?? null });
    };
    pending = (err) => settle(err ?? new Error('failed'));
    const requestId = randomUUID();
    const context = {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: process.env.COGNITO_ISSUER_FUNCTION_ARN ?? '',
      memoryLimitInMB: '128',
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'cognito-issuer',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: (err, result) => settle(err, result),
      succeed: (result) => settle(null, result),
      fail: (err) => settle(err ?? new Error('failed')),
    };
    try {
      const r = handler(event, context, settle);
      // Async handlers answer with their promise; others through the callback.
      if (r && typeof r.then === 'function') r.then((v) => settle(null, v), (e) => settle(e ?? new Error('rejected')));
    } catch (err) {
      settle(err);
    }
  });
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let req;
  try { req = JSON.parse(line); } catch { answer({ error: { errorMessage: 'bad request line', errorType: 'Shim' } }); continue; }
  const out = await run(req.event, req.deadline_ms ?? Date.now() + 5000);
  try { answer(out); } catch (err) { answer({ unrecognizable: String(err) }); }
}
process.exit(0);
