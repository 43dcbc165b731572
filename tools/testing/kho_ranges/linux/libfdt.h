/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's libfdt (scripts/dtc/libfdt), compiled into the harness. */
#ifndef _KHO_HARNESS_LINUX_LIBFDT_H
#define _KHO_HARNESS_LINUX_LIBFDT_H
#include <libfdt.h>
#endif
