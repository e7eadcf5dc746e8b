# Sourced, from the package's root folder, by scripts/build-release.sh, scripts/generate-hot-symbols.sh
# and Benchmarks/run.sh: how the shipped binary is compiled and linked.
#
# --static-swift-stdlib links the Swift runtime and Foundation into the binary (DESIGN §8).
#
# -disable-concrete-type-metadata-mangled-name-accessors makes the compiler reach the metadata of
# concrete generic types (such as [ObjectKey: SchemaObject]) through accessor functions instead of by
# demangling their names at run time. Demangling checks each generic requirement with a protocol
# conformance lookup, and a first lookup scans all 7,189 conformance records of the static binary:
# about 23 such scans were 6.6 M of a healthy check's 21.6 M instructions, 2.4 M with this flag
# (callgrind; Benchmarks/RESULTS.md). It is the code generation Swift uses anyway when deploying to
# runtimes older than mangled-name access, and it applies to every module built, dependencies included.
#
# The link (lld, from the Swift toolchain) is shaped for start-up and resident memory, as measured in
# Benchmarks/RESULTS.md ("Linking for locality"):
# - -z pack-relative-relocs stores the binary's ~92,000 relative relocations as a 17 KB bitmap (DT_RELR,
#   glibc 2.36 and later) instead of a 2.2 MB table the loader reads at every start;
# - --symbol-ordering-file puts the functions runs use (scripts/hot-symbols.txt, made by
#   scripts/generate-hot-symbols.sh) first, so they share pages instead of spreading over the text.
#   The linker moves sections, not functions, so our modules and dependencies are compiled with one
#   section per function (-function-sections for Swift, passed to the frontend because the driver
#   SwiftPM runs rejects it; -ffunction-sections for C). Without it, a module's code is one section
#   and ordering one of its functions drags all of it along: the fingerprint of 3,000 migrations had
#   9.2 MB of the binary's code resident, 7.9 MB with it;
# - --no-export-dynamic leaves the binary's own symbols out of the dynamic symbol table, which the
#   loader otherwise searches (and pages in) for every symbol the system libraries look up. Nothing
#   looks up our symbols at run time: the Swift runtime finds its metadata through sections.
release_flags="--static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors"
release_flags="$release_flags -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections"
release_flags="$release_flags -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs"
release_flags="$release_flags -Xlinker --symbol-ordering-file=$(pwd)/scripts/hot-symbols.txt -Xlinker --no-warn-symbol-ordering"
release_flags="$release_flags -Xlinker --no-export-dynamic"
