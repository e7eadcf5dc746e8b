#define _GNU_SOURCE
#include "CCodeImage.h"

#include <string.h>
#if defined(__APPLE__)
#include <dlfcn.h>
#else
#include <link.h>
#endif

#if !defined(__APPLE__)
struct sr_image_search {
    const void *address;
    const char *name;
    int found;
};

/* dl_iterate_phdr walks the loaded objects without dladdr's nearest-symbol search through the
   binary's symbol table. */
static int sr_image_visit(struct dl_phdr_info *info, size_t info_size, void *context) {
    (void)info_size;
    struct sr_image_search *search = context;
    unsigned long address = (unsigned long)search->address;
    for (int index = 0; index < info->dlpi_phnum; index++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[index];
        if (header->p_type != PT_LOAD) continue;
        unsigned long start = (unsigned long)(info->dlpi_addr + header->p_vaddr);
        if (address >= start && address < start + header->p_memsz) {
            search->name = info->dlpi_name;
            search->found = 1;
            return 1;
        }
    }
    return 0;
}
#endif

int sr_code_image_path(const void *address, char *buffer, size_t size) {
    const char *name = NULL;
#if defined(__APPLE__)
    Dl_info info;
    if (dladdr(address, &info) == 0 || info.dli_fname == NULL) return -1;
    name = info.dli_fname;
#else
    struct sr_image_search search = { address, NULL, 0 };
    dl_iterate_phdr(sr_image_visit, &search);
    if (!search.found) return -1;
    /* The main program's entry has an empty name. */
    name = (search.name == NULL || search.name[0] == '\0') ? "/proc/self/exe" : search.name;
#endif
    size_t length = strlen(name);
    if (length + 1 > size) return -1;
    memcpy(buffer, name, length + 1);
    return 0;
}
