#!/usr/bin/env bash
# Students and matching through mentorctl on a real node: imports (all or
# nothing), show/delete, and matches on the sample data: eligibility,
# reasons, determinism, and the index following withdrawals and restarts.
. "$(dirname "$0")/lib.sh"

sch=$(node_new school school)
node_start "$sch"
ctl "$sch" listing post "$ROOT/contrib/data/sample/listings.json" >/dev/null
check_eq "sample listings posted" 43 "$(ctl "$sch" --json status | json 'd["listings"]')"

out=$(ctl "$sch" --json student import "$ROOT/contrib/data/sample/students.csv")
check_eq "student import of the sample CSV" 30 "$(echo "$out" | json 'd["imported"]')"
check_eq "re-importing the same students as JSON creates none and changes none" "0 0 30" \
    "$(ctl "$sch" --json student import "$ROOT/contrib/data/sample/students.json" | json 'str(d["created"])+" "+str(d["updated"])+" "+str(d["unchanged"])')"

# A CSV with one bad row imports nothing and names the row.
{ head -n 3 "$ROOT/contrib/data/sample/students.csv"
  echo "S9001,New Kid,2010-01-01,eleven,41.8,-87.6,20,in_person,,,"
  sed -n '4,5p' "$ROOT/contrib/data/sample/students.csv" | sed 's/^S10/S90/'; } >"$T/bad.csv"
out=$(ctl "$sch" student import "$T/bad.csv" 2>&1); rc=$?
check_eq "a CSV with one bad row is refused (exit 1)" 1 "$rc"
check_match "  ...naming the line and the field" "line 4: grade" "$out"
check_eq "  ...and imports nothing" 30 "$(ctl "$sch" --json student list | json 'len(d)')"
echo '[{"id":"S9002","name":"X","birth_date":"2099-01-01"}]' >"$T/future.json"
check_fails "a birth date in the future is refused" ctl "$sch" student import "$T/future.json"
check_match "  ...saying so" "birth_date: in the future" "$(cat "$T/last.err")"

check_eq "student show returns the profile" "Marcus Delgado" \
    "$(ctl "$sch" --json student show S1001 | json 'd["name"]')"

# Matching on the sample data.
m=$(ctl "$sch" --json match S1001 --top 5)
check_match "the welding student's top match is a welding opportunity" \
    "[Ww]eld" "$(echo "$m" | json 'd["matches"][0]["title"]')"
check_eq "match --json has the contract's fields" "True" \
    "$(echo "$m" | json 'all(k in x for x in d["matches"] for k in ["listing","title","score","reasons"]) and d["student"]=="S1001"')"
check_eq "every match explains itself" "True" \
    "$(echo "$m" | json 'all(len(x["reasons"]) >= 3 for x in d["matches"])')"
check_eq "scores are in descending order" "True" \
    "$(echo "$m" | json '[x["score"] for x in d["matches"]] == sorted([x["score"] for x in d["matches"]], reverse=True)')"
check_eq "repeated runs give identical output" "$m" "$(ctl "$sch" --json match S1001 --top 5)"

# Rural students see only virtual listings; nobody sees a listing they are
# too young for, or one farther than their travel distance.
for s in $(ctl "$sch" --json student list | json '" ".join(x["id"] for x in d)'); do
	ctl "$sch" --json match "$s" --top 100 >"$T/m.$s.json"
done
python3 - "$ROOT/contrib/data/sample" "$T" "$sch" "$MENTORCTL" <<'PY' >"$T/elig.out"
import json, math, sys, subprocess, datetime
sample, tdir, node, ctl = sys.argv[1:5]
students = {s["id"]: s for s in json.load(open(sample + "/students.json"))}
listings = {}
for l in json.loads(subprocess.check_output([ctl, "-d", node, "--json", "listing", "list"])):
    listings[l["id"]] = json.loads(subprocess.check_output([ctl, "-d", node, "--json", "listing", "show", l["id"]]))
def km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((la2-la1)/2)**2 + math.cos(la1)*math.cos(la2)*math.sin((lo2-lo1)/2)**2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
bad = []
for sid, s in students.items():
    m = json.load(open("%s/m.%s.json" % (tdir, sid)))
    bd = datetime.date.fromisoformat(s["birth_date"])
    for hit in m["matches"]:
        l = listings[hit["listing"]]
        if l["modality"] not in s.get("modality", ["in_person", "virtual", "hybrid"]):
            bad.append((sid, l["id"], "modality"))
        if l["modality"] != "virtual":
            if "location" not in s or km(s["location"], l["location"]) > s.get("max_distance_km", 50):
                bad.append((sid, l["id"], "distance"))
        if "min_age" in l:
            day = datetime.date.fromisoformat(l["start"]) if "start" in l else datetime.date.today()
            age = day.year - bd.year - ((day.month, day.day) < (bd.month, bd.day))
            if age < l["min_age"]:
                bad.append((sid, l["id"], "age"))
print(len(bad), bad[:5])
PY
check_eq "no student is matched to a listing they cannot take" "0 []" "$(cat "$T/elig.out")"
rural=$(python3 - "$ROOT/contrib/data/sample/students.json" <<'PY'
import json, sys
print(" ".join(s["id"] for s in json.load(open(sys.argv[1])) if s.get("location", {}).get("lat", 0) < 38 or s.get("location", {}).get("lon", 0) < -90))
PY
)
n_rural_virtual=0
for s in $rural; do
	v=$(json 'all("Virtual" in " ".join(r["text"] for r in x["reasons"]) for x in d["matches"]) and len(d["matches"]) > 0' <"$T/m.$s.json")
	[ "$v" == True ] && n_rural_virtual=$((n_rural_virtual + 1))
done
check "rural students get matches, all of them virtual" test "$n_rural_virtual" -ge 3

# The index follows withdrawals and survives a restart.
top=$(echo "$m" | json 'd["matches"][0]["listing"]')
ctl "$sch" listing withdraw "$top" >/dev/null
check_fails "a withdrawn listing is no longer matched" sh -c \
    "'$MENTORCTL' -d '$sch' --json match S1001 --top 100 | grep -q '$top'"
node_stop "$sch"; node_start "$sch"
check_eq "after a restart the matches are the same" \
    "$(ctl "$sch" --json match S1001 --top 5 | json 'd["matches"][0]["listing"]')" \
    "$(ctl "$sch" --json match S1001 --top 5 | json 'd["matches"][0]["listing"]')"
check_fails "  ...and still without the withdrawn listing" sh -c \
    "'$MENTORCTL' -d '$sch' --json match S1001 --top 100 | grep -q '$top'"

check_fails "match of an unknown student fails" ctl "$sch" match S0000
check_match "  ...naming it" 'no student "S0000"' "$(cat "$T/last.err")"
check_fails "match --top 0 is a usage error" ctl "$sch" match S1001 --top 0
check "student delete" ctl "$sch" student delete S1001
check_fails "  ...student show then fails" ctl "$sch" student show S1001
check_fails "  ...and so does match" ctl "$sch" match S1001
emp=$(node_new emp employer)
node_start "$emp"
check_fails "student import on an employer node is refused" \
    ctl "$emp" student import "$ROOT/contrib/data/sample/students.csv"
check_match "  ...saying students live on school nodes" "school nodes" "$(cat "$T/last.err")"
grep -h -i -E "Marcus|Delgado|2010-05-14" "$sch.log" "$emp.log" >"$T/leak" || true
check_eq "the logs hold no student data" 0 "$(wc -l <"$T/leak")"
node_stop "$sch"; node_stop "$emp"
done_testing
