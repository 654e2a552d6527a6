/*
 * credential.c: RFC 8785 canonical JSON, base58btc, did:key and the
 * eddsa-jcs-2022 Data Integrity proof, the pieces of an Open Badges 3.0
 * credential that a verifier must reproduce byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "credential.h"
#include "mentor.h"
#include "util.h"

/* ---- a growing string ------------------------------------------------ */

struct sb {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* ---- RFC 8785 -------------------------------------------------------- */

/* utf16_next: the next UTF-16 code unit of a valid UTF-8 string. */
static unsigned
utf16_next(const unsigned char **s, const unsigned char *end,
    unsigned *pending)
{
	unsigned cp, u;

	if (*pending) {
		u = *pending;
		*pending = 0;
		return u;
	}
	cp = **s;
	if (cp < 0x80)
		*s += 1;
	else if (cp < 0xe0 && *s + 1 < end) {
		cp = ((cp & 0x1f) << 6) | ((*s)[1] & 0x3f);
		*s += 2;
	} else if (cp < 0xf0 && *s + 2 < end) {
		cp = ((cp & 0x0f) << 12) | (((*s)[1] & 0x3f) << 6) |
		    ((*s)[2] & 0x3f);
		*s += 3;
	} else if (*s + 3 < end) {
		cp = ((cp & 0x07) << 18) | (((*s)[1] & 0x3f) << 12) |
		    (((*s)[2] & 0x3f) << 6) | ((*s)[3] & 0x3f);
		*s += 4;
	} else {
		*s = end;	/* cannot happen: jansson keeps UTF-8 valid */
		return cp;
	}
	if (cp < 0x10000)
		return cp;
	cp -= 0x10000;
	*pending = 0xdc00 + (cp & 0x3ff);
	return 0xd800 + (cp >> 10);
}

/* utf16_cmp: orders two UTF-8 strings by their UTF-16 code units. */
static int
utf16_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	const unsigned char *p = (const unsigned char *)x, *q =
	    (const unsigned char *)y;
	const unsigned char *pe = p + strlen(x), *qe = q + strlen(y);
	unsigned pp = 0, qp = 0, u, v;

	while ((p < pe || pp) && (q < qe || qp)) {
		u = utf16_next(&p, pe, &pp);
		v = utf16_next(&q, qe, &qp);
		if (u != v)
			return u < v ? -1 : 1;
	}
	if (p < pe || pp)
		return 1;
	if (q < qe || qp)
		return -1;
	return 0;
}

static void
jcs_string(struct sb *b, const char *s, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	char esc[7];
	size_t i, run = 0;
	unsigned char c;

	sb_add(b, "\"", 1);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		sb_add(b, s + i - run, run);
		run = 0;
		switch (c) {
		case '"':  sb_add(b, "\\\"", 2); break;
		case '\\': sb_add(b, "\\\\", 2); break;
		case '\b': sb_add(b, "\\b", 2); break;
		case '\f': sb_add(b, "\\f", 2); break;
		case '\n': sb_add(b, "\\n", 2); break;
		case '\r': sb_add(b, "\\r", 2); break;
		case '\t': sb_add(b, "\\t", 2); break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hx[c >> 4];
			esc[5] = hx[c & 15];
			sb_add(b, esc, 6);
		}
	}
	sb_add(b, s + n - run, run);
	sb_add(b, "\"", 1);
}

static int
jcs_value(struct sb *b, const json_t *v, int depth)
{
	const char **keys, *k;
	json_t *e;
	char num[32];
	json_int_t x;
	double d;
	size_t i, n;
	int rc;

	if (depth > CRED_MAX_DEPTH)
		return MENTOR_ETOOBIG;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		n = json_object_size(v);
		if ((keys = calloc(n ? n : 1, sizeof(*keys))) == NULL)
			return MENTOR_ENOMEM;
		i = 0;
		json_object_foreach((json_t *)v, k, e)
			keys[i++] = k;
		qsort(keys, n, sizeof(*keys), utf16_cmp);
		sb_add(b, "{", 1);
		for (i = 0; i < n; i++) {
			if (i)
				sb_add(b, ",", 1);
			jcs_string(b, keys[i], strlen(keys[i]));
			sb_add(b, ":", 1);
			if ((rc = jcs_value(b, json_object_get(v, keys[i]),
			    depth + 1)) != 0) {
				free(keys);
				return rc;
			}
		}
		sb_add(b, "}", 1);
		free(keys);
		return 0;
	case JSON_ARRAY:
		sb_add(b, "[", 1);
		json_array_foreach(v, i, e) {
			if (i)
				sb_add(b, ",", 1);
			if ((rc = jcs_value(b, e, depth + 1)) != 0)
				return rc;
		}
		sb_add(b, "]", 1);
		return 0;
	case JSON_STRING:
		jcs_string(b, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER:
		x = json_integer_value(v);
		if (x > (1LL << 53) || x < -(1LL << 53))
			return MENTOR_EINVAL;
		snprintf(num, sizeof(num), "%lld", (long long)x);
		sb_add(b, num, strlen(num));
		return 0;
	case JSON_REAL:
		/*
		 * An integral value such as 42.0 (Open Badges' own examples
		 * write creditsEarned so) has one ES6 spelling, the integer:
		 * "42", and -0.0 is "0".  Fractions have several candidate
		 * spellings and stay refused.
		 */
		d = json_real_value(v);
		if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) ||
		    d != (double)(long long)d)
			return MENTOR_EINVAL;
		snprintf(num, sizeof(num), "%lld", (long long)d);
		sb_add(b, num, strlen(num));
		return 0;
	case JSON_TRUE:
		sb_add(b, "true", 4);
		return 0;
	case JSON_FALSE:
		sb_add(b, "false", 5);
		return 0;
	case JSON_NULL:
		sb_add(b, "null", 4);
		return 0;
	}
	return MENTOR_EINVAL;
}

int
cred_jcs(const json_t *v, char **out, size_t *len)
{
	struct sb b;
	int rc;

	memset(&b, 0, sizeof(b));
	rc = jcs_value(&b, v, 0);
	if (rc == 0 && b.oom)
		rc = MENTOR_ENOMEM;
	if (rc == 0 && b.p == NULL)
		rc = MENTOR_EINVAL;
	if (rc != 0) {
		free(b.p);
		return rc;
	}
	*out = b.p;
	if (len)
		*len = b.len;
	return 0;
}

/* ---- base58btc ------------------------------------------------------- */

static const char b58[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

#define B58_MAX	128

int
cred_b58_encode(char *out, size_t outlen, const uint8_t *in, size_t inlen)
{
	uint8_t d[B58_MAX * 2];
	size_t zeros = 0, n = 0, i, j;
	unsigned carry;

	if (inlen > B58_MAX)
		return MENTOR_ETOOBIG;
	while (zeros < inlen && in[zeros] == 0)
		zeros++;
	for (i = zeros; i < inlen; i++) {
		carry = in[i];
		for (j = 0; j < n; j++) {
			carry += (unsigned)d[j] << 8;
			d[j] = carry % 58;
			carry /= 58;
		}
		while (carry) {
			d[n++] = carry % 58;
			carry /= 58;
		}
	}
	if (zeros + n + 1 > outlen)
		return MENTOR_ETOOBIG;
	for (i = 0; i < zeros; i++)
		out[i] = '1';
	for (j = 0; j < n; j++)
		out[i + j] = b58[d[n - 1 - j]];
	out[i + n] = '\0';
	return 0;
}

int
cred_b58_decode(uint8_t *out, size_t outcap, size_t *outlen, const char *in)
{
	uint8_t d[B58_MAX];
	size_t zeros = 0, n = 0, len = strlen(in), i, j;
	const char *p;
	unsigned carry;

	if (len > B58_MAX * 2)
		return MENTOR_ETOOBIG;
	while (zeros < len && in[zeros] == '1')
		zeros++;
	for (i = zeros; i < len; i++) {
		if (in[i] == '\0' || (p = strchr(b58, in[i])) == NULL)
			return MENTOR_EINVAL;
		carry = (unsigned)(p - b58);
		for (j = 0; j < n; j++) {
			carry += (unsigned)d[j] * 58;
			d[j] = carry & 0xff;
			carry >>= 8;
		}
		while (carry) {
			if (n == sizeof(d))
				return MENTOR_ETOOBIG;
			d[n++] = carry & 0xff;
			carry >>= 8;
		}
	}
	if (zeros + n > outcap)
		return MENTOR_ETOOBIG;
	memset(out, 0, zeros);
	for (j = 0; j < n; j++)
		out[zeros + j] = d[n - 1 - j];
	*outlen = zeros + n;
	return 0;
}

/* ---- did:key --------------------------------------------------------- */

void
cred_did_key(char out[CRED_DID_MAX], const uint8_t pk[32])
{
	uint8_t mc[34] = { 0xed, 0x01 };

	memcpy(mc + 2, pk, 32);
	memcpy(out, "did:key:z", 9);
	/* 34 bytes are at most 47 base58 digits: always fits. */
	cred_b58_encode(out + 9, CRED_DID_MAX - 9, mc, sizeof(mc));
}

int
cred_did_key_parse(const char *did, uint8_t pk[32])
{
	char mb[CRED_DID_MAX];
	const char *frag;
	uint8_t mc[40];
	size_t n, mblen;

	if (strncmp(did, "did:key:z", 9) != 0)
		return MENTOR_EINVAL;
	frag = strchr(did, '#');
	mblen = frag ? (size_t)(frag - did) - 8 : strlen(did) - 8;
	if (mblen >= sizeof(mb))
		return MENTOR_EINVAL;
	memcpy(mb, did + 8, mblen);
	mb[mblen] = '\0';
	if (frag && strcmp(frag + 1, mb) != 0)
		return MENTOR_EINVAL;
	if (cred_b58_decode(mc, sizeof(mc), &n, mb + 1) != 0 || n != 34 ||
	    mc[0] != 0xed || mc[1] != 0x01)
		return MENTOR_EINVAL;
	memcpy(pk, mc + 2, 32);
	return 0;
}

/* ---- eddsa-jcs-2022 -------------------------------------------------- */

/* hash_data: SHA-256(JCS(config)) || SHA-256(JCS(doc)), the signed bytes. */
static int
hash_data(const json_t *config, const json_t *doc, uint8_t out[64])
{
	char *s;
	size_t n;
	int rc;

	if ((rc = cred_jcs(config, &s, &n)) != 0)
		return rc;
	crypto_hash_sha256(out, (const uint8_t *)s, n);
	free(s);
	if ((rc = cred_jcs(doc, &s, &n)) != 0)
		return rc;
	crypto_hash_sha256(out + 32, (const uint8_t *)s, n);
	free(s);
	return 0;
}

int
cred_sign(json_t *doc, const uint8_t sk[64], const char *created)
{
	char did[CRED_DID_MAX], vm[2 * CRED_DID_MAX], pv[100];
	uint8_t hd[64], sig[64];
	json_t *proof, *ctx;
	int rc;

	if (!json_is_object(doc) || json_object_get(doc, "proof"))
		return MENTOR_EINVAL;
	cred_did_key(did, sk + 32);
	snprintf(vm, sizeof(vm), "%s#%s", did, did + 8);
	proof = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type",
	    "DataIntegrityProof", "cryptosuite", CRED_SUITE, "created", created,
	    "verificationMethod", vm, "proofPurpose", "assertionMethod");
	if (proof == NULL)
		return MENTOR_ENOMEM;
	if ((ctx = json_object_get(doc, "@context")) != NULL)
		json_object_set(proof, "@context", ctx);
	if ((rc = hash_data(proof, doc, hd)) != 0) {
		json_decref(proof);
		return rc;
	}
	crypto_sign_detached(sig, NULL, hd, sizeof(hd), sk);
	pv[0] = 'z';
	cred_b58_encode(pv + 1, sizeof(pv) - 1, sig, sizeof(sig));
	json_object_set_new(proof, "proofValue", json_string(pv));
	json_object_set_new(doc, "proof", proof);
	return 0;
}

static int
fail(char *err, size_t errlen, int code, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return code;
}

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int
cred_verify_proof(const json_t *doc, uint8_t pk_out[32], char *err,
    size_t errlen)
{
	const json_t *proof, *pctx;
	const char *vm, *pv;
	json_t *config = NULL, *body = NULL;
	uint8_t pk[32], sig[64], hd[64];
	size_t n;
	int rc;

	if (!json_is_object(doc))
		return fail(err, errlen, MENTOR_EINVAL, "not a JSON object");
	proof = json_object_get(doc, "proof");
	if (json_is_array(proof) && json_array_size(proof) == 1)
		proof = json_array_get(proof, 0);
	if (!json_is_object(proof))
		return fail(err, errlen, MENTOR_EINVAL, "proof: missing (an "
		    "unsigned credential proves nothing)");
	if (str(proof, "type") == NULL ||
	    strcmp(str(proof, "type"), "DataIntegrityProof") != 0)
		return fail(err, errlen, MENTOR_EINVAL, "proof.type: only "
		    "DataIntegrityProof is supported");
	if (str(proof, "cryptosuite") == NULL ||
	    strcmp(str(proof, "cryptosuite"), CRED_SUITE) != 0)
		return fail(err, errlen, MENTOR_EINVAL, "proof.cryptosuite: "
		    "only " CRED_SUITE " is supported");
	if (str(proof, "proofPurpose") == NULL ||
	    strcmp(str(proof, "proofPurpose"), "assertionMethod") != 0)
		return fail(err, errlen, MENTOR_EINVAL, "proof.proofPurpose: "
		    "must be assertionMethod");
	if ((vm = str(proof, "verificationMethod")) == NULL ||
	    cred_did_key_parse(vm, pk) != 0)
		return fail(err, errlen, MENTOR_EINVAL, "proof."
		    "verificationMethod: not an Ed25519 did:key");
	if ((pv = str(proof, "proofValue")) == NULL || pv[0] != 'z' ||
	    cred_b58_decode(sig, sizeof(sig), &n, pv + 1) != 0 || n != 64)
		return fail(err, errlen, MENTOR_EINVAL, "proof.proofValue: not "
		    "a base58btc Ed25519 signature");
	pctx = json_object_get(proof, "@context");
	if (pctx && !json_equal((json_t *)pctx,
	    json_object_get(doc, "@context")))
		return fail(err, errlen, MENTOR_EINVAL, "proof.@context: "
		    "differs from the credential's");
	config = json_deep_copy(proof);
	body = json_deep_copy(doc);
	if (config == NULL || body == NULL) {
		rc = MENTOR_ENOMEM;
		goto out;
	}
	json_object_del(config, "proofValue");
	json_object_del(body, "proof");
	if ((rc = hash_data(config, body, hd)) != 0) {
		snprintf(err, errlen, "%s", rc == MENTOR_EINVAL ? "holds a "
		    "number with a fraction or out of range; cannot be "
		    "canonicalized" : "cannot be canonicalized");
		goto out;
	}
	if (crypto_sign_verify_detached(sig, hd, sizeof(hd), pk) != 0) {
		rc = fail(err, errlen, MENTOR_ESIG, "the signature does not "
		    "verify: the credential was changed after it was signed, "
		    "or not signed by its verification method");
		goto out;
	}
	if (pk_out)
		memcpy(pk_out, pk, 32);
	rc = 0;
out:
	json_decref(config);
	json_decref(body);
	return rc;
}

static int
has_string(const json_t *arr, const char *s)
{
	const json_t *v;
	size_t i;

	if (json_is_string(arr))
		return strcmp(json_string_value(arr), s) == 0;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

int
cred_verify_ob3(const json_t *doc, int64_t now, char *err, size_t errlen)
{
	const json_t *ctx, *issuer, *subj, *ach;
	const char *iid, *vf, *vu;
	uint8_t pk[32], ipk[32];
	int64_t from, until;
	static const char *ach_req[] = { "id", "type", "name", "description",
	    "criteria" };
	size_t i;
	int rc;

	if (!json_is_object(doc))
		return fail(err, errlen, MENTOR_EINVAL, "not a JSON object");
	ctx = json_object_get(doc, "@context");
	if (!json_is_array(ctx) || json_array_size(ctx) < 2 ||
	    !json_is_string(json_array_get(ctx, 0)) ||
	    strcmp(json_string_value(json_array_get(ctx, 0)),
	    CRED_VC_CONTEXT) != 0)
		return fail(err, errlen, MENTOR_EINVAL, "@context: must start "
		    "with " CRED_VC_CONTEXT);
	if (!has_string(ctx, CRED_OB_CONTEXT) && !has_string(ctx,
	    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json") &&
	    !has_string(ctx,
	    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"))
		return fail(err, errlen, MENTOR_EINVAL, "@context: lacks the "
		    "Open Badges 3.0 context");
	if (!has_string(json_object_get(doc, "type"), "VerifiableCredential")
	    || (!has_string(json_object_get(doc, "type"),
	    "OpenBadgeCredential") && !has_string(json_object_get(doc, "type"),
	    "AchievementCredential")))
		return fail(err, errlen, MENTOR_EINVAL, "type: must name "
		    "VerifiableCredential and OpenBadgeCredential");
	if (!json_is_string(json_object_get(doc, "id")))
		return fail(err, errlen, MENTOR_EINVAL, "id: missing");
	issuer = json_object_get(doc, "issuer");
	iid = json_is_string(issuer) ? json_string_value(issuer) :
	    str(issuer, "id");
	if (iid == NULL)
		return fail(err, errlen, MENTOR_EINVAL, "issuer: missing or "
		    "without an id");
	if ((vf = str(doc, "validFrom")) == NULL || time_parse(vf, &from) != 0)
		return fail(err, errlen, MENTOR_EINVAL, "validFrom: missing or "
		    "not a date-time");
	vu = str(doc, "validUntil");
	if (vu && (time_parse(vu, &until) != 0 || until < from))
		return fail(err, errlen, MENTOR_EINVAL, "validUntil: not a "
		    "date-time after validFrom");
	subj = json_object_get(doc, "credentialSubject");
	ach = json_object_get(subj, "achievement");
	if (!json_is_object(subj) || !json_is_object(ach))
		return fail(err, errlen, MENTOR_EINVAL, "credentialSubject: "
		    "missing, or without an achievement");
	for (i = 0; i < sizeof(ach_req) / sizeof(ach_req[0]); i++)
		if (json_object_get(ach, ach_req[i]) == NULL) {
			snprintf(err, errlen, "credentialSubject.achievement."
			    "%s: missing", ach_req[i]);
			return MENTOR_EINVAL;
		}
	if ((rc = cred_verify_proof(doc, pk, err, errlen)) != 0)
		return rc;
	if (cred_did_key_parse(iid, ipk) != 0 || memcmp(ipk, pk, 32) != 0)
		return fail(err, errlen, MENTOR_EINVAL, "issuer: the proof was "
		    "made by another key than the issuer's did:key");
	if (now && from > now)
		return fail(err, errlen, MENTOR_EFUTURE, "validFrom: not yet "
		    "valid");
	if (now && vu && until < now)
		return fail(err, errlen, MENTOR_EEXPIRED, "validUntil: expired");
	return 0;
}
