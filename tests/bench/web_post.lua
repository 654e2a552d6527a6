-- web_post.lua: wrk script for bench_web.sh: POSTs one command with the
-- session cookie and CSRF token from the environment and prints one
-- parseable line at the end.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "mentord_session=" .. os.getenv("COOKIE")
wrk.headers["X-CSRF-Token"] = os.getenv("CSRF")

done = function(summary, latency, requests)
	local bad = summary.errors.status + summary.errors.connect +
	    summary.errors.read + summary.errors.write + summary.errors.timeout
	io.write(string.format("requests %d errors %d p50_ms %.2f p99_ms %.2f rps %.0f\n",
	    summary.requests, bad, latency:percentile(50) / 1000,
	    latency:percentile(99) / 1000,
	    summary.requests / (summary.duration / 1e6)))
end
