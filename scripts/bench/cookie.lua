-- wrk script: sends "Cookie: <line>" with the first line of $COOKIE_FILE
-- (an ALB-mode session), or no header when the variable is unset.
local cookie = nil
local path = os.getenv("COOKIE_FILE")
if path then
  for line in io.lines(path) do
    if #line > 0 then cookie = line; break end
  end
end
request = function()
  if cookie == nil then return wrk.format("GET", "/") end
  return wrk.format("GET", "/", { ["Cookie"] = cookie })
end
