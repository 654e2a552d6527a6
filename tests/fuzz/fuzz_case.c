/*
 * fuzz_case.c: the CASE CFPackage reader (case_parse) on arbitrary bytes,
 * and, when it accepts them, adding the result to an empty frameworks
 * object and resolving every item's canonical id.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "case.h"
#include "frameworks.h"
#include "mentor.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct frameworks *
empty_fw(void)
{
	static const char *const files[][2] = {
		{ "clusters.tsv", "code\tframework\tname\n" },
		{ "crosswalk.tsv", "code16\tcode14\n" },
		{ "onet-elements.tsv", "id\tname\tkind\tdescription\n"
		  "2.B.3.h\tOperation and Control\tskill\tControlling.\n" },
		{ "soc.tsv", "code\ttitle\tdescription\n" },
	};
	char dir[] = "/tmp/fuzz-case.XXXXXX", path[128];
	struct frameworks *fw = NULL;
	size_t i;
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return NULL;
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
		if ((f = fopen(path, "w")) != NULL) {
			fputs(files[i][1], f);
			fclose(f);
		}
	}
	fw_load(&fw, dir, NULL, 0);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
		unlink(path);
	}
	rmdir(dir);
	return fw;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frameworks *fw;
	json_t *out = NULL, *it;
	char err[256];
	size_t i;

	if (case_parse((const char *)data, size, &out, err, sizeof(err)) != 0)
		return 0;
	if ((fw = empty_fw()) != NULL &&
	    fw_case_add(fw, out, err, sizeof(err)) == 0)
		json_array_foreach(json_object_get(out, "items"), i, it) {
			fw_canonical(fw, json_string_value(json_object_get(it,
			    "id")));
			fw_competency_name(fw, json_string_value(
			    json_object_get(it, "id")));
		}
	fw_free(fw);
	json_decref(out);
	return 0;
}
