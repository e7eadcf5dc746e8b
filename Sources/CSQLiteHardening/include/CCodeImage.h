#ifndef CCODEIMAGE_H
#define CCODEIMAGE_H

#include <stddef.h>

/// Writes into `buffer` (of `size` bytes, NUL-terminated) the path of the loaded file (executable or
/// shared library) whose code contains `address`: "/proc/self/exe" for the main program on Linux.
/// Returns 0, or -1 when no loaded file contains it or the path does not fit.
int sr_code_image_path(const void *address, char *buffer, size_t size);

/// Copies into `buffer` the GNU build ID (the linker's hash of the image's contents) of the loaded
/// image whose code contains `address`, read from its notes in memory, so it names the code that
/// runs rather than whatever file is now at its path. Returns the ID's length, or -1 when there is
/// none (no such note, not ELF) or it does not fit.
int sr_code_image_build_id(const void *address, unsigned char *buffer, size_t size);

#endif
