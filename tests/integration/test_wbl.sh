#!/usr/bin/env bash
# The school side of work-based learning through mentorctl on a real node:
# the roster's concentrator column survives a re-import without it, the
# report on a node without placements is empty and refuses bad dates,
# evaluation and credential commands refuse what does not exist with a
# clear message, an employer node refuses them all, and the report is the
# coordinator's only.  (Evaluations and completed placements need
# placement messages to arrive: their figures are tested in
# tests/unit/test_evidence.c and test_report.c.)
. "$(dirname "$0")/lib.sh"

sch=$(node_new school school)
emp=$(node_new employer employer)
node_start "$sch"
node_start "$emp"

cat >"$T/r.csv" <<'CSV'
id,name,grade,concentrator,clusters
C1,Ana Diaz,11,yes,manufacturing
C2,Ben Ode,12,no,health-science
C3,Cy Park,10,,manufacturing
CSV
check "a roster with a concentrator column imports" \
	ctl "$sch" student import "$T/r.csv"
check_eq "  ...yes, no and empty as true, false and absent" "True False None" \
	"$(for s in C1 C2 C3; do ctl "$sch" --json student show $s | json 'd.get("concentrator")'; done | tr '\n' ' ' | sed 's/ $//')"
printf 'id,name,grade\nC1,Ana Diaz,12\n' >"$T/r2.csv"
ctl "$sch" student import "$T/r2.csv" >/dev/null
check_eq "  ...and is kept by a roster without the column" "True 12" \
	"$(ctl "$sch" --json student show C1 | json 'str(d["concentrator"])+" "+str(d["grade"])')"
printf 'id,name,concentrator\nC4,Di Lu,maybe\n' >"$T/bad.csv"
check_fails "a bad concentrator cell is refused" ctl "$sch" student import "$T/bad.csv"
check_match "  ...naming the line and the values" "line 2.*concentrator.*must be yes or no" \
	"$(cat "$T/last.err")"

check_eq "student show --json has no evidence yet" "{}" \
	"$(ctl "$sch" --json student show C1 | json 'd["evidence"]')"
check_eq "evaluation list is empty" "0" \
	"$(ctl "$sch" --json evaluation list | json 'len(d)')"
check_fails "evaluation apply of an unknown id is refused" \
	ctl "$sch" evaluation apply b0b1b2b3b4b5b6b7b8b9babbbcbdbebf
check_match "  ...saying so" "no evaluation b0b1b2b3b4b5b6b7b8b9babbbcbdbebf" \
	"$(cat "$T/last.err")"
check_fails "evaluation show of a malformed id is refused" \
	ctl "$sch" evaluation show xyz
check_match "  ...naming the argument" 'id: "xyz" is not a well-formed evaluation id' \
	"$(cat "$T/last.err")"
check_fails "credential issue for an unknown application is refused" \
	ctl "$sch" credential issue 7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b
check_match "  ...saying so" "no application 7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b" \
	"$(cat "$T/last.err")"
check_fails "credential export needs --out" \
	ctl "$sch" credential export 7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b
check_fails "credential show of none is refused" \
	ctl "$sch" credential show 7a1c9e04b3d2f6a85e0b1c2d3e4f5a6b
check_match "  ...saying so" "no credential for application" "$(cat "$T/last.err")"

check "report wbl on a node without placements" ctl "$sch" report wbl
check_match "  ...says there is nothing yet" "no completed placements" \
	"$(cat "$T/last.out")"
check_eq "  ...--json: 3 students, no years, cells under 10 suppressed" "3 0 10" \
	"$(ctl "$sch" --json report wbl | json '"%d %d %d" % (d["students"], len(d["years"]), d["suppressed_below"])')"
check_eq "  ...--csv: the header only" "year,measure,group,students,total,share,placements,minutes" \
	"$(ctl "$sch" report wbl --csv)"
check_fails "a bad --from is refused" ctl "$sch" report wbl --from 2026-02-30
check_match "  ...naming it" 'from: "2026-02-30" is not a date' "$(cat "$T/last.err")"
check_fails "the employer node has no such report" ctl "$emp" report wbl
check_match "  ...saying why" "students live on school nodes" "$(cat "$T/last.err")"
check_fails "nor evaluations" ctl "$emp" evaluation list
exit $FAILED
