/* versions.h - the storage libraries' versions, for sweeps.libraries.
 *
 * So that only src/storage includes hdf5.h and sqlite3.h, the distribution
 * layer asks here for the versions it records with a sweep.
 */
#ifndef BIASWEEP_VERSIONS_H
#define BIASWEEP_VERSIONS_H

#include <stddef.h>

/* "hdf5 MAJ.MIN.REL; sqlite X.Y.Z" (the libraries linked, not the headers),
 * cut to len - 1 characters. */
void bw_storage_versions(char *buf, size_t len);

#endif
