#!/usr/bin/env bash
# demo.sh: a small local federation on 127.0.0.1.  An employer node posts
# the sample listings, a school node imports the sample students, receives
# the employer's signed listings, and shows some students' matches.
# Everything lives in a temporary directory; the daemons stop at the end.
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
run() { printf '$ %s\n' "mentorctl $*"; "$MENTORCTL" "$@"; }

start() {	# start DIR NAME ROLE
	"$MENTORD" init -d "$D/$1" --name "$2" --role "$3" >/dev/null
	"$MENTORD" -d "$D/$1" --log-level warn 2>>"$D/$1.log" &
	PIDS+=($!)
	for _ in $(seq 100); do
		"$MENTORCTL" -d "$D/$1" status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "demo: $1 did not start; see $D/$1.log" >&2
	return 1
}

say "Starting an employer node and a school node"
start employer "Prairie Employers" employer
start school "Lincoln High" school
E=$D/employer
S=$D/school
run -d "$E" status

say "The employer posts the sample listings (signed with its key)"
run -d "$E" listing post contrib/data/sample/listings.json | tail -n 3
echo "..."

say "The school trusts the employer and takes its signed records"
emp_id=$("$MENTORCTL" -d "$E" --json status |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["node_id"])')
run -d "$S" trust add "$emp_id" --note "Prairie Employers"
"$MENTORCTL" -d "$E" records export "$D/listings.mntx"
run -d "$S" records import "$D/listings.mntx"

say "The school imports its students (they never leave this node)"
run -d "$S" student import contrib/data/sample/students.csv
run -d "$S" status

if "$MENTORCTL" -d "$S" match --help >/dev/null 2>&1; then
	for s in S1001 S1011 S1021; do
		say "Matches for student $s"
		run -d "$S" match "$s" --top 3
	done
fi
say "Done: the daemons stop now"
