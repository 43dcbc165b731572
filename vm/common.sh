# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the vm/ scripts.  Sourced, not executed.
# Everything here only defines variables and functions.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$VM_DIR/.." && pwd)
VM_CACHE=${VM_CACHE:-$REPO_ROOT/.cache/vm}
export LC_ALL=C
export CCACHE_DIR=${CCACHE_DIR:-$REPO_ROOT/.cache/ccache}

vm_log() { printf '[%s] %s\n' "${VM_LOG_TAG:-vm}" "$*" >&2; }
vm_die() { printf '[%s] ERROR: %s\n' "${VM_LOG_TAG:-vm}" "$*" >&2; exit 1; }

# vm_need CMD:PKG ... -- install the Debian packages whose command is missing.
vm_need() {
	local spec cmd pkg missing=()
	for spec in "$@"; do
		cmd=${spec%%:*}
		pkg=${spec#*:}
		if [[ $cmd == /* ]]; then
			[[ -e $cmd ]] && continue
		else
			command -v "$cmd" >/dev/null 2>&1 && continue
		fi
		missing+=("$pkg")
	done
	((${#missing[@]})) || return 0
	[[ $(id -u) -eq 0 ]] || vm_die "missing packages (need root to install): ${missing[*]}"
	vm_log "installing missing Debian packages: ${missing[*]}"
	if [[ -z ${VM_APT_UPDATED:-} ]]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		VM_APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

# vm_write_if_changed SRC DST -- move SRC over DST unless identical (keeps
# DST's mtime when nothing changed, so downstream caching stays warm).
vm_write_if_changed() {
	if [[ -e $2 ]] && cmp -s "$1" "$2"; then
		rm -f "$1"
		return 1
	fi
	mv -f "$1" "$2"
	return 0
}

vm_now() { date +%s.%N; }
vm_elapsed() { awk -v a="$1" -v b="$(vm_now)" 'BEGIN { printf "%.1f", b - a }'; }
