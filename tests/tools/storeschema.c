/*
 * storeschema.c: sets the schema version of a stopped node's store, for
 * the upgrade tests.  Version 1 is what the first release wrote: it
 * differs from 2 only in DB_META, where it has "schema" = 1 and no "node"
 * key (daemon/migrate.h), so "storeschema DIR 1" makes exactly a version 1
 * store.  A version above this program's stands for a newer mentord.
 *   storeschema STOREDIR VERSION
 */
#include <stdio.h>
#include <stdlib.h>

#include <lmdb.h>

int
main(int argc, char **argv)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 6, "schema" }, nk = { 4, "node" }, v;
	unsigned char ver[4];
	long n;
	int rc;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) < 1 || n > 255) {
		fprintf(stderr, "usage: storeschema STOREDIR VERSION\n");
		return 2;
	}
	ver[0] = ver[1] = ver[2] = 0;
	ver[3] = (unsigned char)n;
	if ((rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(env, 16)) != 0 ||
	    (rc = mdb_env_open(env, argv[1], 0, 0600)) != 0 ||
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, "meta", 0, &dbi)) != 0)
		goto fail;
	v.mv_size = sizeof(ver);
	v.mv_data = ver;
	if ((rc = mdb_put(txn, dbi, &k, &v, 0)) != 0)
		goto fail;
	rc = n == 1 ? mdb_del(txn, dbi, &nk, NULL) : 0;
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto fail;
	if ((rc = mdb_txn_commit(txn)) != 0)
		goto fail;
	mdb_env_close(env);
	return 0;
fail:
	fprintf(stderr, "storeschema: %s: %s\n", argv[1], mdb_strerror(rc));
	return 1;
}
