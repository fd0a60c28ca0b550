-- wrk script: cycles through signed payloads (REQS env, "signature<TAB>body" lines);
-- every request gets a fresh X-Zammad-Delivery, every 10th repeats the previous one.
local reqs, i, n, last, tid = {}, 0, 0, "", 0
function setup(thread) tid = tid + 1; thread:set("tid", tid) end
function init(args)
  for line in io.lines(os.getenv("REQS")) do
    local s, b = line:match("([^\t]*)\t(.*)")
    reqs[#reqs + 1] = {s, b}
  end
end
function request()
  i = i % #reqs + 1
  n = n + 1
  local d = last
  if n % 10 ~= 0 then d = tid .. "-" .. n .. "-" .. math.random(1, 1e9) end
  last = d
  local r = reqs[i]
  return wrk.format("POST", "/webhooks/zammad", {["Content-Type"] = "application/json",
    ["X-Zammad-Delivery"] = d, ["X-Hub-Signature"] = r[1]}, r[2])
end
