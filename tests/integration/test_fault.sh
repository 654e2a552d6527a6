#!/usr/bin/env bash
# test_fault.sh: fault injection as SQLite does it.  The scenario of
# fault_lib.sh runs once per fault point of each node (a store write, a
# commit, a compaction step, a publish from the outbox), with that one
# operation failing (EIO) in the -DMENTOR_FAULT build; after each run the
# stores are sound, the audit log verifies, everything acknowledged is
# there and nothing unacknowledged is, not even half.
# FAULT_STRIDE=K tries every K-th point only (default 3 in `make test`;
# `make bench` runs all of them: tests/bench/bench_fault.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

STRIDE=${FAULT_STRIDE:-3}
[ -x "$FAULTD" ] || { notok "the fault build exists (make fault)"; exit 1; }
fault_template || { notok "the two nodes are set up"; exit 1; }

# A full disk, injected: every write of the school after it started
# fails with ENOSPC.
fault_fresh enospc
start_with "$S" "$FAULTD" MENTOR_FAULT_AT=0
stop "$S"
k=$(grep -c "fault point" "$S.log")
start_with "$S" "$FAULTD" MENTOR_FAULT_AT=$((k + 1)) MENTOR_FAULT_ERR=ENOSPC \
    MENTOR_FAULT_PERSIST=1 || notok "the school starts on a full disk"
check_fails "an import on a full disk fails" \
    ctl "$S" student import "$T/students.json"
check_match "...saying the disk is full and naming the store's directory" \
    "nothing was imported: the disk is full: no space left for the store in $S/store" \
    "$(cat "$T/last.err")"
stop "$S"

count_points EIO
check_eq "the clean run acknowledges every step" 9 "$(grep -c ' 0$' "$T/acked")"
check_eq "the clean run checks out" 0 "$BAD"
echo "# fault points: school $NS, employer $NE"
check "the scenario has fault points on both nodes" test "$NS" -gt 10 -a "$NE" -gt 5
STRICT=1
sweep school "$NS" EIO
sweep employer "$NE" EIO
done_testing
