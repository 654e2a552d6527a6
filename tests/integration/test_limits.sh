#!/usr/bin/env bash
# Per-peer limits on valid traffic (SPEC.md 12.4): a school with small
# limits ([peer] limit_records_per_s, limit_bytes_per_s) takes a flood of
# valid listings from one employer while another employer's new listing
# still arrives promptly; the flooding peer is counted (peer list
# throttled_valid, /metrics) and logged, never disconnected or refused, and
# every record of the flood arrives in the end.
. "$(dirname "$0")/lib.sh"
B=$ROOT/${BUILD:-build}/tests
N=30000

fast() {	# fast DIR: heartbeats and anti-entropy quick enough for tests
	printf '\n[peer]\nheartbeat_ms = 200\nsync_interval_s = 2\n' >>"$1/mentord.conf"
}
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }
link() {	# link A B: each adds the other
	ctl "$1" peer add "$(ep_of "$2")" "$(id_of "$2")" >/dev/null &&
	ctl "$2" peer add "$(ep_of "$1")" "$(id_of "$1")" >/dev/null
}
records() { ctl "$1" --json status | json 'd["records"]'; }
at_least() { [ "$(records "$1")" -ge "$2" ]; }
has_listing() { ctl "$1" listing show "$2" >/dev/null 2>&1; }
connected() { [ "$(ctl "$1" --json peer list | json 'len(d)>0 and all(p["connected"] for p in d)')" == True ]; }
# peer_field DIR PEER_ID FIELD (a busy node may not answer at once: retried)
peer_field() {
	local out i
	for i in $(seq 30); do
		if out=$(ctl "$1" --json peer list 2>/dev/null); then
			echo "$out" | json "[p['$3'] for p in d if p['node_id'] == '$2'][0]"
			return
		fi
		sleep 1
	done
}
over_limit() { [ "$(peer_field "$1" "$2" throttled_valid)" -gt 0 ]; }
scrape() {
	python3 - "$1" <<'PY'
import sys, urllib.request
print(urllib.request.urlopen("http://" + sys.argv[1] + "/metrics",
      timeout=5).read().decode(), end="")
PY
}

# A bad limit is refused when the daemon starts, naming the key.
bad=$(node_new bad school)
printf '\n[peer]\nlimit_records_per_s = -5\n' >>"$bad/mentord.conf"
out=$(timeout 10 "$MENTORD" -d "$bad" 2>&1)
check_match "a negative limit_records_per_s is refused at start" \
    'limit_records_per_s' "$out"

sch=$(node_new school school); fast "$sch"
MPORT=$(free_port)
printf 'limit_records_per_s = 200\nlimit_bytes_per_s = 200000\nlimit_burst_s = 1\n[metrics]\nlisten = 127.0.0.1:%s\n' \
    "$MPORT" >>"$sch/mentord.conf"
noisy=$(node_new noisy employer); fast "$noisy"
quiet=$(node_new quiet employer); fast "$quiet"
for d in "$sch" "$noisy" "$quiet"; do node_start "$d"; done
link "$noisy" "$sch"
link "$quiet" "$sch"
check "the school's links come up" wait_for 20 connected "$sch"
NOISY=$(id_of "$noisy")
QUIET=$(id_of "$quiet")
base=$(records "$sch")

# The flood: N valid listings by the noisy employer, imported there and
# announced to the school, which fetches them.
"$B/mkrecords" "$noisy" "$N" "$T/flood.mntx"
ctl "$noisy" --timeout 600 records import "$T/flood.mntx" >/dev/null &
IMPORT=$!
check "the flood reaches the school" wait_for 120 at_least "$sch" $((base + 200))

cat >"$T/q.json" <<'J'
{"ref":"quiet-shadow","kind":"job_shadow","title":"Quiet job shadow",
 "organization":"Quiet","capacity":1,"modality":"virtual",
 "clusters":["manufacturing"],"occupations":["51-9161.00"]}
J
qid=$(ctl "$quiet" --json listing post "$T/q.json" | json 'd["ids"][0]')
# arrived: the listing is at the school; AT: what of the flood it held then
arrived() { has_listing "$sch" "$qid" && AT=$(( $(records "$sch") - base )); }
AT=
check "the other employer's listing arrives during the flood" \
    wait_for 60 arrived
check "  ...ahead of the flood's end (the school held $AT of its $N records)" \
    test "${AT:-$N}" -lt "$N"
wait "$IMPORT"

check "the flooding peer is counted over its limit (throttled_valid > 0)" \
    wait_for 60 over_limit "$sch" "$NOISY"
check_eq "  ...the other peer is not" 0 "$(peer_field "$sch" "$QUIET" throttled_valid)"
scrape "127.0.0.1:$MPORT" >"$T/metrics.txt"
check "  ...and /metrics counts it" \
    grep -Eq '^mentord_peer_records_throttled_total [1-9]' "$T/metrics.txt"
check "  ...and the school's log says so" \
    grep -q "over its limits of 200 records and 200000 bytes a second" "$sch.log"
check "every flooded record arrives in the end" \
    wait_for 300 at_least "$sch" $((base + N + 1))
check_eq "valid traffic is no fault: the flooding peer was never suspended" \
    "0 False" "$(peer_field "$sch" "$NOISY" invalid) $(peer_field "$sch" "$NOISY" suspended)"
check "  ...and is still connected" wait_for 10 connected "$sch"
done_testing
