#!/usr/bin/env bash
# Federation over real sockets on 127.0.0.1: a chain employer -> hub ->
# school and a triangle; propagation of posts, versions and withdrawals;
# catching up after kill -9 and after SIGSTOP; a node nobody added; a
# test peer sending forged, tampered, replayed-older and expired records.
. "$(dirname "$0")/lib.sh"
FAKEPEER=$ROOT/${BUILD:-build}/tests/fakepeer

fast() {	# fast DIR: heartbeats and anti-entropy quick enough for tests
	printf '\n[peer]\nheartbeat_ms = 200\nsync_interval_s = 2\n' >>"$1/mentord.conf"
}
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }
# hub_flag DIR: --hub when DIR is a hub: its peers honour its certificates
hub_flag() { grep -q '^role = hub$' "$1/mentord.conf" && echo --hub; }
link() {	# link A B: each adds the other
	ctl "$1" peer add "$(ep_of "$2")" "$(id_of "$2")" --organization "$(basename "$2")" $(hub_flag "$2") >/dev/null &&
	ctl "$2" peer add "$(ep_of "$1")" "$(id_of "$1")" --organization "$(basename "$1")" $(hub_flag "$1") >/dev/null
}
has_listing() { ctl "$1" listing show "$2" >/dev/null 2>&1; }
lacks_listing() { ! ctl "$1" listing show "$2" >/dev/null 2>&1; }
capacity_is() { [ "$(ctl "$1" --json listing show "$2" 2>/dev/null | json 'd["capacity"]')" == "$3" ]; }
connected() { [ "$(ctl "$1" --json peer list | json 'all(p["connected"] for p in d) and len(d) > 0')" == True ]; }

emp=$(node_new employer employer); fast "$emp"
hub=$(node_new hub hub); fast "$hub"
sch=$(node_new school school); fast "$sch"
for d in "$emp" "$hub" "$sch"; do node_start "$d"; done
link "$emp" "$hub"
link "$hub" "$sch"
check "the chain links come up" wait_for 15 connected "$hub"
check "  ...on the school too" wait_for 15 connected "$sch"

cat >"$T/l.json" <<'J'
{"ref":"cnc-shadow","kind":"job_shadow","title":"CNC machining shadow",
 "organization":"Employer","capacity":2,"modality":"virtual",
 "clusters":["manufacturing"],"occupations":["51-9161.00"]}
J
id=$(ctl "$emp" --json listing post "$T/l.json" | json 'd["ids"][0]')
check "a posted listing reaches the hub" wait_for 15 has_listing "$hub" "$id"
check "  ...and, through the hub's certificate, the school" \
    wait_for 15 has_listing "$sch" "$id"
check_eq "the school's copy is the employer's signed record" \
    "$(ctl "$emp" --json listing show "$id" | json 'd["record_id"]')" \
    "$(ctl "$sch" --json listing show "$id" | json 'd["record_id"]')"

sed 's/"capacity":2/"capacity":5/' "$T/l.json" >"$T/l2.json"
ctl "$emp" listing post "$T/l2.json" >/dev/null
check "a new version propagates to the school" wait_for 15 capacity_is "$sch" "$id" 5
ctl "$emp" listing withdraw "$id" >/dev/null
check "a withdrawal propagates to the school" wait_for 15 lacks_listing "$sch" "$id"

# kill -9 the school; the employer posts; the school catches up.
kill -9 "$(cat "$sch.pid")"; wait "$(cat "$sch.pid")" 2>/dev/null
sed 's/"cnc-shadow"/"weld-2"/' "$T/l2.json" >"$T/l3.json"
id3=$(ctl "$emp" --json listing post "$T/l3.json" | json 'd["ids"][0]')
check "  (the hub has it while the school is down)" wait_for 15 has_listing "$hub" "$id3"
node_start "$sch"
check "a school killed with -9 catches up after restart" \
    wait_for 20 has_listing "$sch" "$id3"

# SIGSTOP the hub while the employer changes things; SIGCONT: converge.
kill -STOP "$(cat "$hub.pid")"
sed 's/"cnc-shadow"/"stopped-1"/' "$T/l2.json" >"$T/l4.json"
id4=$(ctl "$emp" --json listing post "$T/l4.json" | json 'd["ids"][0]')
ctl "$emp" listing withdraw "$id3" >/dev/null
sleep 1
kill -CONT "$(cat "$hub.pid")"
check "after SIGSTOP/SIGCONT the school gets the new listing" \
    wait_for 25 has_listing "$sch" "$id4"
check "  ...and the withdrawal" wait_for 25 lacks_listing "$sch" "$id3"

wait_for 15 connected "$sch"
out=$(ctl "$sch" --json sync)
check_match "sync reports per-peer figures" '"rounds"' "$out"
check_eq "  ...in-sync nodes reconcile in one round" "1" \
    "$(echo "$out" | json 'd[0]["rounds"]')"
check_eq "  ...and exchange no records" "0 0" \
    "$(echo "$out" | json 'str(d[0]["records_in"])+" "+str(d[0]["records_out"])')"

# A node nobody added cannot deliver anything.
intr=$(node_new intruder employer); fast "$intr"
node_start "$intr"
ctl "$intr" peer add "$(ep_of "$sch")" "$(id_of "$sch")" >/dev/null
sed 's/"cnc-shadow"/"intruder"/' "$T/l.json" >"$T/li.json"
idi=$(ctl "$intr" --json listing post "$T/li.json" | json 'd["ids"][0]')
# The raw connection first: its refusal takes 5 s (fakepeer's wait for a
# pong), time enough for the intruder's own link to have come up if it
# could; at least 2 s in any case.
t0=$SECONDS
check_fails "an intruder cannot deliver through a raw peer connection" \
    "$FAKEPEER" "$intr" "$(ep_of "$sch")" "$(id_of "$sch")" expired
[ $((SECONDS - t0)) -ge 2 ] || sleep 2
check_eq "  ...its own link never comes up" "False" \
    "$(ctl "$intr" --json peer list | json 'd[0]["connected"]')"
check "  ...and the school never gets its listing" lacks_listing "$sch" "$idi"

# A test peer the school added sends records it must refuse.
fake=$(node_new fake employer)
fid=$(python3 -c 'import sys; print(open(sys.argv[1],"rb").read()[32:].hex())' "$fake/sign.key")
ctl "$sch" peer add "tcp://127.0.0.1:9" "$fid" >/dev/null
ctl "$emp" records export "$T/emp.bin"
records=$(ctl "$sch" --json status | json 'd["records"]')
python3 - "$T/emp.bin" "$T/tampered.bin" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[5 + 4 + 200] ^= 1
open(sys.argv[2], 'wb').write(bytes(b))
PY
check "the test peer is admitted" "$FAKEPEER" "$fake" "$(ep_of "$sch")" "$(id_of "$sch")" garbage
check "  ...sends a forged record" "$FAKEPEER" "$fake" "$(ep_of "$sch")" "$(id_of "$sch")" forge "$T/emp.bin"
check "  ...tampered records" "$FAKEPEER" "$fake" "$(ep_of "$sch")" "$(id_of "$sch")" push "$T/tampered.bin"
check "  ...an expired record" "$FAKEPEER" "$fake" "$(ep_of "$sch")" "$(id_of "$sch")" expired
settled() { [ "$(ctl "$sch" --json peer list | json '[p for p in d if p["node_id"]=="'"$fid"'"][0]["queued"]')" == 0 ]; }
check "  ...which the school verifies" wait_for 20 settled
check_eq "the school stored none of them" "$records" \
    "$(ctl "$sch" --json status | json 'd["records"]')"
check "  ...and counted the peer's invalid messages" test \
    "$(ctl "$sch" --json peer list | json '[p for p in d if p["node_id"]=="'"$fid"'"][0]["invalid"]')" -ge 3

# Replayed older version: the school refuses it too.
ctl "$emp" records export "$T/old.bin"
sed 's/"capacity":5/"capacity":9/' "$T/l4.json" >"$T/l5.json"
ctl "$emp" listing post "$T/l5.json" >/dev/null
check "the newer version reaches the school" wait_for 15 capacity_is "$sch" "$id4" 9
"$FAKEPEER" "$fake" "$(ep_of "$sch")" "$(id_of "$sch")" push "$T/old.bin" >/dev/null
wait_for 20 settled
check_eq "a replayed older version does not replace it" 9 \
    "$(ctl "$sch" --json listing show "$id4" | json 'd["capacity"]')"

# A triangle: three directly linked nodes, a post reaches both others.
a=$(node_new tri-a employer); fast "$a"
b=$(node_new tri-b school); fast "$b"
c=$(node_new tri-c school); fast "$c"
for d in "$a" "$b" "$c"; do node_start "$d"; done
link "$a" "$b"; link "$b" "$c"; link "$a" "$c"
check "the triangle links come up" wait_for 15 connected "$c"
idt=$(ctl "$a" --json listing post "$T/l.json" | json 'd["ids"][0]')
check "a post in the triangle reaches b" wait_for 15 has_listing "$b" "$idt"
check "  ...and c" wait_for 15 has_listing "$c" "$idt"
check_eq "  ...stored once (duplicates are no-ops)" 1 \
    "$(ctl "$c" --json listing list | json 'len(d)')"

# Push alone (no anti-entropy at all): a post and a withdrawal relay
# through a hub in real time.
quiet() { printf '\n[peer]\nheartbeat_ms = 200\nauto_sync = no\n' >>"$1/mentord.conf"; }
p1=$(node_new push-emp employer); quiet "$p1"
p2=$(node_new push-hub hub); quiet "$p2"
p3=$(node_new push-sch school); quiet "$p3"
for d in "$p1" "$p2" "$p3"; do node_start "$d"; done
link "$p1" "$p2"; link "$p2" "$p3"
check "without anti-entropy the links come up" wait_for 15 connected "$p3"
check "  ...and the hub's link to the employer" wait_for 15 connected "$p2"
ctl "$p2" sync >/dev/null	# the hub's certificate of the employer
ctl "$p3" sync >/dev/null
idp=$(ctl "$p1" --json listing post "$T/l.json" | json 'd["ids"][0]')
check "a post is pushed and relayed to the school" wait_for 10 has_listing "$p3" "$idp"
ctl "$p1" listing withdraw "$idp" >/dev/null
check "  ...and so is its withdrawal" wait_for 10 lacks_listing "$p3" "$idp"

check "peer remove" ctl "$sch" peer remove "$(id_of "$hub")"
check_eq "  ...peer list no longer shows it" 0 \
    "$(ctl "$sch" --json peer list | json 'len([p for p in d if p["node_id"]=="'"$(id_of "$hub")"'"])')"
for d in "$emp" "$hub" "$sch" "$intr" "$a" "$b" "$c" "$p1" "$p2" "$p3"; do node_stop "$d"; done
done_testing
