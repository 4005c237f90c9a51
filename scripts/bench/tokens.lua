-- wrk script: sends "Authorization: Bearer <token>", cycling through the
-- tokens in $TOKENS_FILE (one per line); no header when the file is empty.
local tokens = {}
local path = os.getenv("TOKENS_FILE")
if path then
  for line in io.lines(path) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
end
local i = 0
request = function()
  if #tokens == 0 then return wrk.format("GET", "/") end
  i = i % #tokens + 1
  return wrk.format("GET", "/", { ["Authorization"] = "Bearer " .. tokens[i] })
end
