/* versions.c - the versions of the HDF5 and SQLite libraries linked. */
#include "biasweep/versions.h"

#include <hdf5.h>
#include <sqlite3.h>
#include <stdio.h>

void bw_storage_versions(char *buf, size_t len)
{
	unsigned maj = 0, min = 0, rel = 0;
	H5get_libversion(&maj, &min, &rel);
	snprintf(buf, len, "hdf5 %u.%u.%u; sqlite %s", maj, min, rel, sqlite3_libversion());
}
