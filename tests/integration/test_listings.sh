#!/usr/bin/env bash
# Signed listings on one node and between two by export/import: post,
# versions, withdraw, kill -9, validation, trust, tampered streams.
. "$(dirname "$0")/lib.sh"

emp=$(node_new employer1 employer)
sch=$(node_new school1 school)
node_start "$emp"
node_start "$sch"
emp_id=$(ctl "$emp" --json status | json 'd["node_id"]')

cat >"$T/l1.json" <<'J'
{"ref":"weld-shadow","kind":"job_shadow","title":"Welding shop job shadow",
 "organization":"Acme Fabrication","description":"Two days in a shop.",
 "clusters":["manufacturing"],"occupations":["51-4121.00"],
 "requires":[{"competency":"onet:2.B.3.h","level":2}],
 "develops":[{"competency":"onet:2.B.3.m","level":3}],
 "capacity":2,"modality":"in_person","location":{"lat":41.88,"lon":-87.63},
 "start":"2027-01-10","end":"2027-03-01","min_age":16}
J
id=$(ctl "$emp" --json listing post "$T/l1.json" | json 'd["ids"][0]')
check_match "listing post prints a 32-hex listing id" '^[0-9a-f]{32}$' "$id"
check_eq "listing show returns the posted title" "Welding shop job shadow" \
    "$(ctl "$emp" --json listing show "$id" | json 'd["title"]')"
check_eq "listing show has id, author and version" "True" \
    "$(ctl "$emp" --json listing show "$id" | json 'd["id"]=="'"$id"'" and d["author"]=="'"$emp_id"'" and d["version"]>0')"
v1=$(ctl "$emp" --json listing show "$id" | json 'd["version"]')

sed 's/"capacity":2/"capacity":3/' "$T/l1.json" >"$T/l1v2.json"
id2=$(ctl "$emp" --json listing post "$T/l1v2.json" | json 'd["ids"][0]')
check_eq "posting the same ref again keeps the listing id" "$id" "$id2"
check_eq "  ...and the new version is current" 3 \
    "$(ctl "$emp" --json listing show "$id" | json 'd["capacity"]')"
check "  ...with a higher version" test \
    "$(ctl "$emp" --json listing show "$id" | json 'd["version"]')" -gt "$v1"
check_eq "listing list shows one listing" 1 \
    "$(ctl "$emp" --json listing list | json 'len(d)')"
check_eq "listing list has the contract's fields" "True" \
    "$(ctl "$emp" --json listing list | json 'all(k in d[0] for k in ["id","ref","title","kind","organization","author"])')"

# All or nothing, and errors name the field.
records=$(ctl "$emp" --json status | json 'd["records"]')
bad() {	# bad DESC SED-EXPR EXPECTED-ERROR
	sed "$2" "$T/l1.json" >"$T/bad.json"
	out=$(ctl "$emp" listing post "$T/bad.json" 2>&1); rc=$?
	check_eq "refused: $1 (exit 1)" 1 "$rc"
	check_match "  ...error names the field: $3" "$3" "$out"
}
bad "capacity 0" 's/"capacity":2/"capacity":0/' 'capacity: must be at least 1'
bad "unknown kind" 's/"job_shadow"/"party"/' '^mentorctl: kind: '
bad "level 7" 's/"level":2/"level":7/' 'requires\[0\]\.level'
bad "bad occupation" 's/51-4121.00/51-41/' 'occupations\[0\]'
bad "unknown cluster" 's/"manufacturing"/"manufacture"/' 'clusters\[0\]'
bad "missing location" 's/"location":{"lat":41.88,"lon":-87.63},//' 'location'
bad "end before start" 's/"end":"2027-03-01"/"end":"2026-01-01"/' '^mentorctl: end: '
bad "expiry 500 days ahead" 's/"min_age":16/"min_age":16,"expires":"2030-01-01"/' 'expires'
bad "malformed competency id" 's/onet:2.B.3.h/onet:zz!/' 'requires\[0\]\.competency'
bad "unknown field" 's/"min_age":16/"min_age":16,"salary":5/' 'salary: unknown field'
printf '[%s,%s]' "$(cat "$T/l1.json")" \
    "$(sed 's/"weld-shadow"/"w2"/; s/"capacity":2/"capacity":-1/' "$T/l1.json")" >"$T/arr.json"
out=$(ctl "$emp" listing post "$T/arr.json" 2>&1)
check_match "an array with one bad listing names it" 'listing 2: capacity' "$out"
check_eq "  ...and the store is unchanged" "$records" \
    "$(ctl "$emp" --json status | json 'd["records"]')"

# Export to a node that does not trust the author: refused with a reason.
ctl "$emp" records export "$T/exp1.bin"
out=$(ctl "$sch" --json records import "$T/exp1.bin"); rc=$?
check_eq "import from an untrusted author exits 1" 1 "$rc"
check_match "  ...every record refused as EUNTRUSTED" '"EUNTRUSTED"' "$out"
check_eq "  ...nothing stored (only the school's own node record)" "0 1" \
    "$(ctl "$sch" --json status | json 'str(d["listings"])+" "+str(d["records"])')"

check "trust add" ctl "$sch" trust add "$emp_id" --note "Acme"
check_eq "trust list shows it" "$emp_id" \
    "$(ctl "$sch" --json trust list | json 'd[0]["node_id"]')"
out=$(ctl "$sch" --json records import "$T/exp1.bin")
# The export holds the listing and the employer's node record.
check_eq "import into a trusting node accepts the records" "2 0" \
    "$(echo "$out" | json 'str(d["accepted"])+" "+str(d["rejected"])')"
check_eq "  ...with identical listing ids" "$id" \
    "$(ctl "$sch" --json listing list | json 'd[0]["id"]')"
check_eq "  ...and identical content" \
    "$(ctl "$emp" --json listing show "$id" | json 'd["record_id"]')" \
    "$(ctl "$sch" --json listing show "$id" | json 'd["record_id"]')"
check_eq "importing again: duplicates, nothing new" "0 2" \
    "$(ctl "$sch" --json records import "$T/exp1.bin" | json 'str(d["accepted"])+" "+str(d["duplicates"])')"

# Withdraw; an older version never comes back, also after kill -9.
check "listing withdraw" ctl "$emp" listing withdraw "$id"
check_fails "  ...listing show then fails" ctl "$emp" listing show "$id"
check_match "  ...saying it was withdrawn" "withdrawn" "$(cat "$T/last.err")"
check_eq "  ...and listing list is empty" 0 "$(ctl "$emp" --json listing list | json 'len(d)')"
ctl "$emp" records export "$T/exp2.bin"
check_eq "the withdrawal imports into the school" 1 \
    "$(ctl "$sch" --json records import "$T/exp2.bin" | json 'd["accepted"]')"
check_eq "  ...and the school drops the listing" 0 \
    "$(ctl "$sch" --json listing list | json 'len(d)')"
out=$(ctl "$sch" --json records import "$T/exp1.bin")
check_match "re-importing the older version is refused" '"EWITHDRAWN"' "$out"
kill -9 "$(cat "$sch.pid")"; wait "$(cat "$sch.pid")" 2>/dev/null
node_start "$sch"
out=$(ctl "$sch" --json records import "$T/exp1.bin")
check_match "  ...also after kill -9 and restart" '"EWITHDRAWN"' "$out"

ctl "$emp" listing post "$T/l1v2.json" >/dev/null
kill -9 "$(cat "$emp.pid")"; wait "$(cat "$emp.pid")" 2>/dev/null
node_start "$emp"
check_eq "a listing posted after the withdrawal survives kill -9" 3 \
    "$(ctl "$emp" --json listing show "$id" | json 'd["capacity"]')"

# Tampered streams: refused record by record; nothing corrupt stored.
for i in 1 2 3; do sed "s/\"weld-shadow\"/\"w$i\"/" "$T/l1.json" >"$T/m$i.json"
	ctl "$emp" listing post "$T/m$i.json" >/dev/null; done
ctl "$emp" records export "$T/exp3.bin"
size=$(stat -c %s "$T/exp3.bin")
python3 - "$T/exp3.bin" "$T/flip.bin" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
# Flip one bit inside the body of the second record.
off = 5; lens = []
while off < len(b):
    n = int.from_bytes(b[off:off+4], 'big'); lens.append((off+4, n)); off += 4 + n
start, n = lens[1]
b[start + n // 2] ^= 0x10
open(sys.argv[2], 'wb').write(bytes(b))
PY
head -c $((size - 7)) "$T/exp3.bin" >"$T/trunc.bin"
sch2=$(node_new school2 school)
node_start "$sch2"
out=$(ctl "$sch2" --json records import "$T/flip.bin")
check_eq "an untrusted author's records are all EUNTRUSTED, the bit-flipped one too (trust before signature, SPEC.md 4.7)" \
    "5 5" "$(echo "$out" | json 'str(d["rejected"])+" "+str(sum(e["error"] == "EUNTRUSTED" for e in d["errors"]))')"
ctl "$sch2" trust add "$emp_id" >/dev/null
out=$(ctl "$sch2" --json records import "$T/flip.bin")
check_eq "a bit-flipped record is refused, the others accepted" "4 1" \
    "$(echo "$out" | json 'str(d["accepted"])+" "+str(d["rejected"])')"
check_match "  ...the refusal says why" '"ESIG"|"EINVAL"' "$out"
out=$(ctl "$sch2" --json records import "$T/trunc.bin")
check_match "a truncated stream: the last record is refused" '"ETRUNC"' "$out"
# Frames too short to be records are each refused and numbered (from 1),
# and the records after them are still read (SPEC.md 10.3).
python3 - "$T/flip.bin" "$T/tiny.bin" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
open(sys.argv[2], 'wb').write(b[:5] + b'\x00\x00\x00\x01\x00' * 300 + b[5:])
PY
out=$(ctl "$sch2" --json records import "$T/tiny.bin")
check_eq "300 one-octet frames then 5 records: 301 refused, 4 already held" \
    "301 4" "$(echo "$out" | json 'str(d["rejected"])+" "+str(d["duplicates"])')"
check_eq "  ...numbered 1 to 300 without an id, then record 302 with its id" \
    "1 300 True 302 ESIG 64" "$(echo "$out" | json '" ".join(map(str, [d["errors"][0]["record"], d["errors"][299]["record"], all(e["id"] == "" for e in d["errors"][:300]), d["errors"][300]["record"], d["errors"][300]["error"], len(d["errors"][300]["id"])]))')"
head -c 3 "$T/exp3.bin" >"$T/short.bin"
check_fails "a stream without a header is refused" ctl "$sch2" records import "$T/short.bin"
head -c 100000 /dev/urandom >"$T/rand.bin"
check_fails "random bytes are refused" ctl "$sch2" records import "$T/rand.bin"
(printf 'MNTX\001'; head -c 100000 /dev/urandom) >"$T/rand2.bin"
check_fails "random frames after a good header are refused" \
    ctl "$sch2" records import "$T/rand2.bin"
check "  ...and the node keeps running" ctl "$sch2" status
check_eq "  ...holding only the 4 genuine listings" 4 \
    "$(ctl "$sch2" --json listing list | json 'len(d)')"
check_eq "  ...and no record that is not genuine" 0 \
    "$(ctl "$sch2" --json records export | python3 -c '
import sys, hashlib
b = sys.stdin.buffer.read(); off = 5; bad = 0
ref = open(sys.argv[1], "rb").read()
while off < len(b):
    n = int.from_bytes(b[off:off+4], "big"); r = b[off+4:off+4+n]; off += 4 + n
    if r not in ref and r[3] != 3: bad += 1
print(bad)' "$T/exp3.bin")"
ctl "$sch2" records export "$T/exp4.bin"
out=$(ctl "$sch" --json records import "$T/exp4.bin")
check_eq "  ...which re-export and import elsewhere: 5 held, 1 untrusted" \
    "1 5 EUNTRUSTED" \
    "$(echo "$out" | json 'str(d["rejected"])+" "+str(d["accepted"]+d["duplicates"])+" "+d["errors"][0]["error"]')"

check_fails "withdrawing another node's listing is refused" \
    ctl "$sch" listing withdraw "$id"
check_match "  ...saying only its author can" "only its author" "$(cat "$T/last.err")"
check_fails "listing show of a malformed id fails" ctl "$emp" listing show xyz
check_match "  ...naming the id" "not a listing id" "$(cat "$T/last.err")"
check "trust remove" ctl "$sch" trust remove "$emp_id"
check_eq "  ...trust list is empty" 0 "$(ctl "$sch" --json trust list | json 'len(d)')"

node_stop "$emp"; node_stop "$sch"; node_stop "$sch2"
done_testing
