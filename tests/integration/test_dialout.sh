#!/usr/bin/env bash
# Dial-out peers over real sockets: a school with no inbound port is added
# by a hub by node id alone; it dials in and everything flows both ways on
# its one connection (pushes, reconciliation each way, an application and
# its answer).  peer list says why a peer is not connected; the hub lists
# and logs the connections it refused.
. "$(dirname "$0")/lib.sh"

fast() { printf '\n[peer]\nheartbeat_ms = 200\nsync_interval_s = 2\n' >>"$1/mentord.conf"; }
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }
has_listing() { ctl "$1" listing show "$2" >/dev/null 2>&1; }
received() { [ "$(ctl "$1" --json application list | json 'len([a for a in d if a["side"]=="received"])')" -ge "$2" ]; }
status_is() { [ "$(ctl "$1" --json application show "$2" 2>/dev/null | json 'd["status"]')" == "$3" ]; }
# peer_status DIR ID: the status peer list gives for peer ID
peer_status() { ctl "$1" --json peer list | json "[p['status'] for p in d if p['node_id']=='$2'][0]"; }
status_has() { peer_status "$1" "$2" | grep -q "$3"; }
connected() { [ "$(peer_status "$1" "$2")" == connected ]; }
refused_has() { ctl "$1" --json peer refused | grep -q "$2"; }

emp=$(node_new employer employer); fast "$emp"
hub=$(node_new hub hub); fast "$hub"
sch=$(node_new school school); fast "$sch"
sed -i "s/^listen = tcp:.*/listen = /" "$sch/mentord.conf"	# no inbound port
SPORT=$(free_port)
printf '\n[api]\nstudent_listen = tcp://127.0.0.1:%s\n' "$SPORT" >>"$sch/mentord.conf"
for d in "$emp" "$hub" "$sch"; do node_start "$d"; done
EMP=$(id_of "$emp"); HUB=$(id_of "$hub"); SCH=$(id_of "$sch")
ctl "$hub" peer add "$(ep_of "$emp")" "$EMP" --organization Acme >/dev/null
ctl "$emp" peer add "$(ep_of "$hub")" "$HUB" --hub >/dev/null
check "employer and hub link" wait_for 15 connected "$hub" "$EMP"

# The school adds the hub before the hub knows it: refused, and said so.
ctl "$sch" peer add "$(ep_of "$hub")" "$HUB" --hub >/dev/null
check "the school's peer list says the hub's ZAP handler refused it" \
    wait_for 15 status_has "$sch" "$HUB" "refused by its ZAP handler"
check "  ...waiting for the other side to add this node" \
    status_has "$sch" "$HUB" "waiting for the other side to add this node"
check "the hub lists the refused connection's address" \
    wait_for 10 refused_has "$hub" '"address": "127.0.0.1"'
check "the hub logs the refused key and address" \
    grep -q "refused a connection from 127.0.0.1, CURVE key" "$hub.log"
check_eq "peer refused prints one line per refused key" 1 "$(ctl "$hub" peer refused | wc -l)"

# A peer whose endpoint nobody listens on: never reached.
NOBODY=$(id_of "$emp")
ctl "$sch" peer add "tcp://127.0.0.1:$(free_port)" "$NOBODY" >/dev/null
check "an endpoint nobody listens on is 'never reached'" \
    wait_for 10 status_has "$sch" "$NOBODY" "^never reached$"
check_match "  ...and the text form says why" "why: +never reached" "$(ctl "$sch" peer list)"
ctl "$sch" peer remove "$NOBODY" >/dev/null

# The hub adds the school by id only.
out=$(ctl "$hub" peer add "$SCH" --organization "North High" 2>&1)
check_match "the hub adds a peer by node id alone" "added peer" "$out"
check_eq "  ...shown as dialing in" True \
    "$(ctl "$hub" --json peer list | json "[p['dials_in'] for p in d if p['node_id']=='$SCH'][0]")"
check "the school's link to the hub comes up" wait_for 20 connected "$sch" "$HUB"
check "  ...and the hub sees the school connected" wait_for 20 connected "$hub" "$SCH"
check "the hub learns the school's name over the school's connection" \
    wait_for 10 eval "ctl '$hub' peer list | grep -q 'school (school)'"

cat >"$T/l.json" <<'J'
[{"ref":"weld-1","kind":"mentorship","title":"Welding mentor","organization":"Acme",
  "capacity":1,"modality":"virtual"}]
J
L1=$(ctl "$emp" --json listing post "$T/l.json" | json 'd["ids"][0]')
check "a new listing is pushed to the dial-out school" wait_for 20 has_listing "$sch" "$L1"

# Reconciliation in both directions over the one connection.
out=$(ctl "$hub" --json sync)
check_eq "the hub reconciles with the school over the school's connection" False \
    "$(echo "$out" | json "[p['failed'] for p in d if p['node_id']=='$SCH'][0]")"
out=$(ctl "$sch" --json sync)
check_eq "the school reconciles with the hub" False \
    "$(echo "$out" | json "[p['failed'] for p in d if p['node_id']=='$HUB'][0]")"

# While the school is down the employer posts; after a restart the school
# fetches it by reconciliation.
kill -9 "$(cat "$sch.pid")"; wait "$(cat "$sch.pid")" 2>/dev/null
sed 's/weld-1/weld-2/' "$T/l.json" >"$T/l2.json"
L2=$(ctl "$emp" --json listing post "$T/l2.json" | json 'd["ids"][0]')
check "  (the hub has it)" wait_for 15 has_listing "$hub" "$L2"
check "the hub says the school stopped answering" \
    wait_for 10 status_has "$hub" "$SCH" "stopped answering"
node_start "$sch"
check "the school catches up after kill -9 (reconciliation over its connection)" \
    wait_for 25 has_listing "$sch" "$L2"

# An application from the dial-out school reaches the employer; the answer
# comes back.
y=$(date +%Y)
cat >"$T/students.json" <<J
[{"id":"S1","name":"Adult Grantley","birth_date":"$((y-20))-04-04","modality":["virtual"]}]
J
ctl "$sch" student import "$T/students.json" >/dev/null
A1=$(ctl "$sch" --json apply S1 "$L1" | json 'd["id"]')
check_match "the school applies" '^[0-9a-f]{32}$' "$A1"
check "the application reaches the employer through the hub" wait_for 20 received "$emp" 1
check "the employer accepts it" ctl "$emp" application accept "$A1"
check "the answer comes back to the dial-out school" wait_for 20 status_is "$sch" "$A1" accepted

# Removing the school: its connection is refused from then on.
ctl "$hub" peer remove "$SCH" >/dev/null
check "after peer remove the school's link is refused again" \
    wait_for 20 status_has "$sch" "$HUB" "stopped answering\|refused"
done_testing
