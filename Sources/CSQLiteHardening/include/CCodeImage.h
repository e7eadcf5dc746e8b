#ifndef CCODEIMAGE_H
#define CCODEIMAGE_H

#include <stddef.h>

/// Writes into `buffer` (of `size` bytes, NUL-terminated) the path of the loaded file (executable or
/// shared library) whose code contains `address`: "/proc/self/exe" for the main program on Linux.
/// Returns 0, or -1 when no loaded file contains it or the path does not fit.
int sr_code_image_path(const void *address, char *buffer, size_t size);

#endif
