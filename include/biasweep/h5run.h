/* h5run.h - one run (instance, final state, trajectory) as a serial HDF5 file,
 * for `run-one --save`.  Layout:
 *   /instance/Z (n x d), /instance/y (n), /instance/w_star (d)
 *   /final/u, /final/v, /final/w (d)
 *   /trajectory/{step,t,loss,test_error,R} (one entry per checkpoint)
 * and every parameter and outcome field as an attribute of the root group
 * (units in the attribute "units").  The file is written to PATH.tmp and
 * renamed, so a failure leaves nothing at PATH.
 */
#ifndef BIASWEEP_H5RUN_H
#define BIASWEEP_H5RUN_H

#include "biasweep/dynamics.h"
#include "biasweep/instance.h"

/* BW_EINVAL with a clear message when PATH cannot be created. Leaves nothing. */
int bw_h5run_check_writable(const char *path);
int bw_h5run_write(const char *path, const struct bw_instance *inst, const struct bw_run_params *p,
		   const struct bw_outcome *out);

#endif
