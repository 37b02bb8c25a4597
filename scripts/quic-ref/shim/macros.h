/* Build shim replacing spice-common common/macros.h (only what quic.c needs). */
#ifndef QUIC_REF_MACROS_H
#define QUIC_REF_MACROS_H
#define SPICE_CONSTRUCTOR_FUNC(name) static void __attribute__((constructor)) name(void)
#define SPICE_VERIFY(cond) _Static_assert(cond, #cond)
#endif
