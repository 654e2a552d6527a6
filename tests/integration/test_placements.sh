#!/usr/bin/env bash
# Placements over real sockets, school -> hub -> employer (issue 11): an
# accepted application becomes a placement on both nodes; its state moves
# on from either side and both see the same; a withdrawal travels sealed to
# the employer, whose node frees the seat and republishes a full listing
# as not full (so does a placement the employer cancels, once); the hub
# and a bystander school hold none of the messages.
. "$(dirname "$0")/lib.sh"

fast() { printf '\n[peer]\nheartbeat_ms = 200\nsync_interval_s = 2\n' >>"$1/mentord.conf"; }
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }
hub_flag() { grep -q '^role = hub$' "$1/mentord.conf" && echo --hub; }
link() {
	ctl "$1" peer add "$(ep_of "$2")" "$(id_of "$2")" --organization "$(basename "$2")" $(hub_flag "$2") >/dev/null &&
	ctl "$2" peer add "$(ep_of "$1")" "$(id_of "$1")" --organization "$(basename "$1")" $(hub_flag "$1") >/dev/null
}
all_connected() { [ "$(ctl "$1" --json peer list | json 'all(p["connected"] for p in d) and len(d) > 0')" == True ]; }
field_is() { [ "$(ctl "$1" --json application show "$2" 2>/dev/null | json "d.get('$3')")" == "$4" ]; }
plc_is() { [ "$(ctl "$1" --json placement show "$2" 2>/dev/null | json "(d.get('placement') or {}).get('state')")" == "$3" ]; }
received() { ctl "$1" --json application list | grep -q "$2"; }
full_is() { [ "$(ctl "$1" --json listing show "$2" 2>/dev/null | json "bool(d.get('body', d).get('full'))")" == "$3" ]; }
holds() { rm -f "$T/x.mntx"; ctl "$1" records export "$T/x.mntx" >/dev/null && grep -qa "$2" "$T/x.mntx"; }

sch=$(node_new school school); fast "$sch"
hub=$(node_new hub hub); fast "$hub"
emp=$(node_new employer employer); fast "$emp"
by=$(node_new bystander school); fast "$by"
printf '\n[contact]\nname = Dana Whitfield\nemail = dana.whitfield@lincoln.example\n' >>"$sch/mentord.conf"
printf '\n[contact]\nname = Luis Ortega\nphone = 555-0142\n' >>"$emp/mentord.conf"
for d in "$sch" "$hub" "$emp" "$by"; do node_start "$d"; done
link "$sch" "$hub"; link "$emp" "$hub"; link "$by" "$hub"
ctl "$emp" trust add "$(id_of "$sch")" >/dev/null
for d in "$sch" "$by"; do ctl "$d" trust add "$(id_of "$emp")" >/dev/null; done
for d in "$sch" "$hub" "$emp" "$by"; do
	check "$(basename "$d") is linked" wait_for 20 all_connected "$d"
done

y=$(date +%Y)
cat >"$T/l.json" <<J
[{"ref":"cnc-1","kind":"internship","title":"CNC internship","organization":"Acme Machining",
  "capacity":1,"modality":"virtual","start":"$((y-1))-09-01","end":"$((y+1))-06-30"}]
J
L=$(ctl "$emp" --json listing post "$T/l.json" | json 'd["ids"][0]')
check "the listing reaches the school" wait_for 20 full_is "$sch" "$L" False
cat >"$T/students.json" <<J
[{"id":"S1","name":"Ada Lindqvist","birth_date":"$((y-19))-04-04","modality":["virtual"]},
 {"id":"S2","name":"Bo Okafor","birth_date":"$((y-19))-05-05","modality":["virtual"]},
 {"id":"S3","name":"Cy Moreau","birth_date":"$((y-19))-06-06","modality":["virtual"]}]
J
ctl "$sch" student import "$T/students.json" >/dev/null

A1=$(ctl "$sch" --json apply S1 "$L" | json 'd["id"]')
check "the application reaches the employer" wait_for 20 received "$emp" "$A1"
check "the employer accepts it (capacity 1: the listing fills)" ctl "$emp" application accept "$A1"
check "the employer's node has a scheduled placement" plc_is "$emp" "$A1" scheduled
check_eq "the application carried the school coordinator's contact, sealed" \
    "Dana Whitfield dana.whitfield@lincoln.example" \
    "$(ctl "$emp" --json application show "$A1" | json 'd["contact"]["name"]+" "+d["contact"]["email"]')"
check "the school's node has one too once the answer arrives" wait_for 20 plc_is "$sch" "$A1" scheduled
check_eq "the answer carried the employer's contact person" "Luis Ortega 555-0142" \
    "$(ctl "$sch" --json application show "$A1" | json 'd["employer_contact"]["name"]+" "+d["employer_contact"]["phone"]')"
check_eq "the placement starts on the listing's start" "$((y-1))-09-01" \
    "$(ctl "$sch" --json placement show "$A1" | json 'd["placement"]["start"]')"
check_match "placement list shows it on the school" "$A1 +scheduled" "$(ctl "$sch" placement list)"
check_match "  ...and on the employer" "$A1 +scheduled" "$(ctl "$emp" placement list)"
check "the full listing reaches the school" wait_for 20 full_is "$sch" "$L" True
out=$(ctl "$sch" apply S2 "$L" 2>&1)
check_match "a second student cannot apply to the full listing" "full" "$out"

# State from either side, the same on both.
check "the employer marks the placement active" ctl "$emp" placement state "$A1" active --note "first day went well"
check "the school sees active" wait_for 20 plc_is "$sch" "$A1" active
check_eq "  ...with who changed it and the note" "employer first day went well" \
    "$(ctl "$sch" --json placement show "$A1" | json 'd["placement"]["history"][-1]["by"]+" "+d["placement"]["history"][-1]["note"]')"
out=$(ctl "$sch" placement show "$A1")
check_match "placement show says it for people: state, kind and dates" \
    "placement +active, internship from $((y-1))-09-01 to $((y+1))-06-30" "$out"
check_match "  ...and the history, with who and the note" \
    'UTC  active +by the employer: "first day went well"' "$out"
check_match "  ...and the employer's contact person" "contact +Luis Ortega, 555-0142" "$out"
out=$(ctl "$emp" placement state "$A1" scheduled 2>&1); rc=$?
check_eq "going back to scheduled is refused" 1 "$rc"
check_match "  ...saying why" "the placement is active; it cannot become scheduled" "$out"
out=$(ctl "$emp" application withdraw "$A1" 2>&1)
check_match "an employer's node cannot withdraw (school only)" "school" "$out"

# Withdrawal: the seat comes back.
check "the coordinator withdraws the accepted application" ctl "$sch" application withdraw "$A1" --note "moved away"
check_eq "the school's copy says withdrawn at once" withdrawn \
    "$(ctl "$sch" --json application show "$A1" | json 'd["status"]')"
check "the employer's node learns it" wait_for 20 field_is "$emp" "$A1" status withdrawn
check "  ...the placement is cancelled there" plc_is "$emp" "$A1" cancelled
check "the listing is republished not full, and reaches the school" wait_for 30 full_is "$sch" "$L" False
A2=$(ctl "$sch" --json apply S2 "$L" | json 'd["id"]')
check_match "the freed seat takes a new application" '^[0-9a-f]{32}$' "$A2"
check "  ...which reaches the employer" wait_for 20 received "$emp" "$A2"
check "  ...and can be accepted (the seat is free)" ctl "$emp" application accept "$A2"
out=$(ctl "$sch" application withdraw "$A1" 2>&1)
check_match "withdrawing twice is refused" "withdrawn" "$out"
check "the full listing reaches the school again" wait_for 30 full_is "$sch" "$L" True

# The employer cancels a placement: the seat comes back too, once.
check "the employer cancels the second placement" ctl "$emp" placement state "$A2" cancelled --note "the shop closes for a month"
check "the school sees it cancelled" wait_for 20 plc_is "$sch" "$A2" cancelled
check "the listing is republished not full, and reaches the school" wait_for 30 full_is "$sch" "$L" False
A3=$(ctl "$sch" --json apply S3 "$L" | json 'd["id"]')
check "the seat a cancellation freed takes a new application" wait_for 20 received "$emp" "$A3"
check "  ...accepted: the listing is full again" ctl "$emp" application accept "$A3"
check "  ...and the school learns it" wait_for 30 full_is "$sch" "$L" True
check "the school withdraws the cancelled placement's application" ctl "$sch" application withdraw "$A2"
check "  ...the employer's node learns it" wait_for 20 field_is "$emp" "$A2" status withdrawn
sleep 1
check "  ...and does not free its seat twice: the listing stays full" full_is "$emp" "$L" True
check "the school completes the third placement" wait_for 20 ctl "$sch" placement state "$A3" completed
check "the employer sees it completed" wait_for 20 plc_is "$emp" "$A3" completed

# Nothing of it on the path or beside it.
sleep 1
check "the school holds its placement messages" holds "$sch" "@plc:$A1"
check "the employer holds them" holds "$emp" "@plc:$A1"
for d in "$hub" "$by"; do
	check_fails "$(basename "$d") stores no placement message" holds "$d" "@plc:"
done
check_match "the withdrawal is in the school's audit log" "placement-message" \
    "$(ctl "$sch" --json audit list)"
done_testing
