#!/usr/bin/env bash
# bench_fault.sh: the fault-injection sweep at every fault point (make test
# runs every third): each run fails one store or publish operation and
# checks that the stores are sound, the audit log verifies, and nothing
# acknowledged is lost.
cd "$(dirname "$0")/../.." || exit 1
FAULT_STRIDE=1 BUILD=${1:-build} bash tests/integration/test_fault.sh | grep -E '^(not )?ok|^# '
