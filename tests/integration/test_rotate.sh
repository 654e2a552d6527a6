#!/usr/bin/env bash
# Key rotation across three nodes (SPEC.md 2.8): an employer linked to a
# hub linked to a school rotates its key; the hub replaces the peer and
# certifies the new key, the school accepts the new key's listings through
# that certificate, and every later record of the old key (a listing, a
# second rotation) is refused on both; schools stop matching the old key's
# listings and refuse applications to them; the employer, restarted,
# signs its live listings again with the new key, places taken included.
. "$(dirname "$0")/lib.sh"

fast() { printf '\n[peer]\nheartbeat_ms = 200\nsync_interval_s = 2\n' >>"$1/mentord.conf"; }
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }
hub_flag() { grep -q '^role = hub$' "$1/mentord.conf" && echo --hub; }
link() {
	ctl "$1" peer add "$(ep_of "$2")" "$(id_of "$2")" --organization "$(basename "$2")" $(hub_flag "$2") >/dev/null &&
	ctl "$2" peer add "$(ep_of "$1")" "$(id_of "$1")" --organization "$(basename "$1")" $(hub_flag "$1") >/dev/null
}
has_listing() { ctl "$1" listing show "$2" >/dev/null 2>&1; }
connected() { [ "$(ctl "$1" --json peer list | json 'all(p["connected"] for p in d) and len(d) > 0')" == True ]; }
peer_ids() { ctl "$1" --json peer list | json '" ".join(sorted(p["node_id"] for p in d))'; }
listing() {	# listing REF: a listing object
	printf '{"ref":"%s","kind":"job_shadow","title":"Shadow %s","organization":"Employer","capacity":2,"modality":"virtual"}' "$1" "$1"
}

emp=$(node_new employer employer); fast "$emp"
hub=$(node_new hub hub); fast "$hub"
sch=$(node_new school school); fast "$sch"
for d in "$emp" "$hub" "$sch"; do node_start "$d"; done
link "$emp" "$hub"
link "$hub" "$sch"
check "the chain employer - hub - school comes up" wait_for 20 connected "$hub"
listing before >"$T/l1.json"
l1=$(ctl "$emp" --json listing post "$T/l1.json" | json 'd["ids"][0]')
check "a listing of the old key reaches the school" wait_for 20 has_listing "$sch" "$l1"
y=$(date -u +%Y)
printf '[{"id":"S1","name":"Ada Lindqvist","birth_date":"%s-04-04","modality":["virtual"]},
{"id":"S2","name":"Bo Ferreira","birth_date":"%s-05-05","modality":["virtual"]},
{"id":"S3","name":"Cy Okafor","birth_date":"%s-06-06","modality":["virtual"]}]' "$((y-19))" "$((y-19))" "$((y-19))" >"$T/s.json"
ctl "$sch" student import "$T/s.json" >/dev/null
matched() { ctl "$sch" --json match S1 --top 100 | json "any(m['listing'] == '$1' for m in d['matches'])"; }
check_eq "  ...and a student is matched to it" True "$(matched "$l1")"

old=$(id_of "$emp")
node_stop "$emp"
cp -a "$emp" "$T/stolen"	# what a thief of the old key would hold
node_start "$emp"
received() { [ "$(ctl "$1" --json application list | json 'len([a for a in d if a["side"]=="received"])')" -ge "$2" ]; }
a0=$(ctl "$sch" --json apply S2 "$l1" | json 'd["id"]')
check "another student's application to it arrives" wait_for 20 received "$emp" 1
check "  ...and is accepted: 1 of its 2 places taken" ctl "$emp" application accept "$a0"
plc_is() { [ "$(ctl "$1" --json placement show "$2" 2>/dev/null | json "(d.get('placement') or {}).get('state')")" == "$3" ]; }
check "  ...the school has the placement" wait_for 20 plc_is "$sch" "$a0" scheduled

out=$(ctl "$emp" --json node rotate-key)
new=$(echo "$out" | json 'd["new"]')
check_eq "node rotate-key names the old key" "$old" "$(echo "$out" | json 'd["old"]')"
check_match "  ...and a new one" '^[0-9a-f]{64}$' "$new"
check "  ...only once before a restart" test "$new" != "$old"
check_fails "a second rotate-key before the restart is refused" ctl "$emp" node rotate-key
follows() { [ "$(peer_ids "$hub")" == "$(echo "$new $(id_of "$sch")" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" ]; }
check "the hub follows: its peer is the new key, the old one is gone" wait_for 20 follows
check_fails "  ...and it no longer trusts the old key" sh -c \
    "'$MENTORCTL' -d '$hub' --json trust list | grep -q '$old'"

node_stop "$emp"
node_start "$emp"
check_eq "after a restart the employer signs with the new key" "$new" "$(id_of "$emp")"
check "  ...and the hub connects to it again" wait_for 20 connected "$hub"
listing after >"$T/l2.json"
l2=$(ctl "$emp" --json listing post "$T/l2.json" | json 'd["ids"][0]')
check "a listing of the new key reaches the school (the hub certified it)" \
    wait_for 30 has_listing "$sch" "$l2"
check "the old key's earlier listing stays" has_listing "$sch" "$l1"
check_eq "  ...but no student is matched to it any more" False "$(matched "$l1")"
check_eq "  ...the new key's listing instead" True "$(matched "$l2")"
# resigned: the id of the listing "before" signed by the new key
resigned() {
	l1b=$(ctl "$sch" --json listing list | json "[x['id'] for x in d if x['ref'] == 'before' and x['author'] == '$new'][0]" 2>/dev/null) &&
	    [ -n "$l1b" ]
}
check "the employer signed its live listing again with the new key" wait_for 30 resigned
check_match "  ...and said so in its log" "1 live listing of the old key .* signed again by the new key" "$(cat "$emp.log")"
check_eq "  ...and students are matched to it" True "$(matched "$l1b")"
check_eq "  ...the same listing: title, capacity" "Shadow before 2" \
    "$(ctl "$sch" --json listing show "$l1b" | json 'd["title"] + " " + str(d["capacity"])')"
b1=$(ctl "$sch" --json apply S1 "$l1b" | json 'd["id"]')
b3=$(ctl "$sch" --json apply S3 "$l1b" | json 'd["id"]')
check "two applications to it arrive" wait_for 20 received "$emp" 3
check "  ...the first is accepted" ctl "$emp" application accept "$b1"
out=$(ctl "$emp" application accept "$b3" 2>&1); rc=$?
check_eq "  ...the second is refused: the place taken before the rotation counts" 1 "$rc"
check_match "  ...saying it is full" "full: 2 of 2 places taken" "$out"
is_full() { [ "$(ctl "$1" --json listing show "$2" 2>/dev/null | json 'd.get("full", False)')" == "$3" ]; }
check "  ...and the school sees the new listing full" wait_for 20 is_full "$sch" "$l1b" True
check "the employer, under its new key, marks the earlier placement active" \
    ctl "$emp" placement state "$a0" active
check "  ...and the school takes it from the new key" wait_for 20 plc_is "$sch" "$a0" active
check_match "  ...having moved that application to the new key" \
    "1 application exchanged with ${old:0:16} now go on with ${new:0:16}" "$(cat "$sch.log")"
check "the first accepted application (to the old listing) is withdrawn" \
    ctl "$sch" application withdraw "$a0" --note "moved away"
check "  ...which gives its place back on the new listing: not full again" \
    wait_for 20 is_full "$sch" "$l1b" False
check "  ...so the employer can accept the second now" ctl "$emp" application accept "$b3"
node_stop "$emp"
node_start "$emp"
check_eq "a restart signs nothing again" 1 "$(grep -c 'signed again by the new key' "$emp.log")"
out=$(ctl "$sch" apply S1 "$l1" 2>&1); rc=$?
check_eq "applying to it is refused (nobody holds the old key to open it)" 1 "$rc"
check_match "  ...saying why and what to do" "its employer's node changed its key.*look for the listings it posts under its new key" "$out"
check_match "  ...while the new key's listing takes applications" '^[0-9a-f]{32}$' \
    "$(ctl "$sch" --json apply S1 "$l2" | json 'd["id"]')"

# The thief: the old key, after the rotation, posts and rotates again.
s=$T/stolen
sed -i "s|^listen = tcp:.*|listen = tcp://127.0.0.1:$(free_port)|; s|^listen = 127.0.0.1:.*|listen = 127.0.0.1:$(free_port)|" "$s/mentord.conf"
node_start "$s"
listing stolen >"$T/l3.json"
l3=$(ctl "$s" --json listing post "$T/l3.json" | json 'd["ids"][0]')
ctl "$s" node rotate-key >/dev/null
ctl "$s" records export "$T/stolen.mntx" >/dev/null
node_stop "$s"
for d in "$hub" "$sch"; do
	out=$(ctl "$d" --json records import "$T/stolen.mntx" 2>/dev/null)
	# Its node record (made at start), the listing, the second rotation.
	check_eq "$(basename "$d"): the old key's 3 records made after the rotation are refused as untrusted" \
	    "3" "$(echo "$out" | json 'sum(1 for e in d["errors"] if "not trusted" in e.get("reason", e.get("error", "")))')"
	check "  ...and the listing is not there" sh -c "! '$MENTORCTL' -d '$d' listing show '$l3' >/dev/null 2>&1"
done
check "the hub still trusts the first rotation's key" sh -c \
    "'$MENTORCTL' -d '$hub' --json peer list | grep -q '$new'"
done_testing
