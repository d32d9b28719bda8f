/* lp.h - the independent oracle of the flow's limit (docs/model.md, known
 * limits): weighted basis pursuit
 *   argmin sum_j c_j |w_j|  s.t.  Z w = y
 * solved by GLPK's simplex with w = p - q, p, q >= 0.  Nothing from the
 * library but the instance's Z, y and c.  Shared by the flow tests and the
 * stopping survey (static functions, include once). */
#ifndef BIASWEEP_TEST_LP_H
#define BIASWEEP_TEST_LP_H

#include "biasweep/instance.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>

/* Weighted basis pursuit by GLPK; returns the optimal cost sum c_j |w_j|, NaN on failure. */
static double solve_lp(const struct bw_instance *inst, double *w)
{
	size_t n = inst->n, d = inst->d;
	glp_prob *P = glp_create_prob();
	glp_set_obj_dir(P, GLP_MIN);
	glp_add_rows(P, (int)n);
	glp_add_cols(P, (int)(2 * d));
	for (size_t i = 0; i < n; i++)
		glp_set_row_bnds(P, (int)i + 1, GLP_FX, inst->y[i], inst->y[i]);
	for (size_t j = 0; j < 2 * d; j++) {
		glp_set_col_bnds(P, (int)j + 1, GLP_LO, 0.0, 0.0);
		glp_set_obj_coef(P, (int)j + 1, inst->c[j % d]);
	}
	size_t nnz = 2 * n * d;
	int *ia = malloc((nnz + 1) * sizeof(int)), *ja = malloc((nnz + 1) * sizeof(int));
	double *ar = malloc((nnz + 1) * sizeof(double));
	int m = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++) {
			double z = inst->Z[i * d + j];
			m++;
			ia[m] = (int)i + 1, ja[m] = (int)j + 1, ar[m] = z;
			m++;
			ia[m] = (int)i + 1, ja[m] = (int)(d + j) + 1, ar[m] = -z;
		}
	glp_load_matrix(P, m, ia, ja, ar);
	glp_smcp parm;
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_ON;
	double obj = NAN;
	if (glp_simplex(P, &parm) == 0 && glp_get_status(P) == GLP_OPT) {
		obj = glp_get_obj_val(P);
		for (size_t j = 0; j < d; j++)
			w[j] = glp_get_col_prim(P, (int)j + 1) - glp_get_col_prim(P, (int)(d + j) + 1);
	}
	glp_delete_prob(P);
	free(ia);
	free(ja);
	free(ar);
	return obj;
}

#endif
