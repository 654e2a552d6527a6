#!/usr/bin/env bash
# Foundation: init, the lock, status, bad requests, signals, kill -9.
. "$(dirname "$0")/lib.sh"
ZSEND=$ROOT/${BUILD:-build}/tests/zsend

d=$(node_new school1 school)
check "init creates the node" test -f "$d/mentord.conf"
check_eq "DIR is mode 0700" 700 "$(stat -c %a "$d")"
check_eq "sign.key is mode 0600" 600 "$(stat -c %a "$d/sign.key")"
check_eq "curve.key is mode 0600" 600 "$(stat -c %a "$d/curve.key")"
check_fails "init refuses a DIR that holds a node" \
    "$MENTORD" init -d "$d" --name again --role hub
check_match "  ...and says why" "already holds a node" "$(cat "$T/last.err")"
check_fails "init refuses an unknown role" \
    "$MENTORD" init -d "$T/x" --name x --role teacher

out=$(ctl "$d" status 2>&1); rc=$?
check_eq "status before start exits 3" 3 "$rc"
check_match "  ...and says the node is not running" "not running" "$out"

check "daemon starts and answers" node_start "$d"
id1=$(ctl "$d" --json status | json 'd["node_id"]')
check_match "status --json has a 64-hex node id" '^[0-9a-f]{64}$' "$id1"
check_eq "status --json has name and role" "school1 school" \
    "$(ctl "$d" --json status | json 'd["name"]+" "+d["role"]')"
check_eq "status --json has the contract's fields" "True" \
    "$(ctl "$d" --json status | json 'all(k in d for k in ["name","role","node_id","listings","students","peers"])')"

"$MENTORD" -d "$d" >"$T/second.out" 2>&1; rc=$?
check_eq "a second daemon on one DIR refuses" 1 "$rc"
check_match "  ...with a clear message" "in use by another mentord" \
    "$(cat "$T/second.out")"

ep="ipc://$d/api.sock"
check_match "garbage JSON gets an error reply" '"ok":false' \
    "$("$ZSEND" "$ep" "hex:017b7b7b")"
check_match "wrong version gets EVERSION" '"EVERSION"' \
    "$("$ZSEND" "$ep" 'hex:09')"
check_match "unknown command is named" 'unknown command' \
    "$("$ZSEND" "$ep" 'req:{"cmd":"frobnicate"}')"
check_match "random frames get an error reply" '"ok":false' \
    "$("$ZSEND" "$ep" rand:4096 rand:100 rand:7)"
check_match "oversized header gets ETOOBIG" 'ETOOBIG' \
    "$("$ZSEND" "$ep" pad:1048577)"
check_match "a header that is not an object is refused" 'not a JSON object' \
    "$("$ZSEND" "$ep" 'req:[1,2]')"
check_match "three frames are refused" 'one or two frames' \
    "$("$ZSEND" "$ep" 'req:{"cmd":"status"}' str:a str:b)"
check_match "a data frame on status is refused" 'takes no data' \
    "$("$ZSEND" "$ep" 'req:{"cmd":"status"}' str:a)"
check_match "a good request through zsend works" '"ok":true' \
    "$("$ZSEND" "$ep" 'req:{"cmd":"ping"}')"
"$ZSEND" --dealer "$ep" rand:64 >/dev/null 2>&1
python3 - "$d/api.sock" <<'PY'
import os, socket, sys
for n in (1, 17, 4096, 100000):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    try:
        s.sendall(os.urandom(n))
    except OSError:
        pass
    s.close()
PY
check "after random bytes on the socket, the node still answers" \
    ctl "$d" status

start=$SECONDS
node_stop "$d"; rc=$?
check_eq "SIGTERM: exit status 0" 0 "$rc"
check "  ...within 5 s" test $((SECONDS - start)) -le 5
check_fails "  ...and the API socket is gone" test -e "$d/api.sock"

node_start "$d"
kill -INT "$NODE_PID"; wait "$NODE_PID"; rc=$?
check_eq "SIGINT: exit status 0" 0 "$rc"

node_start "$d"
kill -9 "$NODE_PID"; wait "$NODE_PID" 2>/dev/null
check "after kill -9 the node restarts" node_start "$d"
id2=$(ctl "$d" --json status | json 'd["node_id"]')
check_eq "  ...with the same node id" "$id1" "$id2"

# A daemon that dies while mentorctl waits: mentorctl says so at once
# instead of waiting out --timeout (the node is stopped, so the request
# stays unanswered, then killed).
kill -STOP "$NODE_PID"
ctl "$d" --timeout 60 status >"$T/dead.out" 2>&1 &
waiter=$!
sleep 0.3
start=$SECONDS
kill -9 "$NODE_PID"; wait "$NODE_PID" 2>/dev/null
wait "$waiter"; rc=$?
check_eq "a node killed mid-request: mentorctl exits 3" 3 "$rc"
check "  ...within 3 s, not after --timeout" test $((SECONDS - start)) -le 3
check_match "  ...saying it stopped before answering" \
    "the node in $d stopped before answering" "$(cat "$T/dead.out")"
check "  ...and the node restarts" node_start "$d"

h=$T/home
HOME=$h MENTORD_HOME= "$MENTORD" init --name dflt --role hub >/dev/null
check "without -d, init uses ~/.local/state/mentord" test -f "$h/.local/state/mentord/mentord.conf"
check "  ...and mentorctl finds it there (not running)" sh -c \
    "HOME='$h' MENTORD_HOME= '$MENTORCTL' status 2>&1 | grep -q 'not running'"
MENTORD_HOME=$T/viaenv "$MENTORD" init --name env --role hub >/dev/null
check "with \$MENTORD_HOME, init uses it" test -f "$T/viaenv/mentord.conf"

out=$(ctl "$d" frobnicate 2>&1); rc=$?
check_eq "unknown mentorctl command exits 2" 2 "$rc"
check_match "  ...and names it" 'unknown command "frobnicate"' "$out"
check_match "status --help explains the command" "usage: mentorctl status" \
    "$(ctl "$d" status --help)"
check_match "--version prints the version" '^mentorctl [0-9]+\.' \
    "$("$MENTORCTL" --version)"
node_stop "$d"
done_testing
