# fault_lib.sh: the scenario that test_fault.sh runs once per fault point
# and test_crash.sh / tests/bench/bench_crash.sh run under kill -9, and its
# checks.  Sourced after lib.sh.
#
# A school S and an employer E, linked.  The scenario: E posts two
# listings (L1 one place, L2 five), S imports three students, records a
# guardian's consent, applies twice, E accepts one (filling L1, whose full
# version is republished) and declines the other, S deletes a student and
# compacts its store.  Each step's exit status goes to $T/acked; the
# checks then hold the nodes to exactly what was acknowledged.

FAULTD=${FAULTD:-$ROOT/build-fault/bin/mentord}

# The checks parse a lot of JSON: the system python without site start-up
# (a version manager's shim costs 0.4 s a call).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
json() {
	"$PY" -I -S -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

fast() { printf '\n[peer]\nheartbeat_ms = 200\nsync_interval_s = 1\n' >>"$1/mentord.conf"; }
id_of() { ctl "$1" --json status | json 'd["node_id"]'; }
ep_of() { sed -n 's/^listen = \(tcp:\)/\1/p' "$1/mentord.conf"; }

# fault_template: creates and links S and E once, in $T/tpl.
fault_template() {
	local s e y
	s=$(node_new tpl/school school) && e=$(node_new tpl/employer employer) ||
	    return 1
	fast "$s"; fast "$e"
	node_start "$s" && node_start "$e" || return 1
	ctl "$s" peer add "$(ep_of "$e")" "$(id_of "$e")" >/dev/null &&
	    ctl "$e" peer add "$(ep_of "$s")" "$(id_of "$s")" >/dev/null ||
	    return 1
	node_stop "$s"; node_stop "$e"
	y=$(date +%Y)
	cat >"$T/students.json" <<J
[{"id":"S1","name":"Zelphine Quorra","birth_date":"$((y-16))-01-15","grade":11,
  "competencies":{"onet:2.B.3.h":3},"modality":["virtual"]},
 {"id":"S4","name":"Adult Grantley","birth_date":"$((y-20))-04-04","modality":["virtual"]},
 {"id":"S5","name":"Other Pellam","birth_date":"$((y-19))-05-05","modality":["virtual"]}]
J
	cat >"$T/l.json" <<'J'
[{"ref":"weld-1","kind":"mentorship","title":"Welding mentor","organization":"Acme",
  "capacity":1,"modality":"virtual"},
 {"ref":"open-1","kind":"project","title":"Open project","organization":"Acme",
  "capacity":5,"modality":"virtual"}]
J
}

# fault_fresh NAME: copies the template to $T/NAME/{school,employer};
# sets S and E.
fault_fresh() {
	rm -rf "${T:?}/$1"
	mkdir -p "$T/$1"
	cp -a "$T/tpl/school" "$T/tpl/employer" "$T/$1/"
	S=$T/$1/school E=$T/$1/employer
	: >"$T/acked"
	rm -f "$T/listings" "$T/app1" "$T/app2"
}

# start_with DIR BINARY [ENV...]: starts a daemon unless it runs; waits
# until it answers.
start_with() {
	local d=$1 bin=$2; shift 2
	running "$d" && return 0
	env "$@" "$bin" -d "$d" --verbose >>"$d.log" 2>&1 &
	echo $! >"$d.pid"
	PIDS+=("$!")
	await "$d" "$MENTORCTL" -d "$d" --timeout 2 status
}

# stop DIR: SIGTERM, or nothing if it is gone (killed by a fault).
stop() {
	local p; p=$(cat "$1.pid" 2>/dev/null) || return 0
	kill -TERM "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	rm -f "$1.pid"
}

# Polls give up after 2 s, not mentorctl's 60: a node killed mid-request
# never answers.
has_listing() { ctl "$1" --timeout 2 listing show "$2" >/dev/null 2>&1; }
has_application() { ctl "$1" --timeout 2 application show "$2" >/dev/null 2>&1; }
running() { [ -f "$1.pid" ] && kill -0 "$(cat "$1.pid")" 2>/dev/null; }
# await DIR CMD...: polls CMD for up to 15 s while DIR's daemon lives.
await() {
	local d=$1 deadline=$((SECONDS + 15)); shift
	until "$@" >/dev/null 2>&1; do
		running "$d" && [ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}
# await_both CMD...: polls CMD for up to 15 s while both S and E live: what
# the scenario waits for travels from one node to the other, and a killed
# node sends and answers nothing until verify restarts it.
await_both() {
	local deadline=$((SECONDS + 15))
	until "$@" >/dev/null 2>&1; do
		running "$S" && running "$E" && [ $SECONDS -lt $deadline ] ||
		    return 1
		sleep 0.05
	done
}
ack() { echo "$1 $2" >>"$T/acked"; }
hexes() { grep -o '"[0-9a-f]\{32\}"' | tr -d '"'; }
acked() { grep -q "^$1 0" "$T/acked"; }

# step NAME DIR ARGS...: runs mentorctl -d DIR ARGS as one scenario step
# (giving up after 5 s: a node killed mid-request never answers); records
# its status.
step() {
	local name=$1 d=$2; shift 2
	"$MENTORCTL" -d "$d" --timeout 5 "$@" >"$T/step.out" 2>"$T/step.err"
	ack "$name" $?
}

# scenario: the user actions, each acknowledged or not.
scenario() {
	local a
	step post "$E" --json listing post "$T/l.json"
	if acked post; then
		hexes <"$T/step.out" | tr '\n' ' ' >"$T/listings"
		read -r L1 L2 <"$T/listings"
		await_both has_listing "$S" "$L2"
	fi
	step import "$S" student import "$T/students.json"
	step consent "$S" consent S1 --guardian "Morwenna Quorra"
	if acked post; then
		step apply1 "$S" --json apply S4 "$L1"
		acked apply1 && hexes <"$T/step.out" | head -1 >"$T/app1"
		step apply2 "$S" --json apply S1 "$L2"
		acked apply2 && hexes <"$T/step.out" | head -1 >"$T/app2"
		if acked apply1; then
			await_both has_application "$E" "$(cat "$T/app1")"
			step accept "$E" application accept "$(cat "$T/app1")"
		fi
		if acked apply2; then
			await_both has_application "$E" "$(cat "$T/app2")"
			step decline "$E" application decline "$(cat "$T/app2")"
		fi
	fi
	step delete "$S" student delete S5
	step compact "$S" store compact
}

# expect DESC COND: counts a failed expectation (prints it).
BAD=0 LOST=0
expect() {
	local desc=$1; shift
	if ! "$@" >/dev/null 2>&1; then
		echo "#   $WHERE: $desc"
		BAD=$((BAD + 1))
	fi
}
# expect_kept: an expectation about acknowledged data; a failure is a loss.
expect_kept() {
	local b=$BAD
	expect "$@"
	[ "$BAD" -eq "$b" ] || LOST=$((LOST + 1))
}

# verify: holds the running nodes (restarted with the ordinary mentord if
# they are not running) to what was acknowledged (fault_verify.py; STRICT=1
# when a failure is always reported), stops them and checks both stores.
verify() {
	local out
	running "$S" || { stop "$S"; start_with "$S" "$MENTORD"; } ||
	    { expect "school restarts" false; return; }
	running "$E" || { stop "$E"; start_with "$E" "$MENTORD"; } ||
	    { expect "employer restarts" false; return; }
	out=$("$PY" -I -S "$ROOT/tests/integration/fault_verify.py" \
	    "$MENTORCTL" "$S" "$E" "$T" "${STRICT:-0}")
	if [ -n "$out" ]; then
		echo "$out" | sed "s|^|#   $WHERE: |"
		BAD=$((BAD + $(echo "$out" | wc -l)))
		LOST=$((LOST + $(echo "$out" | grep -c '^lost')))
	fi
	stop "$S"; stop "$E"
	expect "school store sound" "$MENTORD" check -d "$S"
	expect "employer store sound" "$MENTORD" check -d "$E"
	expect "no compaction leftovers" test ! -e "$S/store/compact.tmp/data.mdb"
}

# crash_loop KILLS: KILLS runs of the scenario, each with one node killed
# (kill -9; school and employer in turn) at a random moment, restarted and
# verified.  Sets CRASH_ACKED (acknowledged steps), LOST and CRASH_BAD
# (runs with any failed expectation); prints a line per 10 kills.
crash_loop() {
	local kills=$1 k victim delay killer
	CRASH_ACKED=0 CRASH_BAD=0 LOST=0
	for ((k = 1; k <= kills; k++)); do
		fault_fresh "k$k"
		start_with "$S" "$MENTORD" && start_with "$E" "$MENTORD" ||
		    { CRASH_BAD=$((CRASH_BAD + 1)); continue; }
		if ((k % 2)); then victim=$S; else victim=$E; fi
		delay=$(printf '0.%03d' $((RANDOM % 500)))
		(sleep "$delay"; kill -9 "$(cat "$victim.pid")" 2>/dev/null) &
		killer=$!
		scenario
		wait "$killer"
		# Reaped, not only signalled: a node still exiting passes for
		# running, and verify would not restart it.
		wait "$(cat "$victim.pid")" 2>/dev/null
		CRASH_ACKED=$((CRASH_ACKED + $(grep -c ' 0$' "$T/acked")))
		WHERE="kill $k (${victim##*/} at ${delay}s)"; BAD=0
		verify
		if [ "$BAD" -eq 0 ]; then
			rm -rf "${T:?}/k$k"
		else
			CRASH_BAD=$((CRASH_BAD + 1))
			echo "#   acked: $(tr '\n' ' ' <"$T/acked")"
		fi
		((k % 10)) || echo "# $k kills, $CRASH_ACKED acknowledged, lost $LOST"
	done
}

# count_points ERR: one run of the scenario without a fault, in the fault
# build's ERR mode (CRASH also counts the points after each commit);
# sets NS and NE, the fault points of the school and the employer.
count_points() {
	fault_fresh count
	start_with "$S" "$FAULTD" MENTOR_FAULT_AT=0 MENTOR_FAULT_ERR="$1" &&
	    start_with "$E" "$FAULTD" MENTOR_FAULT_AT=0 MENTOR_FAULT_ERR="$1" ||
	    notok "the clean run starts"
	scenario
	WHERE="clean run"; BAD=0; verify
	NS=$(grep -c "fault point" "$S.log"); NE=$(grep -c "fault point" "$E.log")
}

# settle LOG: waits (at most 4 s) until LOG shows no new fault point for
# a quarter of a second.
settle() {
	local a b i
	b=$(grep -c "fault point" "$1")
	for i in $(seq 16); do
		sleep 0.25
		a=$(grep -c "fault point" "$1")
		[ "$a" == "$b" ] && break
		b=$a
	done
}

# sweep NODE COUNT ERR: one run of the scenario per fault point of NODE
# (school|employer) with that point failing with ERR (EIO, ENOSPC or
# CRASH), every $STRIDE-th point from 1 to COUNT + 2, each verified.
# FAULT_POINTS="school:3 employer:7 ..." tries only those.
sweep() {
	local node=$1 count=$2 err=$3 n what fails=0 runs=0 points
	points=$(seq 1 "${STRIDE:-1}" $((count + 2)))
	[ -n "${FAULT_POINTS:-}" ] &&
	    points=$(printf '%s\n' $FAULT_POINTS | sed -n "s/^$node://p")
	for n in $points; do
		fault_fresh "f-$node-$n"
		# A node may crash while it starts, or refuse to start when a
		# write at start fails: it is started again, as an operator
		# would, with the ordinary mentord.
		if [ "$node" == school ]; then
			start_with "$S" "$FAULTD" MENTOR_FAULT_AT="$n" \
			    MENTOR_FAULT_ERR="$err"
		else
			start_with "$E" "$FAULTD" MENTOR_FAULT_AT="$n" \
			    MENTOR_FAULT_ERR="$err"
		fi
		start_with "$S" "$MENTORD" && start_with "$E" "$MENTORD" ||
		    { notok "$node fault $n: nodes start"; continue; }
		scenario
		# A crash point may lie in work the node does after the last
		# step (an acknowledgement arriving): let it reach it, so that
		# verify restarts a node that crashed, not one about to.
		[ "$err" == CRASH ] && settle "$T/f-$node-$n/$node.log"
		what=$(sed -n 's/.*fault: [a-z]* .*at point [0-9]* (\(.*\))$/\1/p' \
		    "$T/f-$node-$n/$node.log" | head -1)
		WHERE="$node $err $n (${what:-not reached})"; BAD=0
		verify
		runs=$((runs + 1))
		if [ "$BAD" -eq 0 ]; then
			rm -rf "${T:?}/f-$node-$n"
		else
			fails=$((fails + 1))
			echo "#   acked: $(tr '\n' ' ' <"$T/acked")"
		fi
	done
	check_eq "$node: $runs runs with $err at a fault point, all consistent" 0 "$fails"
}
