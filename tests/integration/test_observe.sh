#!/usr/bin/env bash
# Observing a node: status with units and health (peers connected of N,
# last sync, store use, the hub's certificate, warnings), and /metrics in
# the Prometheus text format on [metrics] listen and on the web listener
# (loopback or a metrics/admin token; only a token behind a proxy), with
# the web's own counters, checked by promtool.
. "$(dirname "$0")/lib.sh"

fast() { printf '\n[peer]\nheartbeat_ms = 200\nsync_interval_s = 2\n' >>"$1/mentord.conf"; }
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:.*\)/\1/p' "$1/mentord.conf"; }
link() {
	ctl "$1" peer add "$(ep_of "$2")" "$(id_of "$2")" --organization "$(basename "$2")" >/dev/null &&
	ctl "$2" peer add "$(ep_of "$1")" "$(id_of "$1")" --organization "$(basename "$1")" >/dev/null
}
connected() { [ "$(ctl "$1" --json status | json 'd["peers_connected"]')" -ge "$2" ]; }
synced() { [ -n "$(ctl "$1" --json status | json 'd["last_sync"]')" ]; }
# scrape DIR: the /metrics text of the node (python, no curl needed).
scrape() {
	python3 -c 'import sys, urllib.request
r = urllib.request.urlopen("http://" + sys.argv[1] + "/metrics", timeout=5)
sys.stdout.write(r.headers["Content-Type"] + "\n" + r.read().decode())' \
	    "$(sed -n 's/^listen = \([0-9.]*:[0-9]*\)$/\1/p' "$1/mentord.conf" | tail -n 1)"
}
metric() { scrape "$1" | awk -v k="$2" '$1 == k { print $2 }'; }

emp=$(node_new acme employer); fast "$emp"
hub=$(node_new hub hub); fast "$hub"
MPORT=$(free_port)
printf '\n[metrics]\nlisten = 127.0.0.1:%s\n' "$MPORT" >>"$emp/mentord.conf"
node_start "$emp"
node_start "$hub"

out=$(ctl "$emp" status)
check_match "status: peers connected of N" '^peers: +0 connected of 0$' \
    "$(echo "$out" | grep '^peers:')"
check_match "status: last sync never" '^last sync: +never$' \
    "$(echo "$out" | grep '^last sync:')"
check_match "status: store use with units and the map" \
    '^store: +[0-9.]+ (KiB|MiB) used of a [0-9.]+ (MiB|GiB) map \([0-9]+%\), [0-9.]+ [KMGT]?i?B free on disk$' \
    "$(echo "$out" | grep '^store:')"
check_match "status: health ok" '^health: +ok$' "$(echo "$out" | grep '^health:')"
check_match "status: counts with their nouns" '^records: +[0-9]+ signed records?$' \
    "$(echo "$out" | grep '^records:')"

link "$emp" "$hub"
check "the employer connects to the hub" wait_for 20 connected "$emp" 1
check "  ...and reconciles on its own" wait_for 20 synced "$emp"
out=$(ctl "$emp" status)
check_match "status: 1 connected of 1" '^peers: +1 connected of 1$' \
    "$(echo "$out" | grep '^peers:')"
check_match "status: last sync as a date and how long ago" \
    '^last sync: +[0-9-]{10} [0-9:]{5} UTC \([0-9]+ (s|min [0-9]+ s) ago\)$' \
    "$(echo "$out" | grep '^last sync:')"
cert_ok() { ctl "$emp" status | grep -q '^cert until:'; }
check "status shows the certificate from the hub" wait_for 20 cert_ok
check_match "  ...valid for about a year" "^cert until: +$(($(date -u +%Y) + 1))-" \
    "$(ctl "$emp" status | grep '^cert until:')"
check_match "  ...in --json too" '^[0-9]{4}-' \
    "$(ctl "$emp" --json status | json 'd["cert_expires"]')"

node_stop "$hub"
down() { [ "$(ctl "$emp" --json status | json 'len(d["warnings"])')" -ge 1 ]; }
check "a disconnected peer becomes a warning" wait_for 20 down
out=$(ctl "$emp" status)
check_match "  ...shown as health: 1 warning" '^health: +1 warning$' \
    "$(echo "$out" | grep '^health:')"
check_match "  ...saying what" '^  warning: 1 of 1 peers not connected' \
    "$(echo "$out" | grep 'warning:')"

# /metrics
cat >"$T/l.json" <<'J'
{"ref":"weld","kind":"job_shadow","title":"Welding shop job shadow",
 "organization":"Acme","capacity":2,"modality":"virtual"}
J
ctl "$emp" listing post "$T/l.json" >/dev/null
ctl "$emp" listing list >/dev/null
ctl "$emp" listing show 00000000000000000000000000000000 >/dev/null 2>&1
ctl "$emp" records export "$T/exp.bin" >/dev/null
ctl "$emp" records import "$T/exp.bin" >/dev/null	# all duplicates
scrape "$emp" >"$T/metrics.txt"
check_eq "/metrics answers in the Prometheus text format 0.0.4" \
    "text/plain; version=0.0.4; charset=utf-8" "$(head -n 1 "$T/metrics.txt")"
tail -n +2 "$T/metrics.txt" >"$T/m.prom"
if command -v promtool >/dev/null; then
	check "promtool check metrics accepts it" sh -c "promtool check metrics <'$T/m.prom'"
	check_eq "  ...without lint remarks" "" "$(promtool check metrics <"$T/m.prom" 2>&1)"
else
	ok "promtool check metrics # SKIP no promtool"
fi
m() { awk -v k="$1" '$1 == k { print $2 }' "$T/m.prom"; }
check_eq "listings gauge" 1 "$(m mentord_listings)"
check_eq "peers gauge" 1 "$(m mentord_peers)"
check_eq "duplicates counted as refused, by reason" \
    "$(ctl "$emp" --json status | json 'd["records"]')" \
    "$(m 'mentord_records_refused_total{reason="duplicate"}')"
check "reconciliations counted" test "$(m 'mentord_reconciliations_total{result="ok"}')" -ge 1
check "reconciliation rounds counted" test "$(m mentord_reconciliation_rounds_total)" -ge 1
check_eq "API requests counted by command and result" "1 1" \
    "$(m 'mentord_api_requests_total{command="listing.list",result="ok"}') $(m 'mentord_api_requests_total{command="listing.show",result="error"}')"
check "the latency histogram counts every request" test \
    "$(m 'mentord_api_request_duration_seconds_bucket{le="+Inf"}')" -eq \
    "$(m mentord_api_request_duration_seconds_count)"
check "store size and map" test "$(m mentord_store_used_bytes)" -gt 0 -a \
    "$(m mentord_store_map_bytes)" -ge "$(m mentord_store_used_bytes)"
check_eq "no student data: no label carries a name or an id" "" \
    "$(grep -v '^#' "$T/m.prom" | grep -E 'acme|hub|Welding|[0-9a-f]{32}')"
code=$(python3 -c 'import urllib.request, urllib.error, sys
try: urllib.request.urlopen("http://127.0.0.1:'"$MPORT"'/secret", timeout=5)
except urllib.error.HTTPError as e: print(e.code)')
check_eq "other paths are 404" 404 "$code"
sch=$(node_new school school)
node_start "$sch"
check_eq "[metrics] listen is off by default" "" "$(grep 'metrics on' "$sch.log")"
check_match "  ...and on when configured" 'metrics on http://127.0.0.1:' \
    "$(grep 'metrics on' "$emp.log")"

# /metrics on the web listener.  hget PATH [TOKEN] [METHOD]: the status,
# the body in $T/body.
hget() {
	python3 - "$(web_of "$sch")$1" "${2:-}" "${3:-GET}" "$T/body" <<'P'
import sys, urllib.request, urllib.error
url, tok, method, out = sys.argv[1:5]
req = urllib.request.Request(url, method=method,
    data=b"{}" if method == "POST" else None)
if method == "POST":
    req.add_header("Content-Type", "application/json")
if tok:
    req.add_header("Authorization", "Bearer " + tok)
try:
    r = urllib.request.urlopen(req, timeout=5)
    code, body = r.status, r.read()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read()
open(out, "wb").write(body)
print(code)
P
}
wm() { awk -v k="$1" '$1 == k { print $2 }' "$T/body"; }
check_eq "a page" 200 "$(hget /)"
check_eq "an API call without signing in" 401 "$(hget /api/v1/status "" POST)"
check_eq "/metrics on the web listener answers a loopback caller" 200 "$(hget /metrics)"
if command -v promtool >/dev/null; then
	check_eq "  ...promtool check metrics accepts it without remarks" "" \
	    "$(promtool check metrics <"$T/body" 2>&1)"
fi
hget /metrics >/dev/null	# counts the scrape before, not itself
check_eq "web requests counted by handler and status" "1 1 1" \
    "$(wm 'mentord_web_requests_total{handler="page",code="200"}') $(wm \
    'mentord_web_requests_total{handler="api",code="401"}') $(wm \
    'mentord_web_requests_total{handler="metrics",code="200"}')"
check_eq "  ...with a latency histogram per handler" "1 1" \
    "$(wm 'mentord_web_request_duration_seconds_count{handler="api"}') $(wm \
    'mentord_web_request_duration_seconds_bucket{handler="api",le="+Inf"}')"
mtok=$(ctl "$sch" web token add prom --role metrics)
ctok=$(ctl "$sch" web token add clerk --role coordinator)
atok=$(ctl "$sch" web token add boss --role admin)
check_eq "a metrics token reads /metrics" 200 "$(hget /metrics "$mtok")"
check_eq "  ...and nothing else" 403 "$(hget /api/v1/status "$mtok" POST)"
check_eq "a coordinator's token does not read /metrics" 403 "$(hget /metrics "$ctok")"
# Its last character changed (to 1 when it was 0): a token never issued.
bad=${mtok%?}0; [ "$bad" = "$mtok" ] && bad=${mtok%?}1
check_eq "an unknown token is refused" 401 "$(hget /metrics "$bad")"
check_fails "web user add refuses the metrics role" ctl "$sch" web user add m --role metrics
node_stop "$sch"
printf 'behind_proxy = yes\n' >>"$sch/mentord.conf"	# [web] is last
node_start "$sch"
check_eq "behind a proxy, a loopback caller without a token is refused" 401 "$(hget /metrics)"
check_eq "  ...a metrics token reads it" 200 "$(hget /metrics "$mtok")"
check_eq "  ...and an admin token" 200 "$(hget /metrics "$atok")"
done_testing
