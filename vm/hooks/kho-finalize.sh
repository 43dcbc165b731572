#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm-check hook: serialize the kernel's kho_ranges tracker before this
# stage kexecs, for test modules that only preserve (test_kho_compat and
# test_kho_ranges_vmalloc leave serializing to whoever kexecs, as a KHO
# user does).
[ "$KHO_LAST" = 1 ] && exit 0
echo 1 >/sys/kernel/debug/kho_ranges/finalize || exit 1
echo "KHO-VM: stage $KHO_STAGE finalized kho_ranges"
