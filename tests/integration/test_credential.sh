#!/usr/bin/env bash
# test_credential.sh: `mentorctl credential verify` on a signed Open Badges
# 3.0 credential, offline (no node): valid as signed; any changed byte,
# a proof by another key, a missing member or dates outside the validity
# period are refused with the reason.
. "$(dirname "$0")/lib.sh"
MKCRED=$ROOT/${BUILD:-build}/tests/mkcred
SEED=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
IN=$ROOT/tests/data/credential/shadow.json

"$MKCRED" $SEED "$IN" "$T/c.json" || { notok "mkcred"; exit 1; }
check "a signed credential verifies with no node at all" \
	env MENTORD_HOME="$T/none" "$MENTORCTL" credential verify "$T/c.json"
check_match "  ...and says what and who" \
	'valid: "Welding shop job shadow" issued by Lincoln High School' \
	"$(cat "$T/last.out")"
out=$("$MENTORCTL" --json credential verify "$T/c.json")
check_eq "--json says valid, with the issuer's did:key" "True did:key:z6Mk" \
	"$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["valid"], d["issuer"][:12])')"

# One byte changed in the content.
sed 's/16 confirmed hours/61 confirmed hours/' "$T/c.json" >"$T/flip.json"
check_fails "a changed byte is refused" "$MENTORCTL" credential verify "$T/flip.json"
check_match "  ...naming why" "does not verify" "$(cat "$T/last.err")"

# Every single-bit flip of the proofValue's digits fails too.
python3 - "$T/c.json" "$T" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
proof = d["proof"][0]	# mkcred writes a proof set, as the OB schema wants
pv = proof["proofValue"]
alpha = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
for i in (1, 20, len(pv) - 1):
    c = alpha[(alpha.index(pv[i]) + 1) % 58]
    proof["proofValue"] = pv[:i] + c + pv[i + 1:]
    json.dump(d, open("%s/pv%d.json" % (sys.argv[2], i), "w"))
PY
bad=0 n=0
for f in "$T"/pv*.json; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	"$MENTORCTL" credential verify "$f" >/dev/null 2>&1 && bad=1
done
check_eq "a changed signature digit is refused (3 positions)" "3 0" "$n $bad"

# Signed by another key than the issuer's did:key.
python3 - "$T/c.json" "$T/other.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["issuer"]["id"] = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
json.dump(d, open(sys.argv[2], "w"))
PY
check_fails "a credential whose issuer is not the signer is refused" \
	"$MENTORCTL" credential verify "$T/other.json"

# A required member missing, re-signed: refused, naming it.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["credentialSubject"]["achievement"]["criteria"]; json.dump(d, open(sys.argv[2],"w"))' "$IN" "$T/nocrit.in.json"
"$MKCRED" $SEED "$T/nocrit.in.json" "$T/nocrit.json"
check_fails "a credential without achievement.criteria is refused" \
	"$MENTORCTL" credential verify "$T/nocrit.json"
check_match "  ...naming the member" "achievement.criteria: missing" "$(cat "$T/last.err")"

# Expired.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["validUntil"]="2026-01-02T00:00:00Z"; json.dump(d, open(sys.argv[2],"w"))' "$IN" "$T/exp.in.json"
"$MKCRED" $SEED "$T/exp.in.json" "$T/exp.json"
check_fails "an expired credential is refused" "$MENTORCTL" credential verify "$T/exp.json"
check_match "  ...saying so" "expired" "$(cat "$T/last.err")"

printf 'not json' >"$T/junk.json"
check_fails "junk is refused" "$MENTORCTL" credential verify "$T/junk.json"
check_match "  ...as not a credential" "not a credential" "$(cat "$T/last.err")"
check_fails "a missing file is refused" "$MENTORCTL" credential verify "$T/nope.json"
exit $FAILED
