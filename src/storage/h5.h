/* h5.h - the few HDF5 helpers both HDF5 files use (internal to src/storage):
 * string types and scalar attributes. */
#ifndef BIASWEEP_STORAGE_H5_H
#define BIASWEEP_STORAGE_H5_H

#include <hdf5.h>
#include <stddef.h>

/* A NUL-terminated fixed-length string type of len bytes (close with H5Tclose). */
hid_t bw_h5_str_type(size_t len);

/* A scalar attribute `name` on loc of file type ftype, from buf in memory
 * type mtype; BW_ESTORE naming the attribute when it cannot be written. */
int bw_h5_attr_put(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *buf);

/* A scalar string attribute holding s (its length plus the NUL). */
int bw_h5_attr_str(hid_t loc, const char *name, const char *s);

#endif
