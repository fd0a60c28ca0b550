-- wrk script for the ingest benchmark: cycles through pre-generated signed deliveries
-- (REQS env: "delivery-id<TAB>signature<TAB>body" lines from bench/payloads). The
-- delivery id gets the thread and cycle number appended, so every cycle is new
-- deliveries; the file's repeated lines stay redeliveries within a cycle.
local reqs, i, cycle, tid = {}, 0, 0, 0
function setup(thread) tid = tid + 1; thread:set("tid", tid) end
function init(args)
  for line in io.lines(os.getenv("REQS")) do
    local d, s, b = line:match("([^\t]*)\t([^\t]*)\t(.*)")
    reqs[#reqs + 1] = {d, s, b}
  end
end
function request()
  i = i + 1
  if i > #reqs then i = 1; cycle = cycle + 1 end
  local r = reqs[i]
  return wrk.format("POST", "/webhooks/zammad", {["Content-Type"] = "application/json; charset=utf-8",
    ["X-Zammad-Trigger"] = "slaguard: any change", ["X-Zammad-Delivery"] = r[1] .. "-" .. tid .. "-" .. cycle,
    ["X-Hub-Signature"] = r[2]}, r[3])
end
