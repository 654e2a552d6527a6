#!/usr/bin/env bash
# test_store.sh: the store's defences.  A damaged data.mdb is refused at
# start with what is wrong and how to restore (never a SIGBUS or SIGSEGV),
# `mentord check` finds the damage; a copy left by an interrupted
# compaction is removed at start and a compacted store keeps mode 0600; a
# full disk is named as such, with the directory, and nothing is stored.
. "$(dirname "$0")/lib.sh"

S=$(node_new school school)
node_start "$S" || { notok "school starts"; exit 1; }
python3 - "$ROOT/contrib/data/sample/students.json" >"$T/many.json" <<'EOF'
import json, sys
base = json.load(open(sys.argv[1]))
out = []
for i in range(12000):
	s = dict(base[i % len(base)])
	s["id"] = "D%05d" % i
	out.append(s)
print(json.dumps(out))
EOF
check "12000 students imported" ctl "$S" student import "$T/many.json"
check "store compact" ctl "$S" store compact
mode=$(stat -c %a "$S/store/data.mdb")
check_eq "data.mdb is mode 0600 after a compaction" 600 "$mode"
check_fails "mentord check refuses while the daemon runs" \
    "$MENTORD" check -d "$S"
check_match "... and says why" "running" "$(cat "$T/last.err")"
node_stop "$S"
check "mentord check: a sound store" "$MENTORD" check -d "$S"
check_match "... says so" "store is sound" "$(cat "$T/last.out")"
size=$(stat -c %s "$S/store/data.mdb")
cp -a "$S/store/data.mdb" "$T/good.mdb"
# The damage at 4 MiB below must land on pages the trees use (sorted ids
# are appended, which fills pages: 10000 students made 4.0 MB).
check "the store spans past 4 MiB and 8 pages ($size bytes)" \
    test "$size" -gt $(((4 << 20) + 8 * 4096))

# damage COMMAND: restores the good store, damages it with COMMAND (run
# on the file), then expects start-up to refuse with a message.
damage() {
	local what=$1; shift
	cp -a "$T/good.mdb" "$S/store/data.mdb"
	"$@" "$S/store/data.mdb"
	"$MENTORD" -d "$S" >"$T/start.out" 2>&1 &
	local pid=$! st deadline=$((SECONDS + 10))
	while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"; wait "$pid" 2>/dev/null
		notok "$what: the daemon started on a damaged store"
		return
	fi
	wait "$pid"; st=$?
	check_eq "$what: start-up refused with exit 1 (no signal)" 1 "$st"
	check_match "$what: the refusal says what is wrong and to restore" \
	    "store damaged: .*data.mdb: .*Restore the store from a backup" \
	    "$(cat "$T/start.out")"
	check_fails "$what: mentord check exits non-zero" \
	    "$MENTORD" check -d "$S"
	check_match "$what: mentord check names the damage" "DAMAGED" \
	    "$(cat "$T/last.out")"
}
cut_half() { truncate -s $((size / 2)) "$1"; }
# Random bytes over every page from offset $2 for $3 pages: whichever the
# trees use there are damaged.
garble() {
	python3 - "$1" "$2" "$3" <<'EOF'
import os, random, sys
random.seed(7)
f, off, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(f, "r+b") as h:
	h.seek(off)
	h.write(bytes(random.getrandbits(8) for _ in range(4096 * n)))
EOF
}
last_page() { garble "$1" $((size - 4096)) 1; }
at_4mib() { garble "$1" $((4 << 20)) 8; }
tree_roots() { garble "$1" 8192 $((size / 4096 - 2)); }
damage "cut in half" cut_half
damage "random bytes at 4 MiB" at_4mib
damage "random bytes over the pages" tree_roots
garble_meta() { garble "$1" 0 1; }
damage "random bytes on the first meta page" garble_meta
# The last page may be free: then the store is sound and starts.
cp -a "$T/good.mdb" "$S/store/data.mdb"
last_page "$S/store/data.mdb"
if "$MENTORD" check -d "$S" >/dev/null 2>&1; then
	node_start "$S" && ok "random bytes on a free last page: starts" ||
	    notok "random bytes on a free last page: starts"
	node_stop "$S"
else
	damage "random bytes on the last page" last_page
fi
cp -a "$T/good.mdb" "$S/store/data.mdb"

# A compaction killed before its swap left a copy with student rows.
mkdir -p "$S/store/compact.tmp"
cp "$T/good.mdb" "$S/store/compact.tmp/data.mdb"
node_start "$S" || notok "school restarts"
check_fails "the copy an interrupted compaction left is removed at start" \
    test -e "$S/store/compact.tmp"
n=$(ctl "$S" --json student list | json 'len(d)')
check_eq "the store is intact" 12000 "$n"

# A full disk: a small tmpfs when this machine lets us mount one.
D=$T/small
mkdir -p "$D"
trap 'umount "$D" 2>/dev/null; cleanup' EXIT
if mount -t tmpfs -o size=2m tmpfs "$D" 2>/dev/null; then
	node_stop "$S"
	F=$(node_new small/node school)
	node_start "$F" || notok "node on a 2 MiB disk starts"
	check_fails "an import larger than the disk fails" \
	    ctl "$F" student import "$T/many.json"
	check_match "... saying the disk is full and where" \
	    "disk is full: no space left for the store in $D/node/store" \
	    "$(cat "$T/last.err")"
	n=$(ctl "$F" --json student list | json 'len(d)')
	check_eq "... and nothing was imported" 0 "$n"
	check "the node still takes a small import" \
	    ctl "$F" student import "$ROOT/contrib/data/sample/students.json"
	check_fails "a compaction without room for its copy fails" \
	    ctl "$F" store compact
	check_match "... saying the disk is full, the store unchanged" \
	    "unchanged: the disk is full" "$(cat "$T/last.err")"
	check_fails "... and leaves no copy" test -e "$F/store/compact.tmp"
	node_stop "$F"
	check "the store on the full disk is sound" "$MENTORD" check -d "$F"
	umount "$D"
else
	echo "# skip: cannot mount a tmpfs here; test_fault.sh injects ENOSPC"
	node_stop "$S"
fi
done_testing
