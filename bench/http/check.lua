-- wrk script: POST /check with an API key. STEWARD_ORG, STEWARD_KEY, STEWARD_USER,
-- STEWARD_OBJECT come from the environment (run.sh sets them).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("STEWARD_KEY")
wrk.path = "/api/v1/orgs/" .. os.getenv("STEWARD_ORG") .. "/check"
wrk.body = string.format('{"user_id":"%s","action":"site:view","object_id":"%s"}',
  os.getenv("STEWARD_USER"), os.getenv("STEWARD_OBJECT"))

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
