#!/usr/bin/env bash
# bench_web.sh: a student's matches at 100,000 live listings, over HTTP
# (POST /api/v1/match with a signed-in student's cookie, measured with
# wrk) beside the same command over the ZeroMQ client API (zbench, C
# clients on the ipc socket): 50 concurrent clients each, p50/p99 latency
# and requests per second.  BENCH_WEB_N and BENCH_WEB_S change the number
# of listings and the seconds of each run.
set -u
. "$(dirname "$0")/../integration/lib.sh"
B=$ROOT/${BUILD:-build}/tests
N=${BENCH_WEB_N:-100000}
S=${BENCH_WEB_S:-10}
C=50
command -v wrk >/dev/null || { echo "bench_web: wrk is not installed (contrib/install-deps)"; exit 1; }

s=$(node_new webbench school)
sed -i 's/^level = info$/level = warn/' "$s/mentord.conf"
node_start "$s" || exit 1
ctl "$s" student import "$ROOT/contrib/data/sample/students.csv" >/dev/null
"$B/mkrecords" "$s" "$N" "$T/l.mntx" >/dev/null
ctl "$s" --timeout 3600 records import "$T/l.mntx" >/dev/null
live=$(ctl "$s" --json status | json 'd.get("listings", d.get("live_listings", "?"))')
BASE=$(web_of "$s")
CODE=$(ctl "$s" --json web code S1002 | json 'd["codes"][0]["code"]')
curl -s -c "$T/jar" -o "$T/me" -H 'Content-Type: application/json' \
    -d "{\"code\":\"$CODE\"}" "$BASE/api/v1/auth/signin"
export CSRF COOKIE BODY
CSRF=$(json 'd["result"]["csrf"]' <"$T/me")
COOKIE=$(awk '$6=="mentord_session"{print $7}' "$T/jar")
BODY='{"student":"S1002","top":10}'
got=$(curl -s -b "$T/jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
    -d "$BODY" "$BASE/api/v1/match" | json 'len(d["result"]["matches"])')
[ "$got" = 10 ] || { echo "bench_web: the match over HTTP gave $got matches, not 10"; exit 1; }

# Warm up both paths (the store's pages, the allocator) before measuring.
wrk -t2 -c$C -d2s -s "$ROOT/tests/bench/web_post.lua" "$BASE/api/v1/match" >/dev/null
"$B/zbench" "ipc://$s/api.sock" $C 2 match "$BODY" >/dev/null

row() {	# row LABEL "requests N errors N p50_ms X p99_ms X rps X"
	set -- "$1" $2
	echo "| $1 | $C | $3 | $5 | $7 | $9 | ${11} |"
}
echo "A student's top 10 matches among $N live listings ($live held), $C clients, ${S} s each"
echo
echo "| transport | clients | requests | errors | p50 ms | p99 ms | requests/s |"
echo "|---|---|---|---|---|---|---|"
w=$(wrk -t2 -c$C -d${S}s -s "$ROOT/tests/bench/web_post.lua" "$BASE/api/v1/match" | grep '^requests ')
row "HTTP (wrk, cookie + CSRF)" "$w"
z=$("$B/zbench" "ipc://$s/api.sock" $C "$S" match "$BODY")
row "ZeroMQ ipc (zbench)" "$z"
node_stop "$s"
