#!/bin/sh
# Builds a release of schema-reconcile into a staging folder (default: dist/):
#   bin/schema-reconcile                                   the binary, Swift runtime linked statically
#   share/man/man1/schema-reconcile.1                      the man page (swift-argument-parser's generate-manual)
#   share/bash-completion/completions/schema-reconcile     bash completion
#   share/zsh/site-functions/_schema-reconcile             zsh completion
#   share/fish/vendor_completions.d/schema-reconcile.fish  fish completion
# Install with: sudo cp -R dist/* /usr/local/   (see README, "Install").
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-dist}
case $out in /*) ;; *) out="$root/$out" ;; esac

# The manual plugin builds every product in release mode and reads the binary's --experimental-dump-help.
swift package generate-manual --configuration release --section 1
manual=$(find .build/plugins -path '*GenerateManual*' -name 'schema-reconcile.1' | head -n 1)
[ -n "$manual" ] || { echo "build-release: generate-manual wrote no schema-reconcile.1" >&2; exit 1; }

# The shipped binary links the Swift runtime statically (DESIGN §8), built after the plugin's own build
# with the flags of scripts/release-flags.sh.
. "$root/scripts/release-flags.sh"
# shellcheck disable=SC2086 # the flags are words
swift build -c release --product schema-reconcile $release_flags
# shellcheck disable=SC2086
binary="$(swift build -c release --show-bin-path $release_flags)/schema-reconcile"

rm -rf "$out"
mkdir -p "$out/bin" "$out/share/man/man1" "$out/share/bash-completion/completions" \
    "$out/share/zsh/site-functions" "$out/share/fish/vendor_completions.d"
cp "$binary" "$out/bin/schema-reconcile"
# One file to copy onto a CI runner or beside an app: no debug symbols, and nothing of Swift's left
# dynamic (only the system's libc, libsqlite3 and libstdc++ remain).
strip "$out/bin/schema-reconcile"
if ldd "$out/bin/schema-reconcile" | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|lib_FoundationICU'; then
    echo "build-release: the binary still loads the Swift libraries above dynamically" >&2
    exit 1
fi
cp "$manual" "$out/share/man/man1/schema-reconcile.1"
"$out/bin/schema-reconcile" --generate-completion-script bash > "$out/share/bash-completion/completions/schema-reconcile"
"$out/bin/schema-reconcile" --generate-completion-script zsh > "$out/share/zsh/site-functions/_schema-reconcile"
"$out/bin/schema-reconcile" --generate-completion-script fish > "$out/share/fish/vendor_completions.d/schema-reconcile.fish"
"$out/bin/schema-reconcile" --help > /dev/null
echo "binary: $(du -h "$out/bin/schema-reconcile" | cut -f1), dynamic libraries:"
ldd "$out/bin/schema-reconcile" | sed 's/^/  /'
echo "release staged in $out:"
(cd "$out" && find . -type f | sort)
