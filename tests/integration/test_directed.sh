#!/usr/bin/env bash
# Directed records over real sockets: an application and its answer travel
# only toward their recipient, school -> hub A -> hub B -> employer, are
# acknowledged end to end (the sender's application list says delivered),
# and the bystander schools under either hub, and the hubs themselves,
# store none of their bytes.  A recipient down when the school applies gets
# the application after it restarts, and the acknowledgement comes back.
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
has_listing() { ctl "$1" listing show "$2" >/dev/null 2>&1; }
received() { ctl "$1" --json application list | grep -q "$2"; }
field_is() { [ "$(ctl "$1" --json application show "$2" 2>/dev/null | json "d.get('$3')")" == "$4" ]; }
# holds DIR TEXT: DIR's store export contains TEXT (a record's ref)
holds() { rm -f "$T/x.mntx"; ctl "$1" records export "$T/x.mntx" >/dev/null && grep -qa "$2" "$T/x.mntx"; }

sch=$(node_new school school); fast "$sch"
hA=$(node_new hubA hub); fast "$hA"
hB=$(node_new hubB hub); fast "$hB"
emp=$(node_new employer employer); fast "$emp"
byA=$(node_new bystanderA school); fast "$byA"
byB=$(node_new bystanderB school); fast "$byB"
for d in "$sch" "$hA" "$hB" "$emp" "$byA" "$byB"; do node_start "$d"; done
link "$sch" "$hA"; link "$byA" "$hA"; link "$hA" "$hB"; link "$emp" "$hB"; link "$byB" "$hB"
# The school and the employer accept each other's records (two hubs apart:
# no certificate of their own hub vouches for the other); the bystanders
# trust the employer too, so they see its listings.
ctl "$emp" trust add "$(id_of "$sch")" >/dev/null
for d in "$sch" "$byA" "$byB"; do ctl "$d" trust add "$(id_of "$emp")" >/dev/null; done
for d in "$sch" "$hA" "$hB" "$emp" "$byA" "$byB"; do
	check "$(basename "$d") is linked" wait_for 20 all_connected "$d"
done

cat >"$T/l.json" <<'J'
[{"ref":"weld-1","kind":"mentorship","title":"Welding mentor","organization":"Acme",
  "capacity":2,"modality":"virtual"},
 {"ref":"weld-2","kind":"project","title":"Weld project","organization":"Acme",
  "capacity":2,"modality":"virtual"}]
J
ids=$(ctl "$emp" --json listing post "$T/l.json")
L1=$(echo "$ids" | json 'd["ids"][0]'); L2=$(echo "$ids" | json 'd["ids"][1]')
check "the listings reach the school two hubs away" wait_for 20 has_listing "$sch" "$L2"
check "  ...and the bystanders (public records still go everywhere)" wait_for 20 has_listing "$byA" "$L2"
y=$(date +%Y)
cat >"$T/students.json" <<J
[{"id":"S1","name":"Adult Grantley","birth_date":"$((y-20))-04-04","modality":["virtual"]}]
J
ctl "$sch" student import "$T/students.json" >/dev/null

A1=$(ctl "$sch" --json apply S1 "$L1" | json 'd["id"]')
check_match "the school applies" '^[0-9a-f]{32}$' "$A1"
check "the application reaches the employer through both hubs" wait_for 20 received "$emp" "$A1"
check "the school learns it was delivered (end-to-end acknowledgement)" \
    wait_for 20 field_is "$sch" "$A1" delivery delivered
check "the employer accepts it" ctl "$emp" application accept "$A1"
check "the answer comes back" wait_for 20 field_is "$sch" "$A1" status accepted
check "the employer learns its answer was delivered" \
    wait_for 20 field_is "$emp" "$A1" delivery delivered
sleep 1
check "the sender holds its application" holds "$sch" "@app:$A1"
check "the recipient holds it" holds "$emp" "@app:$A1"
for d in "$byA" "$byB" "$hA" "$hB"; do
	check_fails "$(basename "$d") stores no byte of the application" holds "$d" "@app:$A1"
	check_fails "  ...nor of the answer" holds "$d" "@ans:$A1"
done
out=$(ctl "$sch" --json sync)
check_eq "reconciliation offers no directed record (nothing exchanged)" "0 0" \
    "$(echo "$out" | json 'str(sum(p["records_in"] for p in d))+" "+str(sum(p["records_out"] for p in d))')"

# The recipient is down when the school applies: pending; after its
# restart, delivered and acknowledged.
node_stop "$emp"
A2=$(ctl "$sch" --json apply S1 "$L2" | json 'd["id"]')
check_eq "while the employer is down the application is pending delivery" pending \
    "$(ctl "$sch" --json application show "$A2" | json 'd.get("delivery")')"
sleep 2
check_fails "  ...and no bystander stores it meanwhile" holds "$byA" "@app:$A2"
node_start "$emp"
check "after the employer restarts it receives the application" wait_for 30 received "$emp" "$A2"
check "  ...and the school sees it delivered" wait_for 30 field_is "$sch" "$A2" delivery delivered
check_match "application list shows the delivery state" "delivered" \
    "$(ctl "$sch" application list)"

# A school the employer does not trust (the bystander under hub A: hub A's
# certificate vouches for nobody at the employer, which marked only hub B):
# its application is refused, and the employer's log says why and what
# would let it in; once the employer marks hub A too, the school's next
# attempt is taken and acknowledged.
ctl "$byA" student import "$T/students.json" >/dev/null
check "the bystander school sees the listing" wait_for 20 has_listing "$byA" "$L1"
A3=$(ctl "$byA" --json apply S1 "$L1" | json 'd["id"]')
refused_logged() { grep -q "refused an application addressed to this node: author $(id_of "$byA") is not trusted" "$emp.log"; }
check "an application from a school it does not trust is refused, and the employer's log says so" \
    wait_for 20 refused_logged
check_match "  ...with what would let it in" "trust add --hub the hub that certifies it" \
    "$(grep "refused an application" "$emp.log" | head -1)"
check_fails "  ...and it holds none of it" received "$emp" "$A3"
check_eq "  ...and the school's copy stays pending" pending \
    "$(ctl "$byA" --json application show "$A3" | json 'd.get("delivery")')"
check_match "  ...and the employer's status warns of it, with the key to trust" \
    "warning: [0-9]+ applications? or messages? addressed to this node refused, the last [0-9]+ s ago: the sender is not trusted here \(to take them: mentorctl trust add $(id_of "$byA")" \
    "$(ctl "$emp" status)"
ctl "$emp" trust add --hub "$(id_of "$hA")" >/dev/null
check "once the employer marks hub A as a hub, the application arrives" \
    wait_for 30 received "$emp" "$A3"
check "  ...and the school sees it delivered" wait_for 30 field_is "$byA" "$A3" delivery delivered
check_fails "  ...and the employer's status no longer warns of refusals" \
    grep -q "addressed to this node refused" <(ctl "$emp" status)
done_testing
