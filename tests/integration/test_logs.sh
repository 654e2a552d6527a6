#!/usr/bin/env bash
# Logging: under systemd (INVOCATION_ID, or JOURNAL_STREAM naming stderr)
# each line carries a syslog priority prefix for journald; otherwise time,
# level and ident.  --verbose, --log-level and [log] level choose what is
# written.
. "$(dirname "$0")/lib.sh"

d=$(node_new n1 employer)

# run_log LOG ENV... -- ARGS...: runs the daemon until it answers, stops it.
run_log() {
	local log=$1; shift
	local -a envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
	env "${envs[@]}" "$MENTORD" -d "$d" "$@" 2>"$log" &
	local p=$!
	PIDS+=("$p")
	wait_for 10 "$MENTORCTL" -d "$d" status
	kill -TERM "$p"; wait "$p"
}

run_log "$T/plain.log" -- 
check_match "outside systemd a line has time, level and ident" \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z info mentord: node "n1"' \
    "$(grep started "$T/plain.log")"

run_log "$T/j.log" INVOCATION_ID=0123456789abcdef --
check_match "started by systemd (INVOCATION_ID), info lines start with <6>" \
    '^<6>node "n1" \(employer\) [0-9a-f]{64} started' "$(grep started "$T/j.log")"
check_eq "  ...and every line has a priority prefix" 0 \
    "$(grep -cv '^<[3-7]>' "$T/j.log")"

# JOURNAL_STREAM names stderr's device and inode.
: >"$T/js.log"
js=$(stat -c '%d:%i' "$T/js.log")
JOURNAL_STREAM=$js "$MENTORD" -d "$d" 2>>"$T/js.log" &
p=$!; PIDS+=("$p")
wait_for 10 "$MENTORCTL" -d "$d" status; kill -TERM "$p"; wait "$p"
check_match "JOURNAL_STREAM naming stderr gives prefixes too" '^<6>' \
    "$(head -n 1 "$T/js.log")"
JOURNAL_STREAM=1:1 "$MENTORD" -d "$d" 2>"$T/jx.log" &
p=$!; PIDS+=("$p")
wait_for 10 "$MENTORCTL" -d "$d" status; kill -TERM "$p"; wait "$p"
check_match "  ...but not when it names another stream" '^[0-9]{4}-' \
    "$(head -n 1 "$T/jx.log")"

run_log "$T/v.log" INVOCATION_ID=1 -- --verbose
check "--verbose adds debug lines, as <7>" grep -q '^<7>' "$T/v.log"
check_eq "without it there are none" 0 "$(grep -c '^<7>' "$T/j.log")"

printf '\n[log]\nlevel = warn\n' >>"$d/mentord.conf"
run_log "$T/w.log" INVOCATION_ID=1 --
check_eq "[log] level = warn drops info lines" 0 "$(grep -c '^<6>' "$T/w.log")"
run_log "$T/o.log" INVOCATION_ID=1 -- --log-level info
check "  ...and --log-level overrides it" grep -q '^<6>' "$T/o.log"

INVOCATION_ID=1 "$MENTORD" -d "$T/nothing-here" 2>"$T/e2.log"
check_match "a node that cannot start says why at <3> under systemd" '^<3>' \
    "$(cat "$T/e2.log")"
done_testing
