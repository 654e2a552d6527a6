#!/usr/bin/env bash
# The reference data through mentorctl on real nodes: the O*NET build is
# reproducible, occupation search and profiles, the cluster frameworks,
# and pathway / listing suggest both without O*NET's level data (they say
# so) and with the shipped O*NET ratings.
. "$(dirname "$0")/lib.sh"

# contrib/onet/build rewrites the shipped tables byte for byte (the
# ratings come from O*NET's Excel files, too large to ship: see
# contrib/data/SOURCES.md; their reading is checked below).
mkdir -p "$T/built"
"$ROOT/contrib/onet/build" --extract "$ROOT/contrib/onet/skills_30_x" \
    "$ROOT/contrib/onet/db_29_2_text" "$T/built" >"$T/build.out" 2>"$T/build.err"
check_eq "contrib/onet/build succeeds" 0 "$?"
for f in onet-elements.tsv soc.tsv alt-titles.tsv; do
	check "  ...and rebuilds $f byte for byte" \
	    cmp -s "$T/built/$f" "$ROOT/contrib/data/$f"
done
check "  ...and every rating of the 30.x extract is in the shipped table" \
    python3 -c 'import sys
rows=lambda f: {l for l in open(f) if l[0].isdigit()}
sys.exit(not rows(sys.argv[1]) <= rows(sys.argv[2]))' \
    "$T/built/onet-levels.tsv" "$ROOT/contrib/data/onet-levels.tsv"

# O*NET's Excel layout (Title and Scale Name columns, shared strings,
# numbers as numbers), written from the shipped ratings of three
# occupations: build --ratings gives those rows back, the extract's skills
# taking the place of the Skills file's for 51-4121.00.
mkdir -p "$T/xl"
python3 - "$ROOT/contrib/data/onet-levels.tsv" "$T/xl" <<'PY'
import sys, zipfile
from xml.sax.saxutils import escape
occ = ("11-1011.00", "13-2011.00", "51-4121.00")
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l[:10] in occ]
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
head = ["O*NET-SOC Code", "Title", "Element ID", "Element Name", "Scale ID",
        "Scale Name", "Data Value", "N"]
for name, pre in (("Skills", ("2.A", "2.B")), ("Knowledge", ("2.C",))):
    ss, xml = [], []
    def row(vals):
        cells = []
        for i, v in enumerate(vals):
            ref = 'r="%s%d"' % ("ABCDEFGH"[i], len(xml) + 1)
            if isinstance(v, float):
                cells.append('<c %s><v>%r</v></c>' % (ref, v))
            elif i == 5:
                cells.append('<c %s t="inlineStr"><is><t>%s</t></is></c>'
                             % (ref, escape(v)))
            else:
                ss.append(v)
                cells.append('<c %s t="s"><v>%d</v></c>' % (ref, len(ss) - 1))
        xml.append('<row r="%d">%s</row>' % (len(xml) + 1, "".join(cells)))
    row(head)
    for code, el, im, lv in rows:
        if el.startswith(pre):
            for sc, v in (("IM", im), ("LV", lv)):
                row([code, "t", el, "e", sc, "s", float(v), 8.0])
    with zipfile.ZipFile("%s/%s.xlsx" % (sys.argv[2], name), "w") as z:
        z.writestr("xl/sharedStrings.xml", "<sst %s>%s</sst>" % (ns,
            "".join("<si><t>%s</t></si>" % escape(x) for x in ss)))
        z.writestr("xl/worksheets/sheet1.xml",
            "<worksheet %s><sheetData>%s</sheetData></worksheet>" %
            (ns, "".join(xml)))
PY
"$ROOT/contrib/onet/build" --ratings "$T/xl" --extract "$ROOT/contrib/onet/skills_30_x" \
    "$ROOT/contrib/onet/db_29_2_text" "$T/built" >/dev/null 2>"$T/build.err"
check_eq "build reads the ratings from O*NET's Excel files" 0 "$?"
check_eq "  ...the same ratings as shipped" \
    "$(grep -E '^(11-1011.00|13-2011.00|51-4121.00)' "$ROOT/contrib/data/onet-levels.tsv";
       grep -E '^(15-1252.00|29-1141.00|31-1131.00|49-3041.00)	2\.[AB]' "$ROOT/contrib/data/onet-levels.tsv")" \
    "$(grep -E '^(11-1011.00|13-2011.00|51-4121.00)' "$T/built/onet-levels.tsv";
       grep -vE '^(11-1011.00|13-2011.00|51-4121.00|#|code)' "$T/built/onet-levels.tsv")"
check_match "  ...saying whose skills come from the extract" \
    "51-4121.00: skills from .*skills_30_x, not from the Skills file" "$(cat "$T/build.err")"
echo 'not a spreadsheet' >"$T/xl/Knowledge.xlsx"
check_fails "a broken Excel file is refused" \
    "$ROOT/contrib/onet/build" --ratings "$T/xl" "$ROOT/contrib/onet/db_29_2_text" "$T/built"
check_match "  ...naming it" "Knowledge.xlsx: not a readable .xlsx file" "$(cat "$T/last.err")"
mkdir -p "$T/built2"
"$ROOT/contrib/onet/build" "$ROOT/contrib/onet/db_29_2_text" "$T/built2" \
    >/dev/null 2>"$T/build.err"
check "without ratings it writes no level table" test ! -e "$T/built2/onet-levels.tsv"
check_match "  ...saying why" "no Skills.txt, Knowledge.txt, Abilities.txt" \
    "$(cat "$T/build.err")"
cp -R "$ROOT/contrib/onet/skills_30_x" "$T/bad-extract"
sed -i '2s/ 2.12 / 2.21 /' "$T/bad-extract/51-4121.00.txt"
check_fails "a mistyped rating in an extract is refused" \
    "$ROOT/contrib/onet/build" --extract "$T/bad-extract" "$ROOT/contrib/onet/db_29_2_text" "$T/built2"
check_match "  ...naming the line" "51-4121.00.txt line 2: value and confidence interval disagree" \
    "$(cat "$T/last.err")"

# A data directory without the ratings.
mkdir -p "$T/nolevels"
cp "$ROOT"/contrib/data/*.tsv "$T/nolevels/"
rm "$T/nolevels/onet-levels.tsv"

sch=$(node_new school school)
MENTORD_DATA="$T/nolevels" node_start "$sch"
ctl "$sch" listing post "$ROOT/contrib/data/sample/listings.json" >/dev/null
ctl "$sch" student import "$ROOT/contrib/data/sample/students.csv" >/dev/null

out=$(ctl "$sch" --json occupation search welder)
check_eq "occupation search finds welders by an alternate title" "True" \
    "$(echo "$out" | json '"51-4121.00" in [x["code"] for x in d]')"
out=$(ctl "$sch" --json occupation search CNA --top 2)
check_eq "  ...and CNA, at most --top" "2 CNA" \
    "$(echo "$out" | json 'str(len(d))+" "+d[0]["matched"]')"
out=$(ctl "$sch" occupation search nursing assistants)
check_match "  ...the whole title first, human form" \
    "^31-1131.00  Nursing Assistants" "$out"
check_fails "occupation search needs words" ctl "$sch" occupation search

# ZIP codes, from the Census table shipped in contrib/data/zip.tsv.
out=$(ctl "$sch" --json zip 54301)
check_eq "zip: a ZIP code's coordinates (Census 2021 ZCTA point)" \
    "44.480778 -88.016063" "$(echo "$out" | json '"%.6f %.6f" % (d["lat"], d["lon"])')"
check_fails "zip: an unknown ZIP code is refused" ctl "$sch" zip 00000
check_match "  ...saying what to give instead" "give lat and lon instead" \
    "$(cat "$T/last.err" 2>/dev/null; ctl "$sch" zip 00000 2>&1)"
check_fails "zip: not 5 digits" ctl "$sch" zip 5430
check_match "  ...naming the rule" "5 digits" "$(ctl "$sch" zip 5430 2>&1)"

out=$(ctl "$sch" --json occupation show 51-4121.00)
check_eq "occupation show: title, alternate titles, no levels" \
    "Welders, Cutters, Solderers, and Brazers True None" \
    "$(echo "$out" | json 'd["title"]+" "+str(len(d["alternate_titles"])>10)+" "+str(d["levels"])')"
check_match "  ...saying the level data is not installed" "none installed" \
    "$(ctl "$sch" occupation show 51-4121.00)"
check_fails "an unknown occupation is refused" ctl "$sch" occupation show 99-9999.00
check_match "  ...naming it" 'no O\*NET-SOC occupation "99-9999.00"' "$(cat "$T/last.err")"

out=$(ctl "$sch" --json cluster list)
check_eq "cluster list: 30 clusters, 79 pathways, 72 sub-clusters" "30 79 72" \
    "$(echo "$out" | json '"%d %d %d" % (len(d), sum(len(x["subclusters"]) for x in d if x["framework"]==16), sum(len(x["subclusters"]) for x in d if x["framework"]==14))')"
check_eq "  ...with the sourced crosswalk" "['digital-technology']" \
    "$(echo "$out" | json '[x["crosswalk"] for x in d if x["code"]=="information-technology"][0]')"

check_fails "pathway without level data is refused" ctl "$sch" pathway S1001
check_match "  ...saying plainly what is missing" \
    "pathway: the O\*NET level data is not installed .*Skills.txt" "$(cat "$T/last.err")"
cat >"$T/new.json" <<'JSON'
{"ref":"weld-new","kind":"job_shadow","title":"Welding day","organization":"Acme",
 "occupations":["51-4121.00"],"capacity":1,"modality":"virtual"}
JSON
check_fails "listing suggest without level data is refused" \
    ctl "$sch" listing suggest "$T/new.json"
check_match "  ...saying so" "listing suggest: the O\*NET level data is not installed" \
    "$(cat "$T/last.err")"

# CASE: a package's items become competencies; exactMatchOf an O*NET
# element counts as that element in matching.
out=$(ctl "$sch" framework import "$ROOT/tests/data/case/welding-exactmatch.json")
check_match "framework import" "imported f0e1d2c3-0000-4000-8000-00000000test .*3 competencies, 2 exact matches" "$out"
check "  ...an OpenSALT package too" ctl "$sch" framework import "$ROOT/tests/data/case/opensalt-test-Ordering.json"
check_eq "framework list" "2" "$(ctl "$sch" --json framework list | json 'len(d)')"
check_match "framework show names the items" "WLD.3  Read welding symbols on blueprints" \
    "$(ctl "$sch" framework show f0e1d2c3-0000-4000-8000-00000000test)"
echo '{"CFDocument":{"identifier":"x1","title":"T"},"CFItems":[{"identifier":"i1"}]}' >"$T/badcase.json"
check_fails "a package with an item without fullStatement is refused" \
    ctl "$sch" framework import "$T/badcase.json"
check_match "  ...naming it" "CFItems\[0\].fullStatement: missing" "$(cat "$T/last.err")"
cat >"$T/case-listing.json" <<'JSON'
{"ref":"case-weld","kind":"job_shadow","title":"CASE welding shadow","organization":"Acme",
 "occupations":["51-4121.00"],"capacity":1,"modality":"in_person",
 "location":{"lat":41.85,"lon":-87.79},
 "requires":[{"competency":"case:c0000000-0000-4000-8000-000000000001","level":3}],
 "develops":[{"competency":"case:c0000000-0000-4000-8000-000000000003","level":2}]}
JSON
id=$(ctl "$sch" --json listing post "$T/case-listing.json" | json 'd["ids"][0]')
reasons=$(ctl "$sch" --json match S1001 --top 50 | json '[m["reasons"] for m in d["matches"] if m["listing"]=="'"$id"'"][0]')
check_match "an O*NET skill of the student meets a CASE requirement that exactly matches it" \
    "You meet 1 of 1 required skill" "$reasons"
check_match "  ...and CASE items are named by their statement" \
    "Develops Read welding symbols on blueprints to developing \\(2 of 4\\)" "$reasons"
node_stop "$sch"
MENTORD_DATA="$T/nolevels" node_start "$sch"
check_eq "imported frameworks survive a restart" "2" \
    "$(ctl "$sch" --json framework list | json 'len(d)')"
check "framework remove" ctl "$sch" framework remove f0e1d2c3-0000-4000-8000-00000000test
reasons=$(ctl "$sch" --json match S1001 --top 50 | json '[m["reasons"] for m in d["matches"] if m["listing"]=="'"$id"'"][0]')
check_match "  ...and the equivalence is gone" "You meet 0 of 1 required skill" "$reasons"
check_fails "removing it again is refused" ctl "$sch" framework remove f0e1d2c3-0000-4000-8000-00000000test
check_fails "a framework id that is not an identifier is refused" ctl "$sch" framework show ../etc
node_stop "$sch"

# With the shipped ratings (O*NET 29.0 Skills and Knowledge; the skills of
# five occupations from O*NET 30.x).
sch2=$(node_new school2 school)
node_start "$sch2"
ctl "$sch2" listing post "$ROOT/contrib/data/sample/listings.json" >/dev/null
ctl "$sch2" student import "$ROOT/contrib/data/sample/students.csv" >/dev/null

out=$(ctl "$sch2" --json occupation show 51-4121.00)
check_eq "occupation show with O*NET's ratings: 35 skills and 33 knowledge areas; Quality Control Analysis IM 3.12, LV 3.0, level 2" \
    "68 3.12 3.0 2" \
    "$(echo "$out" | json '" ".join([str(len(d["levels"]))] + [str(x[k]) for x in d["levels"] if x["competency"]=="onet:2.B.3.m" for k in ("im","lv","level")])')"
out=$(ctl "$sch2" --json pathway S1001)
check_eq "pathway: the important skill and knowledge the welding student lacks (Monitoring, Production and Processing)" \
    "['onet:2.A.2.d', 'onet:2.C.2.a']" \
    "$(echo "$out" | json 'sorted(g["competency"] for g in d["occupations"][0]["gaps"])')"
check_eq "  ...with the student's level and the level asked" "0 2 0 2" \
    "$(echo "$out" | json '" ".join(str(g[k]) for g in d["occupations"][0]["gaps"] for k in ("have","need"))')"
check_eq "  ...and the live listings that develop it" "True" \
    "$(echo "$out" | json 'len(d["occupations"][0]["gaps"][0]["listings"]) >= 3')"
check_eq "  ...the fabricators' goal rated too" "True" \
    "$(echo "$out" | json 'd["occupations"][1]["rated"]')"
out=$(ctl "$sch2" pathway S1001)
check_match "  ...in plain words" "Monitoring: level 2 needed, at 0" "$out"
out=$(ctl "$sch2" --json pathway S1007)
check_eq "pathway says which goal occupation O*NET does not rate (EMTs, 29-2042.00)" \
    "29-2042.00 False" \
    "$(echo "$out" | json 'd["occupations"][1]["occupation"]+" "+str(d["occupations"][1]["rated"])')"
check_match "  ...in plain words" "no O\*NET ratings for this occupation" \
    "$(ctl "$sch2" pathway S1007)"

ctl "$sch2" listing suggest "$T/new.json" >"$T/suggested.json" 2>"$T/suggest.err"
check_eq "listing suggest fills in requires and develops from O*NET" \
    "[['onet:2.A.2.d', 2]] [['onet:2.C.2.a', 2], ['onet:2.B.3.m', 2], ['onet:2.C.3.e', 2]]" \
    "$(json '"%s %s" % ([[x["competency"],x["level"]] for x in d["requires"]], [[x["competency"],x["level"]] for x in d["develops"]])' <"$T/suggested.json")"
check_match "  ...telling the employer to review" "suggested from O\*NET 51-4121.00; review" \
    "$(cat "$T/suggest.err")"
check "  ...and the reviewed listing posts" ctl "$sch2" listing post "$T/suggested.json"
out=$(ctl "$sch2" --json listing suggest "$ROOT/contrib/data/sample/listings.json")
check_eq "a listing that already has skills gets no suggestion" "None" \
    "$(echo "$out" | json 'd["suggestions"][0]')"
echo 'not json' >"$T/bad.json"
check_fails "listing suggest refuses a file that is not JSON" ctl "$sch2" listing suggest "$T/bad.json"

# schema.org JobPosting JSON-LD: export, and import on another node gives
# the same listings back.
ctl "$sch2" listing export --jsonld >"$T/jobs.jsonld"
check_eq "listing export --jsonld: one JobPosting per live listing" "44 True" \
    "$(json '"%d %s" % (len(d), all("JobPosting" in ([x["@type"]] if isinstance(x["@type"], str) else x["@type"]) for x in d))' <"$T/jobs.jsonld")"
check_eq "  ...apprenticeships also as WorkBasedProgram" "True" \
    "$(json 'all(x["@type"]==["JobPosting","WorkBasedProgram"] for x in d if x["mentord:kind"]=="apprenticeship")' <"$T/jobs.jsonld")"
check_eq "  ...occupations as named O*NET-SOC codes" "Welders, Cutters, Solderers, and Brazers" \
    "$(json '[o["name"] for x in d for o in x.get("occupationalCategory",[]) if o["codeValue"]=="51-4121.00"][0]' <"$T/jobs.jsonld")"
emp=$(node_new emp employer)
node_start "$emp"
out=$(ctl "$emp" --json listing import "$T/jobs.jsonld")
check_eq "listing import reads the export" 44 "$(echo "$out" | json 'len(d["ids"])')"
# bodies: every live listing of a node, without what differs by node.
bodies() {
	local i n=0
	rm -rf "$T/shows"; mkdir "$T/shows"
	for i in $(ctl "$1" --json listing list | json '" ".join(x["id"] for x in d)'); do
		ctl "$1" --json listing show "$i" >"$T/shows/$((n += 1))"
	done
	python3 -c 'import json,sys,glob
d=[json.load(open(f)) for f in glob.glob(sys.argv[1]+"/*")]
print(sorted(json.dumps({k:v for k,v in x.items() if k not in ("id","author","version","created","record_id")}, sort_keys=True) for x in d))' "$T/shows"
}
a=$(bodies "$sch2")
b=$(bodies "$emp")
check_eq "  ...and the listings are the same" "$a" "$b"
printf '{"@context":"https://schema.org","@type":"JobPosting","title":"Summer intern","hiringOrganization":{"@type":"Organization","name":"Acme"},"employmentType":"INTERN","jobLocationType":"TELECOMMUTE","occupationalCategory":"15-1252.00 Software Developers","validThrough":"2027-01-31"}' >"$T/foreign.jsonld"
out=$(ctl "$emp" --json listing import "$T/foreign.jsonld")
check_eq "a foreign JobPosting imports with the documented defaults" \
    "internship virtual 1 ['15-1252.00'] 2027-01-31T00:00:00Z" \
    "$(ctl "$emp" --json listing show "$(echo "$out" | json 'd["ids"][0]')" | json '" ".join(str(d[k]) for k in ("kind","modality","capacity","occupations","expires"))')"
printf '{"@type":"JobPosting","title":"X","hiringOrganization":"Acme"}' >"$T/nokind.jsonld"
check_fails "a JobPosting whose kind cannot be told is refused" ctl "$emp" listing import "$T/nokind.jsonld"
check_match "  ...saying what to add" "posting 1: kind: cannot tell" "$(cat "$T/last.err")"

# The listing CSV template: an employer posts from a spreadsheet.
out=$(ctl "$emp" listing import "$ROOT/contrib/data/sample/listings.csv")
check_eq "listing import of the sample CSV posts its three rows" 3 \
    "$(echo "$out" | grep -c '^posted ')"
check_eq "  ...with commas and quotes kept" \
    "Two weeks of after-school shifts beside certified structural welders: beam fit-up, GMAW and FCAW on plate, and visual weld inspection against AWS D1.1. Safety glasses, jacket and hood provided; bring closed-toe leather boots." \
    "$(ctl "$emp" --json listing show "$(echo "$out" | head -1 | cut -d' ' -f2)" | json 'd["description"]')"
n=$(ctl "$emp" --json listing list | json 'len(d)')
{ head -n 2 "$ROOT/contrib/data/sample/listings.csv"
  echo ',project,Broken row,Acme,,,,,,lots,virtual,,,,,,'; } >"$T/bad.csv"
check_fails "a CSV with one bad row is refused" ctl "$emp" listing import "$T/bad.csv"
check_match "  ...naming the line and column" "line 3: capacity: not an integer" "$(cat "$T/last.err")"
check_eq "  ...and posts nothing" "$n" "$(ctl "$emp" --json listing list | json 'len(d)')"
node_stop "$emp"
node_stop "$sch2"
done_testing
