#!/usr/bin/env bash
# test_ob_schema.sh: credentials against 1EdTech's published Open Badges
# 3.0 JSON Schema (tests/data/openbadges/, JSON Schema 2019-09), with
# Debian's python3-jsonschema: 1EdTech's own examples and the credentials
# mkcred signs must pass it, broken ones must fail it; and
# `mentorctl credential verify` takes the examples' structure: unsigned it
# refuses them for the missing proof only, signed it accepts them.
. "$(dirname "$0")/lib.sh"
MKCRED=$ROOT/${BUILD:-build}/tests/mkcred
SEED=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
OB=$ROOT/tests/data/openbadges
SCHEMA=$OB/ob_v3p0_achievementcredential_schema.json
PY=/usr/bin/python3	# Debian's, where python3-jsonschema is installed

# validate FILE: exit 0 when FILE passes the schema; otherwise prints the
# first errors ("path: [keyword] message") and exits 1.
cat >"$T/validate.py" <<'PY'
import json, sys
from jsonschema import Draft201909Validator as V
schema = json.load(open(sys.argv[1], encoding="utf-8"))
v = V(schema, format_checker=V.FORMAT_CHECKER)
doc = json.load(open(sys.argv[2], encoding="utf-8"))
errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errs[:5]:
	print("/".join(str(p) for p in e.absolute_path) + ": [" +
	    str(e.validator) + "] " + e.message[:300])
sys.exit(1 if errs else 0)
PY
validate() { "$PY" "$T/validate.py" "$SCHEMA" "$1"; }

if ! "$PY" -c 'import jsonschema' 2>/dev/null; then
	notok "python3-jsonschema is installed (contrib/install-deps)"
	exit 1
fi

# The schema itself: the verbatim copy, a valid 2019-09 schema.
check_eq "the schema is 1EdTech's AchievementCredential schema, 63198 characters" \
	"63198 https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_achievementcredential_schema.json" \
	"$("$PY" -c 'import json,sys; t=open(sys.argv[1],encoding="utf-8").read(); print(len(t), json.loads(t)["$id"])' "$SCHEMA")"
check "  ...and a valid JSON Schema 2019-09" "$PY" -c \
	'import json,sys; from jsonschema import Draft201909Validator as V; V.check_schema(json.load(open(sys.argv[1])))' \
	"$SCHEMA"

# (a) 1EdTech's examples pass their own schema.
n=0
for f in "$OB"/ob3-example-*.json; do
	n=$((n + 1))
	check "example $(basename "$f") passes the schema" validate "$f"
done
check_eq "  ...all six examples were checked" 6 "$n"

# (b) What mkcred signs (as a node would) passes it.
"$MKCRED" $SEED "$ROOT/tests/data/credential/shadow.json" "$T/c.json" ||
	{ notok "mkcred"; exit 1; }
check "the signed job-shadow credential passes the schema" validate "$T/c.json"
check "  ...and verifies" "$MENTORCTL" credential verify "$T/c.json"

# (b2) What a school node issues for a completed placement (mkwbl runs
# protocol/wblcred.c, the code behind `credential issue`) passes it too:
# alignments to an O*NET element and a CASE item, evidence, hours.
MKWBL=$ROOT/${BUILD:-build}/tests/mkwbl
"$MKWBL" $SEED "$ROOT/tests/data/credential/wbl-experience.json" "$T/w.json" ||
	{ notok "mkwbl"; exit 1; }
check "the work-based learning credential passes the schema" validate "$T/w.json"
check "  ...and verifies" "$MENTORCTL" credential verify "$T/w.json"
check_match "  ...as the job shadow with its employer" \
	'valid: "Welding shop job shadow" issued by Lincoln High School' \
	"$(cat "$T/last.out")"
check_eq "  ...aligned to an O*NET element and a CASE item, 16 hours" \
	"2.B.3.m ext:ONETElement CFItem True" \
	"$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); a=d["credentialSubject"]["achievement"]; print(a["alignment"][0]["targetCode"], a["alignment"][0]["targetType"], a["alignment"][1]["targetType"], "16 hours" in a["description"])' "$T/w.json")"
# A flipped bit anywhere in the content fails verification.
"$PY" - "$T/w.json" "$T" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
i = raw.index(b"Lakeshore")
for n, bit in enumerate((0x01, 0x02, 0x20)):
    b = bytearray(raw)
    b[i + n] ^= bit
    open("%s/wflip%d.json" % (sys.argv[2], n), "wb").write(bytes(b))
PY
bad=0
for f in "$T"/wflip*.json; do
	"$MENTORCTL" credential verify "$f" >/dev/null 2>&1 && bad=1
done
check_eq "  ...and any of 3 single-bit flips in its content is refused" 0 "$bad"

# (c) Broken credentials fail it, naming what is wrong.  Each is also
# re-signed, so that only the broken member is wrong for the verifier.
mutate() {	# mutate IN OUT PYTHON-STATEMENT-ON-d
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(d, open(sys.argv[2],"w"), indent=2)' "$@"
}
mutate "$ROOT/tests/data/credential/shadow.json" "$T/nocrit.in.json" \
	'del d["credentialSubject"]["achievement"]["criteria"]'
"$MKCRED" $SEED "$T/nocrit.in.json" "$T/nocrit.json"
check_fails "a credential without achievement.criteria fails the schema" \
	validate "$T/nocrit.json"
check_match "  ...naming criteria" "^credentialSubject/achievement: \\[required\\] 'criteria' is a required property" \
	"$(cat "$T/last.out")"
check_fails "  ...and verify refuses it" "$MENTORCTL" credential verify "$T/nocrit.json"
check_match "  ...naming the member" "achievement.criteria: missing" "$(cat "$T/last.err")"

mutate "$ROOT/tests/data/credential/shadow.json" "$T/ctx.in.json" \
	'd["@context"].reverse()'
"$MKCRED" $SEED "$T/ctx.in.json" "$T/ctx.json"
check_fails "a credential with its @context out of order fails the schema" \
	validate "$T/ctx.json"
check_match "  ...at @context/0" "^@context/0: \\[enum\\] " "$(cat "$T/last.out")"
check_fails "  ...and verify refuses it" "$MENTORCTL" credential verify "$T/ctx.json"
check_match "  ...saying what @context must start with" \
	"@context: must start with https://www.w3.org/ns/credentials/v2" \
	"$(cat "$T/last.err")"

# A proof as a bare object, not a proof set: the schema wants an array
# (which is why mkcred writes one); verify accepts both.
mutate "$T/c.json" "$T/bare.json" 'd["proof"] = d["proof"][0]'
check_fails "a proof that is not an array fails the schema" validate "$T/bare.json"
check_match "  ...at proof, by its type" "^proof: \\[type\\] " "$(cat "$T/last.out")"
check "  ...while verify accepts the same signature" \
	"$MENTORCTL" credential verify "$T/bare.json"

mutate "$T/c.json" "$T/notype.json" 'd["type"] = ["VerifiableCredential"]'
check_fails "a credential typed only VerifiableCredential fails the schema" \
	validate "$T/notype.json"
check_match "  ...at type" "^type: \\[contains\\] " "$(cat "$T/last.out")"

# 3. verify on the official examples: they are unsigned, and that is the
# only thing wrong with them.
for f in "$OB"/ob3-example-*.json; do
	b=$(basename "$f" .json)
	check_fails "verify refuses the unsigned $b" \
		"$MENTORCTL" credential verify "$f"
	check_match "  ...for the missing proof only" \
		"not valid: proof: missing" "$(cat "$T/last.err")"
	"$MKCRED" $SEED "$f" "$T/$b.signed.json" ||
		{ notok "mkcred $b"; continue; }
	check "  ...signed (issuer set to the signer), it verifies" \
		"$MENTORCTL" credential verify "$T/$b.signed.json"
	check "  ...and still passes the schema" validate "$T/$b.signed.json"
done
# fullOpenBadge writes creditsEarned 42.0, a real: canonicalized as 42.
check_match "the full example's creditsEarned is the real 42.0" \
	'"creditsEarned": 42\.0' "$(cat "$OB/ob3-example-fullOpenBadge.json")"
exit $FAILED
