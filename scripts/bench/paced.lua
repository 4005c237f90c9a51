-- wrk script for a steady rate: like tokens.lua (the token in
-- $TOKENS_FILE), each connection waits $DELAY_MS before each request, and
-- every $ANON_EVERY-th request carries no token (a 401 from the gate).
local path = os.getenv("TOKENS_FILE")
local token = nil
if path then
  for line in io.lines(path) do
    if #line > 0 then token = line break end
  end
end
local pause = tonumber(os.getenv("DELAY_MS") or "10")
local every = tonumber(os.getenv("ANON_EVERY") or "0")
local n = 0
delay = function() return pause end
request = function()
  n = n + 1
  if token == nil or (every > 0 and n % every == 0) then return wrk.format("GET", "/") end
  return wrk.format("GET", "/", { ["Authorization"] = "Bearer " .. token })
end
