/* Build shim: lets spice-common's common/quic.c compile without glib or its build system. */
