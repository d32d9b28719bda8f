/* h5.c - the HDF5 helpers shared by h5run.c and trajfile.c (h5.h). */
#include "h5.h"

#include "biasweep/error.h"

#include <string.h>

hid_t bw_h5_str_type(size_t len)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	H5Tset_size(t, len);
	H5Tset_strpad(t, H5T_STR_NULLTERM);
	return t;
}

int bw_h5_attr_put(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *buf)
{
	hid_t sp = H5Screate(H5S_SCALAR);
	hid_t a = H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
	herr_t st = a < 0 ? -1 : H5Awrite(a, mtype, buf);
	if (a >= 0)
		H5Aclose(a);
	H5Sclose(sp);
	return st < 0 ? RAISE(BW_ESTORE, "hdf5: cannot write attribute '%s'", name) : BW_OK;
}

int bw_h5_attr_str(hid_t loc, const char *name, const char *s)
{
	hid_t ty = bw_h5_str_type(strlen(s) + 1);
	int rc = bw_h5_attr_put(loc, name, ty, ty, s);
	H5Tclose(ty);
	return rc;
}
