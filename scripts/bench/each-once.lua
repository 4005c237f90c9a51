-- wrk script: sends every token in $TOKENS_FILE (one per line) once as
-- "Authorization: Bearer <token>", in order, then stops (use -t1). Requests
-- still in flight at the end wrap around to the first tokens.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  if #line > 0 then tokens[#tokens + 1] = line end
end
local sent, answered = 0, 0
request = function()
  sent = sent + 1
  local token = tokens[(sent - 1) % #tokens + 1]
  return wrk.format("GET", "/", { ["Authorization"] = "Bearer " .. token })
end
response = function()
  answered = answered + 1
  if answered >= #tokens then wrk.thread:stop() end
end
