-- wrk script for a steady rate over a rotating token set: each connection
-- waits $DELAY_MS before each request and sends the next token of
-- $TOKENS_FILE (one per line, cycling), so tokens keep entering and
-- leaving the verified-token cache when the set is larger than it holds.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  if #line > 0 then tokens[#tokens + 1] = line end
end
local pause = tonumber(os.getenv("DELAY_MS") or "10")
local i = 0
delay = function() return pause end
request = function()
  i = i % #tokens + 1
  return wrk.format("GET", "/", { ["Authorization"] = "Bearer " .. tokens[i] })
end
