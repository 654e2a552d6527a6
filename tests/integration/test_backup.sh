#!/usr/bin/env bash
# Backups and upgrades: mentorctl backup while records are being imported
# (every record acknowledged before the backup began is in the restore),
# mentord restore into a new and into a stopped directory, damaged and
# misplaced backups refused, and a store of schema version 1 migrated by
# this mentord on start (after a backup), a newer one refused.
. "$(dirname "$0")/lib.sh"
B=$ROOT/${BUILD:-build}/tests

a=$(node_new acme employer)
node_start "$a"
a_id=$(ctl "$a" --json status | json 'd["node_id"]')
N=12; PER=2000
for i in $(seq 1 $N); do
	"$B/mkrecords" "$a" "$PER" "$T/c$i.mntx" $((i * PER)) >/dev/null ||
	    notok "mkrecords chunk $i"
done
ctl "$a" records import "$T/c1.mntx" >/dev/null
ctl "$a" framework import "$ROOT/tests/data/case/welding-exactmatch.json" >/dev/null ||
    notok "framework import"
echo 1 >"$T/acked"

# Imports go on in the background; each chunk is acknowledged when
# records import exits 0, and logged then.
(
	for i in $(seq 2 $N); do
		ctl "$a" records import "$T/c$i.mntx" >/dev/null || exit 1
		echo "$i" >>"$T/acked"
	done
) &
loader=$!
PIDS+=("$loader")
acked_ge() { [ "$(wc -l <"$T/acked")" -ge "$1" ]; }
wait_for 30 acked_ge 3
before=$(cat "$T/acked")
ctl "$a" backup "$T/a.mntb" >"$T/backup.out" 2>&1
brc=$?
during=$(($(wc -l <"$T/acked") - $(echo "$before" | wc -l)))
check_eq "mentorctl backup succeeds while records are imported" 0 "$brc"
check_match "  ...and says what it wrote" '^wrote a backup of [0-9.]+ (KiB|MiB) to ' \
    "$(cat "$T/backup.out")"
echo "# chunks of $PER acknowledged before the backup: $(echo $before | wc -w), during it: $during"
check_eq "the backup file has mode 0600" 600 "$(stat -c %a "$T/a.mntb")"
check_fails "backup refuses to overwrite a file" ctl "$a" backup "$T/a.mntb"
check_match "  ...saying so" 'refusing to overwrite' "$(cat "$T/last.err")"
wait "$loader"
check_eq "  ...and the imports all succeeded meanwhile" $N "$(wc -l <"$T/acked")"
total=$(ctl "$a" --json status | json 'd["records"]')

check_fails "restore into the running node's directory is refused" \
    "$MENTORD" restore -d "$a" "$T/a.mntb"
check_match "  ...saying it runs" 'running: stop it first' "$(cat "$T/last.err")"
node_stop "$a"

r=$T/restored
check "mentord restore into a new directory" "$MENTORD" restore -d "$r" "$T/a.mntb"
check_eq "  ...with the keys and configuration, mode 0600" "600 600 600" \
    "$(stat -c %a "$r/sign.key" "$r/curve.key" "$r/mentord.conf" | xargs)"
node_start "$r"
check_eq "  ...the restored node is the same node" "$a_id" \
    "$(ctl "$r" --json status | json 'd["node_id"]')"
check_match "  ...with its imported CASE framework" 'f0e1d2c3-0000-4000-8000-00000000test' \
    "$(ctl "$r" framework list)"
missing=0
for i in $before; do
	out=$(ctl "$r" --json records import "$T/c$i.mntx") || missing=1
	[ "$(echo "$out" | json 'd["duplicates"]')" = "$PER" ] || missing=1
done
check_eq "every record acknowledged before the backup began is in the restore" \
    0 "$missing"
got=$(ctl "$r" --json status | json 'd["records"]')
check "  ...and nothing else is invented ($got of $total records)" \
    test "$got" -le "$total"
node_stop "$r"

check "restore into the stopped original directory" \
    "$MENTORD" restore -d "$a" "$T/a.mntb"
check "  ...keeps the replaced store aside" sh -c "ls -d '$a'/store.before-restore-*"
other=$(node_new other employer)
check_fails "restore into another node's directory is refused" \
    "$MENTORD" restore -d "$other" "$T/a.mntb"
check_match "  ...naming the problem" 'another node' "$(cat "$T/last.err")"

head -c -100 "$T/a.mntb" >"$T/trunc.mntb"
check_fails "a truncated backup is refused" "$MENTORD" restore -d "$T/t1" "$T/trunc.mntb"
check_match "  ...as damaged" 'damaged backup' "$(cat "$T/last.err")"
check "  ...and leaves no directory half-made" test ! -e "$T/t1/store"
cp "$T/a.mntb" "$T/flip.mntb"
printf 'X' | dd of="$T/flip.mntb" bs=1 seek=5000 conv=notrunc 2>/dev/null
check_fails "a backup with one byte changed is refused" "$MENTORD" restore -d "$T/t2" "$T/flip.mntb"
check_match "  ...by its hash" 'hash mismatch' "$(cat "$T/last.err")"
check_fails "a file that is not a backup is refused" "$MENTORD" restore -d "$T/t3" "$T/c1.mntx"
check_match "  ...saying so" 'not a mentord backup' "$(cat "$T/last.err")"

# Upgrade: a store as schema version 1 wrote it.
up=$(node_new up employer)
node_start "$up"
"$B/mkrecords" "$up" 500 "$T/up.mntx" 1 >/dev/null
ctl "$up" records import "$T/up.mntx" >/dev/null
n1=$(ctl "$up" --json status | json 'd["records"]')
node_stop "$up"
check "the store is set back to schema version 1" "$B/storeschema" "$up/store" 1
: >"$up.log"
node_start "$up"
check_match "a new mentord migrates it on start" 'migrated from schema 1 to 2' \
    "$(cat "$up.log")"
check "  ...after writing a backup first" sh -c "ls '$up'/backup-schema-1-*.mntb"
check_match "  ...logged before the migration" 'schema 1 is older than 2; backed up' \
    "$(grep -B1 'migrated from' "$up.log" | head -n 1)"
check_eq "  ...and every record is still there" "$n1" \
    "$(ctl "$up" --json status | json 'd["records"]')"
node_stop "$up"
: >"$up.log"
node_start "$up"
check_eq "  ...once: the next start migrates nothing" "" "$(grep migrated "$up.log")"
node_stop "$up"
check "the pre-migration backup restores (a schema 1 store)" \
    "$MENTORD" restore -d "$T/fromv1" "$(ls "$up"/backup-schema-1-*.mntb)"
node_start "$T/fromv1"
check_match "  ...and that store is migrated when it starts" 'migrated from schema 1 to 2' \
    "$(cat "$T/fromv1.log")"
node_stop "$T/fromv1"

"$B/storeschema" "$up/store" 3
"$MENTORD" -d "$up" 2>"$T/newer.err"; rc=$?
check_eq "a store of a newer schema is refused (exit 1)" 1 "$rc"
check_match "  ...with a clear message" \
    'schema version 3 was written by a newer mentord; this one .* understands versions up to 2' \
    "$(cat "$T/newer.err")"
"$B/storeschema" "$up/store" 2

rm -rf "$other/store" && cp -r "$up/store" "$other/store"
"$MENTORD" -d "$other" 2>"$T/misplaced.err"; rc=$?
check_eq "a store copied under another node's keys is refused" 1 "$rc"
check_match "  ...saying so" 'belongs to another node' "$(cat "$T/misplaced.err")"
done_testing
