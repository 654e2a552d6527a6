#!/usr/bin/env bash
# demo.sh: a small federation on 127.0.0.1.  An employer node posts the
# sample listings, a regional hub relays them (and certifies the employer),
# and a school node with the sample students shows their matches.  Three
# daemons in a temporary directory; they keep running at the end so that
# their web pages can be tried (the last lines say where and how to stop
# them: contrib/demo.sh --stop DIR).  A run that fails stops them.
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--stop" ]; then
	case ${2:-} in /tmp/mentord-demo.*) ;; *)
		echo "usage: contrib/demo.sh --stop /tmp/mentord-demo.XXXXXX" >&2
		exit 2 ;;
	esac
	[ -f "$2/pids" ] && kill -TERM $(cat "$2/pids") 2>/dev/null || true
	sleep 0.5
	rm -rf "$2"
	echo "demo: stopped and removed $2"
	exit 0
fi
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
	"$MENTORD" -d "$D/$1" --log-level warn </dev/null >>"$D/$1.log" 2>&1 &
	PIDS+=($!)
	echo $! >>"$D/pids"
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

say "The placement: the employer marks it under way and sends a midpoint evaluation"
run -d "$E" placement state "$app" active --note "Safety briefing done; first bead on Monday."
comp=$("$MENTORCTL" -d "$E" --json application show "$app" |
    python3 -c 'import json,sys; c=json.load(sys.stdin).get("competencies") or {}; print(next(iter(c), ""))')
if [ -n "$comp" ]; then
	run -d "$E" evaluation send "$app" --stage midpoint \
	    --assessor "Dana Kowalski" --organization "Prairie Employers Network" \
	    --rate "$comp=3:Steady hands, asks good questions."
	printf 'waiting for the evaluation to reach the school'
	ev=""
	for _ in $(seq 100); do
		ev=$("$MENTORCTL" -d "$S" --json evaluation list S1001 2>/dev/null |
		    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[0]["evaluation"] if d else "")' 2>/dev/null)
		[ -n "$ev" ] && break
		printf '.'; sleep 0.1
	done
	echo
	if [ -n "$ev" ]; then
		say "The coordinator applies it: the student's level rises, with its evidence"
		run -d "$S" evaluation apply "$ev"
		run -d "$S" student show S1001 | sed -n '1,40p'
	fi
fi
run -d "$S" placement show "$app"
echo "(hours are logged once the placement's dates begin: mentorctl hours log)"
run -d "$S" audit list

say "The web pages: each node serves its own"
secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(9))'; }
url_of() { echo "http://$(sed -n '/^\[web\]/,/^\[/s/^listen = //p' "$1/mentord.conf")"; }
EPW=$(secret) CPW=$(secret) HPW=$(secret)
echo "$EPW" | "$MENTORCTL" -d "$E" web user add employer --role employer --password-stdin >/dev/null
echo "$CPW" | "$MENTORCTL" -d "$S" web user add coordinator --role coordinator --password-stdin >/dev/null
echo "$HPW" | "$MENTORCTL" -d "$H" web user add operator --role admin --password-stdin >/dev/null
code=$("$MENTORCTL" -d "$S" --json web code S1001 |
    python3 -c 'import json,sys; c=json.load(sys.stdin)["codes"][0]; print(c["url"], c["grouped"])')
trap - EXIT
cat <<EOT

  Student (Marcus Delgado, S1001): ${code% *}
      or open $(url_of "$S")/ and type the code ${code#* }
  Employer:    $(url_of "$E")/   user employer     password $EPW
  Coordinator: $(url_of "$S")/   user coordinator  password $CPW
  Hub:         $(url_of "$H")/   user operator     password $HPW

The three nodes keep running (logs in $D/*.log).  Stop them with:
  contrib/demo.sh --stop $D
EOT
