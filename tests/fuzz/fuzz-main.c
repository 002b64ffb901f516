/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-main.c: the libFuzzer entry points around one harness, REL_FUZZ_TARGET. */
#define G_LOG_DOMAIN "fuzz"

#include "config.h"

#include "fuzz.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  rel_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  return REL_FUZZ_TARGET (data, size);
}
