/* Build shim replacing spice-common common/log.h and the glib macros quic.c uses. */
#ifndef QUIC_REF_LOG_H
#define QUIC_REF_LOG_H
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#define G_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define GUINT32_TO_LE(x) (x)
#define GUINT32_FROM_LE(x) (x)
#define spice_assert(x) do { if (!(x)) { fprintf(stderr, "assert %s\n", #x); abort(); } } while (0)
#define spice_extra_assert(x) do { } while (0)
#define spice_return_if_fail(x) do { if (!(x)) return; } while (0)
#define spice_warn_if_reached() do { } while (0)
#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif
#ifndef ABS
#define ABS(a) ((a) >= 0 ? (a) : -(a))
#endif
#endif
