# lib.sh: helpers for integration tests.  Each test script sources this,
# creates nodes with node_new, starts them with node_start, drives them
# with the real mentorctl, and reports each check as "ok - ..." or
# "not ok - ...".  Daemons listen on 127.0.0.1 only, on ephemeral ports;
# everything lives in a temporary directory removed at exit.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MENTORD=${MENTORD:-$ROOT/daemon/mentord}
MENTORCTL=${MENTORCTL:-$ROOT/client/mentorctl}
T=$(mktemp -d /tmp/mentord-test.XXXXXX)
# The helpers' python: the system one without site start-up (-I -S), not a
# version manager's shim, which costs a quarter of a second a call; json
# runs thousands of times in `make test`.
PYS=python3
[ -x /usr/bin/python3 ] && PYS=/usr/bin/python3
PIDS=()
FAILED=0

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ -f "$T/.ports" ]; then
		for p in $(cat "$T/.ports"); do rmdir "$PORTS/$p" 2>/dev/null; done
	fi
	if [ "$FAILED" -eq 0 ]; then rm -rf "$T"; else echo "# kept $T"; fi
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; FAILED=1; }

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1; shift
	if "$@" >"$T/last.out" 2>"$T/last.err"; then ok "$desc"
	else notok "$desc"; sed 's/^/#   /' "$T/last.out" "$T/last.err" | head -20
	fi
}

# check_fails DESC CMD...: passes when CMD exits non-zero.
check_fails() {
	local desc=$1; shift
	if "$@" >"$T/last.out" 2>"$T/last.err"; then
		notok "$desc (succeeded)"; head -5 "$T/last.out" | sed 's/^/#   /'
	else ok "$desc"
	fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then ok "$1"
	else notok "$1"; echo "#   expected: $2"; echo "#   actual:   $3"
	fi
}

# check_match DESC REGEX TEXT
check_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"
	else notok "$1"; echo "#   /$2/ not in:"; printf '%s\n' "$3" | head -10 | sed 's/^/#   /'
	fi
}

# free_port: a TCP port on 127.0.0.1 that is free now, below the
# ephemeral range (10000-32767): a node binds it later, and a port from the
# ephemeral range may by then be the local end of some connection (run.sh
# runs two scripts at a time).  Each port is also reserved in $PORTS (an
# atomic mkdir, removed when the test ends), so that two scripts running
# at once never pick the same port between choosing and binding it (seen:
# a hub that could not start, "Address already in use").
PORTS=/tmp/mentord-ports
mkdir -p "$PORTS" 2>/dev/null && chmod 1777 "$PORTS" 2>/dev/null
# reservations of tests killed before their cleanup
find "$PORTS" -mindepth 1 -maxdepth 1 -mmin +180 -exec rm -rf {} + 2>/dev/null
free_port() {
	local p="" i
	# Retried: under heavy load the interpreter has been seen to print
	# nothing, which made a node listen on "127.0.0.1:".
	for i in 1 2 3 4 5; do
		p=$("$PYS" -I -S -c '
import os, random, socket, sys
for _ in range(200):
    p = random.randrange(10000, 32768)
    try:
        os.mkdir("%s/%d" % (sys.argv[1], p))
    except OSError:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        os.rmdir("%s/%d" % (sys.argv[1], p))
        continue
    finally:
        s.close()
    print(p)
    break' "$PORTS" 2>/dev/null)
		[ -n "$p" ] && break
		sleep 0.2
	done
	[ -n "$p" ] && echo "$p" >>"$T/.ports"
	echo "$p"
}

# node_new NAME ROLE: creates a node (its web on a free port too); prints
# its directory.
node_new() {
	local d=$T/$1
	"$MENTORD" init -d "$d" --name "$1" --role "$2" \
	    --listen "tcp://127.0.0.1:$(free_port)" \
	    --web-listen "127.0.0.1:$(free_port)" >/dev/null || return 1
	echo "$d"
}

# web_of DIR: the node's web address, http://127.0.0.1:PORT
web_of() { echo "http://$(sed -n '/^\[web\]/,/^\[/s/^listen = //p' "$1/mentord.conf")"; }

ctl() { local d=$1; shift; "$MENTORCTL" -d "$d" "$@"; }

# wait_for TIMEOUT_S CMD...: polls CMD until it succeeds or time is up.
wait_for() {
	local deadline=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.05
	done
}

# node_start DIR: starts the daemon, waits until it answers; sets NODE_PID.
node_start() {
	"$MENTORD" -d "$1" --verbose >>"$1.log" 2>&1 &
	NODE_PID=$!
	PIDS+=("$NODE_PID")
	echo "$NODE_PID" >"$1.pid"
	wait_for 10 "$MENTORCTL" -d "$1" status
}

# node_stop DIR: SIGTERM and wait; returns the daemon's exit status.
node_stop() {
	local p; p=$(cat "$1.pid")
	kill -TERM "$p" 2>/dev/null
	wait "$p"
}

# json FILTER: reads JSON on stdin, prints FILTER applied (python).
json() {
	"$PYS" -I -S -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

done_testing() { [ "$FAILED" -eq 0 ]; }
