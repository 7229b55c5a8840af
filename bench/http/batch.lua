-- wrk script: POST /check/batch with 100 questions (different users and sites).
-- STEWARD_BATCH_BODY is the file run.sh wrote with the body.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("STEWARD_KEY")
wrk.path = "/api/v1/orgs/" .. os.getenv("STEWARD_ORG") .. "/check/batch"
local f = assert(io.open(os.getenv("STEWARD_BATCH_BODY"), "r"))
wrk.body = f:read("*a")
f:close()

done = function(summary, latency, requests)
  local rps = summary.requests / (summary.duration / 1e6)
  io.write(string.format("RESULT rps=%.0f checks_per_s=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    rps, rps * 100, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
