#!/usr/bin/env bash
# demo.sh: a small federation on 127.0.0.1.  An employer node posts the
# sample listings, a regional hub relays them (and certifies the employer),
# and a school node with the sample students shows their matches.  Three
# daemons; everything lives in a temporary directory and stops at the end.
set -eu
cd "$(dirname "$0")/.."
MENTORD=$PWD/daemon/mentord
MENTORCTL=$PWD/client/mentorctl
D=$(mktemp -d /tmp/mentord-demo.XXXXXX)
PIDS=()
stop() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$D"
}
trap stop EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ mentorctl %s\n' "$*"; "$MENTORCTL" "$@"; }
port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
id_of() { "$MENTORCTL" -d "$1" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["node_id"])'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }

start() {	# start DIR NAME ROLE
	"$MENTORD" init -d "$D/$1" --name "$2" --role "$3" \
	    --listen "tcp://127.0.0.1:$(port)" \
	    --web-listen "127.0.0.1:$(port)" >/dev/null
	printf '\n[peer]\nheartbeat_ms = 300\nsync_interval_s = 5\n' >>"$D/$1/mentord.conf"
	"$MENTORD" -d "$D/$1" --log-level warn 2>>"$D/$1.log" &
	PIDS+=($!)
	for _ in $(seq 100); do
		"$MENTORCTL" -d "$D/$1" status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "demo: $2 did not start; see $D/$1.log" >&2
	return 1
}

# link A B ORG-OF-B A-FLAG B-FLAG: both sides add each other; a node adds
# a hub with --hub (only then does it honour the hub's certificates)
link() {
	"$MENTORCTL" -d "$D/$1" peer add "$(ep_of "$D/$2")" "$(id_of "$D/$2")" \
	    --organization "$3" $4 >/dev/null
	"$MENTORCTL" -d "$D/$2" peer add "$(ep_of "$D/$1")" "$(id_of "$D/$1")" \
	    $5 >/dev/null
}

say "Three nodes: an employer, a regional hub, a rural school"
start employer "Prairie Employers Network" employer
start hub "Northern Illinois CTE Hub" hub
start school "Mount Carroll High School" school
E=$D/employer H=$D/hub S=$D/school

say "Linking employer <-> hub <-> school (CURVE; only node ids are exchanged)"
link hub employer "Prairie Employers Network" "" --hub
link school hub "Northern Illinois CTE Hub" --hub ""

say "The employer posts the sample listings (signed with its key)"
run -d "$E" listing post contrib/data/sample/listings.json | tail -n 2
echo "..."

say "The school imports its students (they never leave this node)"
run -d "$S" student import contrib/data/sample/students.csv

printf 'waiting for the listings to reach the school through the hub'
want=$("$MENTORCTL" -d "$E" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["listings"])')
for _ in $(seq 200); do
	got=$("$MENTORCTL" -d "$S" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["listings"])')
	[ "$got" -ge "$want" ] && break
	printf '.'
	sleep 0.1
done
printf ' %s of %s\n' "$got" "$want"
run -d "$S" status
run -d "$H" peer list | grep -E "connected|name" || true

for s in S1001 S1021 S1025; do
	say "Matches for student $s"
	run -d "$S" match "$s" --top 3
done

say "S1001 applies to their top match (a minor: the guardian consents first)"
top=$("$MENTORCTL" -d "$S" --json match S1001 --top 1 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["matches"][0]["listing"])')
run -d "$S" apply S1001 "$top" --message "I weld with my uncle on weekends." || true
run -d "$S" consent S1001 --guardian "Rosa Delgado"
app=$("$MENTORCTL" -d "$S" --json apply S1001 "$top" \
    --message "I weld with my uncle on weekends." |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "application $app sealed to the employer; the hub relays it unread"
printf 'waiting for it to reach the employer'
for _ in $(seq 100); do
	"$MENTORCTL" -d "$E" application show "$app" >/dev/null 2>&1 && break
	printf '.'; sleep 0.1
done
echo
say "The employer reads and accepts it"
run -d "$E" application show "$app"
run -d "$E" application accept "$app"
printf 'waiting for the answer to reach the school'
for _ in $(seq 100); do
	st=$("$MENTORCTL" -d "$S" --json application show "$app" |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
	[ "$st" = accepted ] && break
	printf '.'; sleep 0.1
done
echo
run -d "$S" application list
run -d "$S" audit list
say "Done: the daemons stop now"
