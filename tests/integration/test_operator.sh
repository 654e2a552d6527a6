#!/usr/bin/env bash
# What an operator sees: help at every level, units and grammar in human
# output, names instead of codes, sync naming the peers it skipped, a
# listing document sent as a data frame, no progress line off a terminal.
. "$(dirname "$0")/lib.sh"

out=$("$MENTORCTL" --help)
check_match "top-level help: one line per command with a summary" \
    '^  listing post +sign and publish' "$(echo "$out" | grep 'listing post')"
check_eq "  ...and no line wider than 80 columns" 0 \
    "$(echo "$out" | awk 'length > 80' | wc -l)"
out=$("$MENTORCTL" listing --help); rc=$?
check_eq "mentorctl listing --help exits 0" 0 "$rc"
check_match "  ...and lists the listing commands" 'listing withdraw' "$out"
out=$("$MENTORCTL" student 2>&1); rc=$?
check_eq "mentorctl student alone is a usage error (exit 2)" 2 "$rc"
check_match "  ...that shows its subcommands" 'student import' "$out"
check_match "mentorctl help sync explains sync" 'skipped' \
    "$("$MENTORCTL" help sync)"
check_match "mentorctl records import --help explains it" \
    'usage: mentorctl records import FILE' "$("$MENTORCTL" records import --help)"
out=$("$MENTORCTL" listing frobnicate 2>&1)
check_match "an unknown subcommand names it and lists the group" \
    'unknown subcommand "frobnicate".*listing post' "$(echo $out)"

emp=$(node_new employer1 employer)
sch=$(node_new school1 school)
node_start "$emp"
node_start "$sch"
emp_id=$(ctl "$emp" --json status | json 'd["node_id"]')
check_match "status shows uptime with a unit" '^uptime: +[0-9]+ (s|min)' \
    "$(ctl "$emp" status | grep uptime)"
out=$(ctl "$emp" student list 2>&1)
check_match "a refusal on an employer says \"an employer\"" 'is an employer' "$out"

cat >"$T/l.json" <<'J'
{"ref":"weld","kind":"job_shadow","title":"Welding shop job shadow",
 "organization":"Acme","clusters":["manufacturing"],
 "occupations":["51-4121.00"],
 "requires":[{"competency":"onet:2.B.3.h","level":2}],
 "capacity":2,"modality":"virtual"}
J
id=$(ctl "$emp" --json listing post "$T/l.json" | json 'd["ids"][0]')
out=$(ctl "$emp" listing show "$id")
check_match "listing show names the occupation" 'Welders, Cutters' "$out"
check_match "  ...and the competency" 'Operation and Control \(level 2\)' "$out"
check_match "  ...and the author by name" '^author: +employer1$' \
    "$(echo "$out" | grep author)"
check_match "  ...and shows dates as dates" \
    '^created: +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC$' \
    "$(echo "$out" | grep created)"
check_eq "--json keeps the codes" "51-4121.00" \
    "$(ctl "$emp" --json listing show "$id" | json 'd["occupations"][0]')"
check_eq "listing list says \"1 listing\"" "1 listing" \
    "$(ctl "$emp" listing list | tail -n 1)"

python3 - "$T/l.json" "$T/big.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["ref"] = "big"
d["description"] = "x" * (1 << 20)
json.dump(d, open(sys.argv[2], "w"))
PY
check_fails "a listing with a 1 MiB description is refused" \
    ctl "$emp" listing post "$T/big.json"
check_match "  ...by the node's validation, naming the field and its limit" \
    '^mentorctl: description: longer than [0-9]+ bytes' "$(cat "$T/last.err")"

out=$(ctl "$emp" sync 2>&1); rc=$?
check_eq "sync with no peers exits 1" 1 "$rc"
check_match "  ...saying so" 'no peers' "$out"
ctl "$sch" peer add "tcp://127.0.0.1:1" "$emp_id" >/dev/null
out=$(ctl "$sch" sync 2>&1); rc=$?
check_eq "sync that reconciled with nobody exits 1" 1 "$rc"
check_match "  ...naming the skipped peer and why" \
    "^${emp_id:0:16}  skipped: not connected" "$out"
check_eq "  ...also in --json" "not connected" \
    "$(ctl "$sch" --json sync 2>/dev/null | json 'd[-1]["skipped"]')"

ctl "$emp" records export "$T/exp.bin" >/dev/null
ctl "$sch" records import "$T/exp.bin" >"$T/imp.out" 2>"$T/imp.err"
check_eq "records import draws no progress when stderr is not a terminal" \
    "" "$(cat "$T/imp.err")"
check_match "  ...and reports in words" 'accepted, 0 rejected' "$(cat "$T/imp.out")"
if command -v script >/dev/null; then
	"$ROOT/${BUILD:-build}/tests/mkrecords" "$emp" 20000 "$T/many.mntx" 100 >/dev/null
	script -qc "'$MENTORCTL' -d '$emp' records import '$T/many.mntx'" /dev/null \
	    >"$T/tty.out" 2>&1
	check_match "on a terminal, records import draws count, rate and time left" \
	    'importing: [0-9]+ of 20000 records \([0-9]+%\), [0-9]+/s(, [0-9]+ (s|min [0-9]+ s) left)?' \
	    "$(tr '\r' '\n' <"$T/tty.out")"
	check_match "  ...and erases it before the summary" \
	    '20000 accepted, 0 rejected, 0 already held' "$(tr '\r' '\n' <"$T/tty.out")"
	check_fails "  ...but not with --json" grep -q importing <(script -qc \
	    "'$MENTORCTL' -d '$emp' --json records import '$T/many.mntx'" /dev/null)
fi
done_testing
