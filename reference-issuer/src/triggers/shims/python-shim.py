# cognito-issuer's Python shim (written by the issuer; edits are overwritten).
# Loads the team's Lambda module and calls module.function(event, context) on
# each event the issuer writes to stdin as one JSON line; answers one JSON
# line: {"result": <returned event>} or {"error": {"errorMessage", "errorType"}}.
# The handler's own output (print, logging) goes to stderr, which the issuer logs.
import importlib.util
import json
import os
import sys
import time
import traceback
import uuid

module_path = sys.argv[1]
function_name = sys.argv[2] if len(sys.argv) > 2 else "lambda_handler"
lambda_name = sys.argv[3] if len(sys.argv) > 3 else "function"

# fd 1 carries the protocol: keep a private copy, point fd 1 at stderr.
protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", closefd=False)

sys.path.insert(0, os.path.dirname(os.path.abspath(module_path)))
try:
    name = os.path.splitext(os.path.basename(module_path))[0]
    spec = importlib.util.spec_from_file_location(name, module_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    handler = getattr(module, function_name)
except Exception:
    traceback.print_exc()
    sys.exit(1)


class Context:
    def __init__(self, deadline_ms):
        self.function_name = lambda_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = os.environ.get("COGNITO_ISSUER_FUNCTION_ARN", "")
        self.memory_limit_in_mb = 128
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/" + lambda_name
        self.log_stream_name = "cognito-issuer"
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


def answer(obj):
    try:
        text = json.dumps(obj)
    except (TypeError, ValueError) as e:
        text = json.dumps({"unrecognizable": str(e)})
    protocol.write(text + "\n")
    protocol.flush()


for line in sys.stdin:
    if not line.strip():
        continue
    try:
        req = json.loads(line)
    except ValueError:
        answer({"error": {"errorMessage": "bad request line", "errorType": "Shim"}})
        continue
    context = Context(req.get("deadline_ms", time.time() * 1000 + 5000))
    try:
        result = handler(req["event"], context)
        out = {"result": result}
    except Exception as e:  # the handler threw: AWS reports its message
        traceback.print_exc()
        out = {"error": {"errorMessage": str(e), "errorType": type(e).__name__}}
    answer(out)
