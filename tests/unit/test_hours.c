/*
 * test_hours.c: the attendance list both nodes give (placement_hours in
 * daemon/placement.c, through placement.h): entries in date order and
 * the totals logged, confirmed, disputed and pending.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "placement.h"

static json_int_t
total(const json_t *r, const char *k, const char *what)
{
	return json_integer_value(json_object_get(json_object_get(
	    json_object_get(r, "totals"), k), what));
}

static void
test_totals(void **state)
{
	json_t *pl, *r, *e;
	const char *order[] = { "e3", "e1", "e4", "e2" };
	size_t i;

	(void)state;
	pl = json_loads("{\"state\":\"active\",\"hours\":["
	    "{\"entry\":\"e1\",\"date\":\"2026-11-03\",\"minutes\":150,"
	    "\"status\":\"confirmed\",\"logged_at\":30},"
	    "{\"entry\":\"e2\",\"date\":\"2026-11-04\",\"minutes\":480,"
	    "\"status\":\"disputed\",\"logged_at\":10},"
	    "{\"entry\":\"e3\",\"date\":\"2026-11-03\",\"minutes\":90,"
	    "\"status\":\"logged\",\"logged_at\":20},"
	    "{\"entry\":\"e4\",\"date\":\"2026-11-03\",\"minutes\":1,"
	    "\"status\":\"logged\",\"logged_at\":40}]}", 0, NULL);
	assert_non_null(pl);
	r = placement_hours(pl);
	assert_non_null(r);
	assert_int_equal(json_array_size(json_object_get(r, "entries")), 4);
	json_array_foreach(json_object_get(r, "entries"), i, e)
		assert_string_equal(json_string_value(json_object_get(e,
		    "entry")), order[i]);
	assert_int_equal(total(r, "logged", "entries"), 4);
	assert_int_equal(total(r, "logged", "minutes"), 721);
	assert_int_equal(total(r, "confirmed", "entries"), 1);
	assert_int_equal(total(r, "confirmed", "minutes"), 150);
	assert_int_equal(total(r, "disputed", "entries"), 1);
	assert_int_equal(total(r, "disputed", "minutes"), 480);
	assert_int_equal(total(r, "pending", "entries"), 2);
	assert_int_equal(total(r, "pending", "minutes"), 91);
	/* The placement itself is left as it was. */
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(json_object_get(pl, "hours"), 0), "entry")), "e1");
	json_decref(r);
	json_decref(pl);
}

static void
test_empty(void **state)
{
	json_t *pl = json_pack("{s:s}", "state", "scheduled"), *r;
	static const char *const k[] = { "logged", "confirmed", "disputed",
	    "pending" };
	size_t i;

	(void)state;
	r = placement_hours(pl);
	assert_non_null(r);
	assert_int_equal(json_array_size(json_object_get(r, "entries")), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(total(r, k[i], "entries"), 0);
		assert_int_equal(total(r, k[i], "minutes"), 0);
	}
	json_decref(r);
	json_decref(pl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
