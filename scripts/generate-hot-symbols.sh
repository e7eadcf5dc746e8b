#!/usr/bin/env bash
# Regenerates scripts/hot-symbols.txt, the link order of the release binary (scripts/release-flags.sh).
#
#   scripts/generate-hot-symbols.sh        # about 30 seconds after a release build; needs valgrind
#
# The linker puts the functions named in hot-symbols.txt first in the binary's code, in that order, so
# the code a run executes shares pages instead of being spread over the whole 21 MB text segment. Each
# page fault on the binary maps the 64 KB around the faulting page, so scattered code costs resident
# memory and start-up time (Benchmarks/RESULTS.md has the figures). The list is every function that
# callgrind sees running in the workloads below, in the order it first meets them. A list gone stale
# after a code change costs only locality: names it holds that no longer exist are skipped, and new
# functions are placed after the listed ones.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v valgrind >/dev/null || { echo "generate-hot-symbols: needs valgrind (apt-get install -y valgrind)" >&2; exit 1; }

. scripts/release-flags.sh
scratch=${SCRATCH:-.build}
# shellcheck disable=SC2086 # the flags are words
swift build -c release --scratch-path "$scratch" --product schema-reconcile $release_flags >/dev/null
# shellcheck disable=SC2086
built="$(swift build -c release --scratch-path "$scratch" --show-bin-path $release_flags)/schema-reconcile"
[ -x "$scratch/release/generate-migrations" ] || swift build -c release --scratch-path "$scratch" --product generate-migrations $release_flags >/dev/null

work=$(mktemp -d /tmp/hot-symbols.XXXXXX)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the debug information lld writes; the symbol table is all it needs.
strip --strip-debug -o "$work/schema-reconcile" "$built"
"$scratch/release/generate-migrations" 200 "$work/generated" 42 >/dev/null
cp Fixtures/consistent-tip.sqlite "$work/tip.sqlite"
cp Fixtures/behind-by-three.sqlite "$work/behind.sqlite"
export SCHEMA_RECONCILE_CACHE_DIR="$work/cache"

profile() { # NAME ARGS...: one run under callgrind, without demangling
    local name=$1; shift
    (cd "$work" && valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/$name.out" \
        "$work/schema-reconcile" "$@" >/dev/null 2>&1) || true
    [ -s "$work/$name.out" ] || { echo "generate-hot-symbols: callgrind wrote nothing for $name" >&2; exit 1; }
}
# The order is the order of first use: start-up, a healthy check (first without, then with the launch
# cache), a diagnosis and a repair of drift, then fingerprinting.
profile version --version
profile check-cold check --migrations "$root/Migrations" tip.sqlite
profile check-warm check --migrations "$root/Migrations" tip.sqlite
profile diagnose diagnose --migrations "$root/Migrations" behind.sqlite
profile repair repair --migrations "$root/Migrations" behind.sqlite
profile fingerprint-lock fingerprint --migrations "$root/Migrations"
profile fingerprint fingerprint --no-lock --migrations "$work/generated" --format json

# Names callgrind saw (fn= and cfn= lines define them once per file; "'2" marks a recursion level),
# kept when the binary defines them as code (calls into libc or libsqlite3 are not ours to place).
nm --defined-only "$work/schema-reconcile" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u > "$work/defined"
for name in version check-cold check-warm diagnose repair fingerprint-lock fingerprint; do
    sed -n -E "s/^c?fn=\([0-9]+\) (.*)$/\1/p" "$work/$name.out"
done | sed -E "s/'[0-9]+$//" | awk '!seen[$0]++' \
    | awk 'NR == FNR { defined[$0] = 1; next } defined[$0]' "$work/defined" - > "$work/hot-symbols.txt"
[ -s "$work/hot-symbols.txt" ] || { echo "generate-hot-symbols: no symbols found" >&2; exit 1; }
mv "$work/hot-symbols.txt" scripts/hot-symbols.txt
# The build does not track the list, so remove the binary: the next release build links it again in the new order.
rm -f "$built"
echo "scripts/hot-symbols.txt: $(wc -l < scripts/hot-symbols.txt) functions"
