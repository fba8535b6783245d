/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Every benchmark prints its figures as rows that packaging/dev/bench
 * gathers into one table:
 *   ROW<TAB>benchmark<TAB>measure<TAB>value<TAB>unit<TAB>target or comparison
 * Values are medians of several runs unless the measure says otherwise. */

#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

static inline void
bench_row (const char *benchmark, const char *measure, double value, const char *unit, const char *note)
{
  printf ("ROW\t%s\t%s\t%.3f\t%s\t%s\n", benchmark, measure, value, unit, note != NULL ? note : "");
  fflush (stdout);
}

static inline int
bench_compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* The median of @n samples (sorts them). */
static inline double
bench_median (double *samples, gsize n)
{
  qsort (samples, n, sizeof *samples, bench_compare_double);
  return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

/* The @p-th percentile (0–100) of @n samples (sorts them). */
static inline double
bench_percentile (double *samples, gsize n, double p)
{
  gsize index;
  qsort (samples, n, sizeof *samples, bench_compare_double);
  index = (gsize) (p / 100.0 * (double) (n - 1) + 0.5);
  return samples[MIN (index, n - 1)];
}

static inline double
bench_now_ms (void)
{
  return (double) g_get_monotonic_time () / 1000.0;
}
