#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a minimal x86_64 kernel for the QEMU kexec round trip.
#
#   vm/build-kernel.sh [--env]
#
# Prints the bzImage path as the last line of stdout (or, with --env, shell
# assignments BZIMAGE=, KERNEL_OBJ=, KERNEL_TREE=, KERNEL_VARIANT=).
# Progress goes to stderr, the full make output to $KERNEL_OBJ/vm-build.log.
#
# Environment:
#   KERNEL_SRC        kernel source tree (default: .cache/linux-source-6.12 if
#                     present and clean, else /usr/src/linux-source-6.12.tar.xz
#                     extracted into .cache/vm/src/; KERNEL_SRC=debian forces
#                     the latter).  Never written to: the build is out of
#                     tree (O=).
#   KHO_PATCH_DIR     optional directory: top-level *.patch files (order from a
#                     "series" file if present, else sorted) are applied with
#                     patch -p1, every other file is copied into the tree at
#                     the same relative path (before the patches).  This is
#                     done on a private copy of KERNEL_SRC, updated
#                     incrementally; CONFIG_KHO_RANGES=y is added.
#   KERNEL_CONFIG_EXTRA  extra config fragment files (space separated)
#   KERNEL_OBJ        object directory (default: .cache/vm/obj/<tree>-base, or
#                     <tree>-kho-<patchdir name>-<hash> with KHO_PATCH_DIR)
#   JOBS              make -j (default: nproc)
#   VM_CACHE          cache root (default: <repo>/.cache/vm)
#   CCACHE_DIR        (default: <repo>/.cache/ccache)
set -euo pipefail

VM_LOG_TAG=build-kernel
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

out_env=0
case "${1:-}" in
--env) out_env=1 ;;
"") ;;
-h | --help)
	sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
*) vm_die "unknown argument: $1" ;;
esac

DEBIAN_TARBALL=/usr/src/linux-source-6.12.tar.xz
JOBS=${JOBS:-$(nproc)}
KCC="ccache gcc"
t_start=$(vm_now)

vm_need make:make gcc:gcc flex:flex bison:bison bc:bc ccache:ccache \
	cpio:cpio xz:xz-utils flock:util-linux patch:patch perl:perl \
	/usr/include/libelf.h:libelf-dev /usr/include/openssl/ssl.h:libssl-dev

mkdir -p "$VM_CACHE" "$CCACHE_DIR"

tree_is_clean() {
	[[ ! -e $1/.config && ! -d $1/include/config && ! -d $1/arch/x86/include/generated ]]
}

# ---------------------------------------------------------------- source tree
if [[ -n ${KERNEL_SRC:-} && $KERNEL_SRC != debian ]]; then
	[[ -f $KERNEL_SRC/Makefile ]] || vm_die "KERNEL_SRC=$KERNEL_SRC is not a kernel tree"
	KERNEL_SRC=$(realpath "$KERNEL_SRC")
	tree_is_clean "$KERNEL_SRC" ||
		vm_die "$KERNEL_SRC has in-tree build output (.config/include/config); O= builds need 'make mrproper' there"
else
	shared=$REPO_ROOT/.cache/linux-source-6.12
	if [[ ${KERNEL_SRC:-} != debian && -f $shared/Makefile ]] && tree_is_clean "$shared"; then
		# resolved: .cache/ may be a symlink to another worktree's,
		# and cp -a would copy a symlinked tree as the link itself
		KERNEL_SRC=$(realpath "$shared")
	else
		if [[ ${KERNEL_SRC:-} != debian && -f $shared/Makefile ]]; then
			vm_log "$shared is not clean, using a private copy"
		fi
		KERNEL_SRC=$VM_CACHE/src/linux-source-6.12
		if [[ ! -f $KERNEL_SRC/.vm-extracted ]]; then
			vm_need "$DEBIAN_TARBALL:linux-source-6.12"
			vm_log "extracting $DEBIAN_TARBALL"
			rm -rf "$KERNEL_SRC" "$KERNEL_SRC.tmp"
			mkdir -p "$KERNEL_SRC.tmp"
			tar -xJf "$DEBIAN_TARBALL" -C "$KERNEL_SRC.tmp" --strip-components=1
			touch "$KERNEL_SRC.tmp/.vm-extracted"
			mv "$KERNEL_SRC.tmp" "$KERNEL_SRC"
		fi
	fi
fi
tree_tag=$(basename "$KERNEL_SRC")-$(printf '%s' "$KERNEL_SRC" | sha256sum | cut -c1-8)

# ------------------------------------------------------- KHO patch directory
# Hash of everything in the patch dir (paths + contents).
patchdir_hash() {
	(cd "$1" && find . -type f ! -name '*~' -print0 | LC_ALL=C sort -z |
		xargs -0r sha256sum) | sha256sum | cut -c1-16
}

# List of patches in application order (absolute paths).
patch_list() {
	local d=$1 p
	if [[ -f $d/series ]]; then
		while read -r p; do
			p=${p%%#*}
			p=${p//[[:space:]]/}
			[[ -n $p ]] && printf '%s\n' "$d/$p"
		done <"$d/series"
	else
		find "$d" -maxdepth 1 -type f -name '*.patch' | LC_ALL=C sort
	fi
}

# Update the private patched copy $2 of tree $1 with patch dir $3.
# Only files whose content differs get rewritten, so make stays incremental.
sync_patched_tree() {
	local base=$1 tree=$2 pdir=$3 stage=$2.stage
	local hash force=0 f p newstamp

	# every write below goes through $tree and $stage: never into $base
	[[ ! -L $tree && ! -L $stage && ! -L $base ]] ||
		vm_die "$base, $tree or $stage is a symlink; refusing to patch through it"
	if [[ ! -f $tree/.vm-base-stamp ]]; then
		vm_log "creating patched tree copy $tree (one time, ~1.7 GB)"
		rm -rf "$tree" "$tree.tmp"
		mkdir -p "$(dirname "$tree")"
		touch "$tree.newstamp"
		cp -a "$base" "$tree.tmp"
		: >"$tree.tmp/.vm-manifest"
		: >"$tree.tmp/.vm-deleted"
		mv "$tree.newstamp" "$tree.tmp/.vm-base-stamp"
		mv "$tree.tmp" "$tree"
		force=1
	else
		# Pick up edits made to the base tree since the last sync.
		newstamp=$tree/.vm-base-stamp.new
		touch "$newstamp"
		while IFS= read -r -d '' f; do
			f=${f#./}
			mkdir -p "$tree/$(dirname "$f")"
			cp --remove-destination "$base/$f" "$tree/$f"
			force=1
		done < <(cd "$base" && find . -type f -newer "$tree/.vm-base-stamp" -print0)
		mv -f "$newstamp" "$tree/.vm-base-stamp"
		((force)) && vm_log "base tree changed since last sync, re-applying patches"
	fi

	hash=$(patchdir_hash "$pdir")
	if ((!force)) && [[ $(cat "$tree/.vm-patch-hash" 2>/dev/null) == "$hash" ]]; then
		vm_log "patched tree up to date ($hash)"
		return 0
	fi

	vm_log "applying $pdir to a scratch tree"
	rm -rf "$stage"
	cp -al "$base" "$stage" # hard links: cheap; every write below replaces files
	# overlay: every file except top-level patches/series/README
	while IFS= read -r -d '' f; do
		f=${f#./}
		if [[ $f != */* ]]; then
			case $f in *.patch | series | README* | *~) continue ;; esac
		fi
		mkdir -p "$stage/$(dirname "$f")"
		cp --remove-destination "$pdir/$f" "$stage/$f"
	done < <(cd "$pdir" && find . -type f -print0)
	# GNU patch writes a new file and renames it, so the hard links to the
	# base tree are broken for every patched file (checked below).
	while IFS= read -r p; do
		[[ -f $p ]] || vm_die "patch not found: $p"
		vm_log "  patch -p1 < $(basename "$p")"
		patch -p1 -s --batch --forward --no-backup-if-mismatch -r - \
			-d "$stage" <"$p" >&2 || vm_die "patch failed: $p"
	done < <(patch_list "$pdir")

	# Changed/new files are those no longer hard-linked to the base tree.
	(cd "$stage" && find . -type f -links 1 -print | sed 's|^\./||' | LC_ALL=C sort) >"$stage.manifest"
	comm -23 <(cd "$base" && find . -type f -print | sed 's|^\./||' | LC_ALL=C sort) \
		<(cd "$stage" && find . -type f -print | sed 's|^\./||' | LC_ALL=C sort) |
		grep -v '^\.vm-' >"$stage.deleted" || true
	# Sanity: the base tree must not have been modified through a link.
	while IFS= read -r f; do
		if [[ -f $base/$f ]] && [[ $(stat -c %i "$base/$f") == $(stat -c %i "$stage/$f") ]]; then
			vm_die "BUG: $f shares an inode with the base tree"
		fi
	done <"$stage.manifest"

	local n_changed=0
	# New content for changed files.
	while IFS= read -r f; do
		if ! cmp -s "$stage/$f" "$tree/$f"; then
			mkdir -p "$tree/$(dirname "$f")"
			cp --remove-destination "$stage/$f" "$tree/$f"
			n_changed=$((n_changed + 1))
		fi
	done <"$stage.manifest"
	# Files patched before but not any more: back to base content (fresh mtime).
	while IFS= read -r f; do
		if [[ -f $base/$f ]]; then
			if ! cmp -s "$base/$f" "$tree/$f"; then
				cp --remove-destination "$base/$f" "$tree/$f"
				n_changed=$((n_changed + 1))
			fi
		else
			rm -f "$tree/$f"
			n_changed=$((n_changed + 1))
		fi
	done < <(comm -23 "$tree/.vm-manifest" "$stage.manifest")
	# Deletions done by patches, and deletions undone.
	while IFS= read -r f; do
		[[ -e $tree/$f ]] && rm -f "$tree/$f" && n_changed=$((n_changed + 1))
	done <"$stage.deleted"
	while IFS= read -r f; do
		[[ -f $base/$f ]] && cp "$base/$f" "$tree/$f" && n_changed=$((n_changed + 1))
	done < <(comm -23 "$tree/.vm-deleted" "$stage.deleted")

	mv -f "$stage.manifest" "$tree/.vm-manifest"
	mv -f "$stage.deleted" "$tree/.vm-deleted"
	printf '%s\n' "$hash" >"$tree/.vm-patch-hash"
	rm -rf "$stage"
	vm_log "patched tree synced: $(wc -l <"$tree/.vm-manifest") file(s) differ from base, $n_changed rewritten"
}

if [[ -n ${KHO_PATCH_DIR:-} ]]; then
	[[ -d $KHO_PATCH_DIR ]] || vm_die "KHO_PATCH_DIR=$KHO_PATCH_DIR is not a directory"
	KHO_PATCH_DIR=$(realpath "$KHO_PATCH_DIR")
	# One patched tree and object dir per patch directory, so that builds
	# for different patch sets never undo each other's work.
	variant=kho-$(basename "$KHO_PATCH_DIR")-$(printf '%s' "$KHO_PATCH_DIR" | sha256sum | cut -c1-6)
	tree=$VM_CACHE/src/$tree_tag-$variant
else
	variant=base
	tree=$KERNEL_SRC
fi
KERNEL_OBJ=${KERNEL_OBJ:-$VM_CACHE/obj/$tree_tag-$variant}
mkdir -p "$KERNEL_OBJ"
KERNEL_OBJ=$(realpath "$KERNEL_OBJ")

# One build per object directory at a time.
exec 9>"$KERNEL_OBJ.lock"
flock 9

if [[ $variant == kho-* ]]; then
	mkdir -p "$VM_CACHE/src"
	exec 8>"$tree.lock"
	flock 8
	sync_patched_tree "$KERNEL_SRC" "$tree" "$KHO_PATCH_DIR"
fi

kmake() {
	make -C "$tree" O="$KERNEL_OBJ" ARCH=x86_64 CC="$KCC" HOSTCC="$KCC" \
		KBUILD_BUILD_USER=kho KBUILD_BUILD_HOST=vm \
		KBUILD_BUILD_TIMESTAMP="${KBUILD_BUILD_TIMESTAMP:-2025-01-01}" "$@"
}

# --------------------------------------------------------------------- config
fragments=("$VM_DIR/kernel.config")
for f in ${KERNEL_CONFIG_EXTRA:-}; do
	[[ -f $f ]] || vm_die "KERNEL_CONFIG_EXTRA: no such file $f"
	fragments+=("$(realpath "$f")")
done
if [[ $variant == kho-* ]]; then
	printf 'CONFIG_KHO_RANGES=y\n' >"$KERNEL_OBJ/vm-kho.config"
	fragments+=("$KERNEL_OBJ/vm-kho.config")
fi

# Only a patch set change that touches a Kconfig file needs a new .config
# (Kbuild's own syncconfig handles the rest).
kconfig_files_hash() {
	(cd "$tree" && grep -E '(^|/)Kconfig[^/]*$' .vm-manifest .vm-deleted |
		cut -d: -f2- | LC_ALL=C sort | while IFS= read -r f; do
			printf '%s ' "$f"
			if [[ -f $f ]]; then sha256sum <"$f"; else echo deleted; fi
		done)
}
config_key=$( {
	echo "v1 $tree"
	cat "${fragments[@]}"
	[[ $variant == kho-* ]] && kconfig_files_hash
	gcc --version | head -1
	sed -n '1,6p' "$tree/Makefile"
} | sha256sum | cut -c1-16)

apply_fragment() { # FRAGMENT .CONFIG
	local line sym val args=()
	while IFS= read -r line; do
		if [[ $line =~ ^CONFIG_([A-Za-z0-9_]+)=(.*)$ ]]; then
			sym=${BASH_REMATCH[1]}
			val=${BASH_REMATCH[2]}
			case $val in
			y) args+=(--enable "$sym") ;;
			m) args+=(--module "$sym") ;;
			n) args+=(--disable "$sym") ;;
			\"*\") val=${val#\"}; args+=(--set-str "$sym" "${val%\"}") ;;
			*) args+=(--set-val "$sym" "$val") ;;
			esac
		elif [[ $line =~ ^#\ CONFIG_([A-Za-z0-9_]+)\ is\ not\ set ]]; then
			args+=(--disable "${BASH_REMATCH[1]}")
		fi
	done <"$1"
	((${#args[@]})) && "$tree/scripts/config" --file "$2" "${args[@]}"
	return 0
}

verify_fragment() { # FRAGMENT .CONFIG -> prints problems
	local line sym val bad=0
	while IFS= read -r line; do
		if [[ $line =~ ^CONFIG_([A-Za-z0-9_]+)=([ym])$ ]]; then
			sym=${BASH_REMATCH[1]}
			val=${BASH_REMATCH[2]}
			grep -qx "CONFIG_$sym=$val" "$2" || {
				vm_log "config: CONFIG_$sym=$val requested but not set (unmet dependency?)"
				bad=1
			}
		elif [[ $line =~ ^#\ CONFIG_([A-Za-z0-9_]+)\ is\ not\ set ]]; then
			sym=${BASH_REMATCH[1]}
			grep -q "^CONFIG_$sym=" "$2" && {
				vm_log "config: CONFIG_$sym requested off but is $(grep "^CONFIG_$sym=" "$2")"
				bad=1
			}
		fi
	done <"$1"
	return $bad
}

if [[ -f $KERNEL_OBJ/.config && $(cat "$KERNEL_OBJ/.vm-config-key" 2>/dev/null) == "$config_key" ]]; then
	vm_log "config up to date ($config_key)"
else
	vm_log "generating .config: tinyconfig + ${fragments[*]##*/}"
	rm -f "$KERNEL_OBJ/.vm-config-key"
	kmake -s tinyconfig >"$KERNEL_OBJ/vm-config.log" 2>&1 ||
		{ tail -20 "$KERNEL_OBJ/vm-config.log" >&2; vm_die "tinyconfig failed"; }
	for f in "${fragments[@]}"; do
		apply_fragment "$f" "$KERNEL_OBJ/.config"
	done
	kmake -s olddefconfig >>"$KERNEL_OBJ/vm-config.log" 2>&1 ||
		{ tail -20 "$KERNEL_OBJ/vm-config.log" >&2; vm_die "olddefconfig failed"; }
	ok=1
	for f in "${fragments[@]}"; do
		verify_fragment "$f" "$KERNEL_OBJ/.config" || ok=0
	done
	((ok)) || vm_die "config fragment not fully applied (see above)"
	printf '%s\n' "$config_key" >"$KERNEL_OBJ/.vm-config-key"
fi

# ---------------------------------------------------------------------- build
BZIMAGE=$KERNEL_OBJ/arch/x86/boot/bzImage
# Fast path: a no-op Kbuild run still costs ~10 s.  Skip make when the last
# successful build used the same tree and config and no source file is newer
# than the moment that build started.  VM_FORCE_MAKE=1 disables this.
ok_stamp=$KERNEL_OBJ/.vm-build-ok
build_key="$tree $config_key"
if [[ ${VM_FORCE_MAKE:-0} != 1 && -f $BZIMAGE && -f $KERNEL_OBJ/Module.symvers &&
	-f $ok_stamp && $(cat "$ok_stamp") == "$build_key" &&
	! $KERNEL_OBJ/.config -nt $ok_stamp ]] &&
	[[ -z $(find "$tree" ! -type d -newer "$ok_stamp" ! -name '.vm-*' -print -quit) ]]; then
	vm_log "up to date, make skipped ($(vm_elapsed "$t_start") s): $BZIMAGE"
	if ((out_env)); then
		printf 'BZIMAGE=%q\nKERNEL_OBJ=%q\nKERNEL_TREE=%q\nKERNEL_VARIANT=%q\n' \
			"$BZIMAGE" "$KERNEL_OBJ" "$tree" "$variant"
	else
		printf '%s\n' "$BZIMAGE"
	fi
	exit 0
fi
rm -f "$ok_stamp"
printf '%s\n' "$build_key" >"$ok_stamp.new"

vm_log "make -j$JOBS bzImage modules  (src=$tree obj=$KERNEL_OBJ)"
t_make=$(vm_now)
if ! kmake -j"$JOBS" bzImage modules >"$KERNEL_OBJ/vm-build.log" 2>&1; then
	grep -E 'error|Error' "$KERNEL_OBJ/vm-build.log" | head -20 >&2 || true
	tail -30 "$KERNEL_OBJ/vm-build.log" >&2
	vm_die "kernel build failed, log: $KERNEL_OBJ/vm-build.log"
fi
[[ -f $BZIMAGE ]] || vm_die "no bzImage after build"
mv -f "$ok_stamp.new" "$ok_stamp"
vm_log "built $(cat "$KERNEL_OBJ/include/config/kernel.release") in $(vm_elapsed "$t_make") s" \
	"(total $(vm_elapsed "$t_start") s; $(ccache -s 2>/dev/null | grep -m1 -iE 'hits:' | tr -s ' ' || true))"

if ((out_env)); then
	printf 'BZIMAGE=%q\nKERNEL_OBJ=%q\nKERNEL_TREE=%q\nKERNEL_VARIANT=%q\n' \
		"$BZIMAGE" "$KERNEL_OBJ" "$tree" "$variant"
else
	printf '%s\n' "$BZIMAGE"
fi
