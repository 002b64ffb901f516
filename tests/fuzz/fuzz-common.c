/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-common.c: the state the fuzz harnesses build once and share. */
#define G_LOG_DOMAIN "fuzz"

#include "config.h"

#include <glib/gstdio.h>

#include "fuzz.h"
#include "rel-embedded-engine.h"

static RelTerminology *terminology;
static RelEngine *engine;
static char *tmpdir;

void
rel_fuzz_init (void)
{
  /* GLib 2.74's slice allocator hides use-after-free from ASan. */
  g_setenv ("G_SLICE", "always-malloc", TRUE);
  /* A failed g_return_if_fail() is a bug the fuzzer should report. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

RelTerminology *
rel_fuzz_get_terminology (void)
{
  if (terminology == NULL)
    {
      g_autoptr(GError) error = NULL;

      terminology = rel_terminology_new_bundled (&error);
      g_assert_no_error (error);
    }
  return terminology;
}

RelEngine *
rel_fuzz_get_engine (void)
{
  if (engine == NULL)
    {
      g_autoptr(GError) error = NULL;

      engine = rel_embedded_engine_new (rel_fuzz_get_terminology (), &error);
      g_assert_no_error (error);
    }
  return engine;
}

static void
remove_tmpdir (void)
{
  g_rmdir (tmpdir);
}

const char *
rel_fuzz_get_tmpdir (void)
{
  if (tmpdir == NULL)
    {
      g_autoptr(GError) error = NULL;

      tmpdir = g_dir_make_tmp ("relecture-fuzz-XXXXXX", &error);
      g_assert_no_error (error);
      atexit (remove_tmpdir);
    }
  return tmpdir;
}

void
rel_fuzz_check_span (const char *text,
                     gsize       length,
                     guint       start,
                     guint       end)
{
  g_assert_cmpuint (start, <=, end);
  g_assert_cmpuint (end, <=, length);
  /* Offsets are UTF-8 byte offsets: never inside a character. */
  g_assert_true (start == length || (text[start] & 0xc0) != 0x80);
  g_assert_true (end == length || (text[end] & 0xc0) != 0x80);
}
