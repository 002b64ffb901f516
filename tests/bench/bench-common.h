/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-common.h: what every benchmark needs — the median of its timings and
 * reports of a given size made of the fictitious samples. */
#pragma once

#include "rel-document.h"

/* Sorts @values (doubles) in place. */
void         bench_sort        (GArray     *values);
/* Sorts @values and returns the middle one. */
double       bench_median      (GArray     *values);
/* A report of about @size bytes, the samples of @samples repeated and cut at
 * a line end. */
RelDocument *bench_make_report (const char *samples,
                                gsize       size);
