# Sourced by scripts/build-release.sh and Benchmarks/run.sh: how the shipped binary is compiled.
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
release_flags="--static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors"
