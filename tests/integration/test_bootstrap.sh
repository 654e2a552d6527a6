#!/usr/bin/env bash
# Bootstrapping an empty node by reconciliation (SPEC.md 12.3): a school
# with a slow heartbeat adds an employer holding 60,000 listings.  Its link
# comes up at once (a PING as soon as the handshake succeeds, not at the
# next heartbeat), the fetch keeps at most 4 WANTs outstanding and sends
# none while the employer's records fill 8 MiB of the school's inbox, so
# no answer is dropped for a full inbox (16 MiB) although the records
# arrive far faster than they are verified; every record is stored, and
# the session ends once, cleanly, when the last answer is handled.
. "$(dirname "$0")/lib.sh"
B=$ROOT/${BUILD:-build}/tests
N=60000

id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }
records() { ctl "$1" --json status | grep -o '"records": *[0-9]*' | grep -o '[0-9]*$'; }
# field DIR PEER_ID EXPR: EXPR of that peer's entry in peer list (as p)
field() {
	ctl "$1" --json peer list |
	    json "[$3 for p in d if p['node_id'] == '$2'][0]"
}

emp=$(node_new emp employer)
sch=$(node_new sch school)
# The school's heartbeat is long: before the immediate PING, its link
# (and its synchronisation) waited up to 30 s for the first one.
printf '\n[peer]\nheartbeat_ms = 30000\n' >>"$sch/mentord.conf"
printf '\n[peer]\nauto_sync = no\n' >>"$emp/mentord.conf"
node_start "$emp"
node_start "$sch"
"$B/mkrecords" "$emp" "$N" "$T/many.mntx" >/dev/null
ctl "$emp" --timeout 600 records import "$T/many.mntx" >/dev/null
# The school holds them and its own node record.
want=$(( $(records "$emp") + 1 ))
EMP=$(id_of "$emp")
SCH=$(id_of "$sch")
ctl "$emp" peer add "$(ep_of "$sch")" "$SCH" >/dev/null
ctl "$sch" peer add "$(ep_of "$emp")" "$EMP" >/dev/null
up() { [ "$(field "$sch" "$EMP" 'p["connected"]')" == True ]; }
check "the school's link is up within 3 s of peer add (heartbeat 30 s)" \
    wait_for 3 up

# While it fetches: the most the school's inbox held from the employer,
# and the progress peer list shows (JSON, then the text form once).
most=0 prog= line= sline=
deadline=$((SECONDS + 300))
while n=$(records "$sch"); [ "${n:-0}" -lt "$want" ] && [ $SECONDS -lt $deadline ]; do
	out=$(ctl "$sch" --json peer list 2>/dev/null) || continue
	q=$(echo "$out" | json "[p['queued'] for p in d if p['node_id'] == '$EMP'][0]")
	[ "${q:-0}" -gt "$most" ] && most=$q
	if [ -z "$prog" ]; then
		prog=$(echo "$out" | json "[' '.join(str(p['sync'][k]) for k in ('state', 'delivered', 'to_fetch')) for p in d if p['node_id'] == '$EMP' and p['sync']['state'] == 'fetching' and 0 < p['sync']['delivered'] < p['sync']['to_fetch']][:1]")
		[ "$prog" == "[]" ] && prog=
		[ -n "$prog" ] && line=$(ctl "$sch" peer list | grep "syncing:") &&
		    sline=$(ctl "$sch" status | grep "^syncing:")
	fi
	sleep 0.1
done
check_eq "every record arrives" "$want" "$(records "$sch")"
check "the fetch filled the inbox past 4 MiB at least once (seen: $most bytes)" \
    test "$most" -gt $((4 << 20))
check "  ...but never past its 16 MiB" test "$most" -le $((16 << 20))
check_eq "  ...and no answer was dropped for a full inbox" 0 \
    "$(field "$sch" "$EMP" 'p["dropped"]')"
check_match "peer list --json shows the fetch under way (sync: state, delivered, to_fetch)" \
    "fetching [0-9]+ $((N + 1))" "$prog"
check_match "  ...and so does its text form" \
    "syncing: +fetched [0-9]+ of $((N + 1)) records \([0-9]+%\), [0-9]+/s" "$line"
check_match "  ...and status sums it over the peers" \
    "^syncing: +with 1 peer: fetched [0-9]+ of $((N + 1)) records \([0-9]+%\)" "$sline"
done_sync() { [ "$(field "$sch" "$EMP" 'p["totals"]["syncs"]')" -ge 1 ]; }
check "the session ends" wait_for 30 done_sync
check_eq "  ...once, without a failure, having taken every record (and the node record)" \
    "1 0 $((N + 1))" "$(field "$sch" "$EMP" '"%d %d %d" % (p["totals"]["syncs"], p["totals"]["failures"], p["totals"]["records_in"])')"
check_eq "  ...and nothing is left queued" 0 "$(field "$sch" "$EMP" 'p["queued"]')"
check_eq "  ...nor under way" "idle 0" "$(field "$sch" "$EMP" '"%s %d" % (p["sync"]["state"], p["sync"]["to_fetch"])')"
check_fails "  ...nor shown as such" grep -q "syncing:" <(ctl "$sch" peer list; ctl "$sch" status)
check_eq "  ...in status --json either" "0 0" \
    "$(ctl "$sch" --json status | json '"%d %d" % (d["syncing"]["peers"], d["syncing"]["to_fetch"])')"
check_fails "no fault is logged" grep -q "claimed\|malformed" "$sch.log"
done_testing
