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
    /* The image's build ID, when asked for (buffer non-NULL). */
    unsigned char *buffer;
    size_t size;
    int length;
};

/* The NT_GNU_BUILD_ID note among the image's PT_NOTE segments, copied into the search's buffer. */
static void sr_copy_build_id(struct dl_phdr_info *info, struct sr_image_search *search) {
    search->length = -1;
    for (int index = 0; index < info->dlpi_phnum; index++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[index];
        if (header->p_type != PT_NOTE) continue;
        const unsigned char *note = (const unsigned char *)(info->dlpi_addr + header->p_vaddr);
        const unsigned char *end = note + header->p_memsz;
        while (note + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *entry = (const ElfW(Nhdr) *)note;
            size_t name_size = (entry->n_namesz + 3) & ~(size_t)3;
            size_t data_size = (entry->n_descsz + 3) & ~(size_t)3;
            const unsigned char *name = note + sizeof(ElfW(Nhdr));
            const unsigned char *data = name + name_size;
            if (data + data_size > end) break;
            if (entry->n_type == NT_GNU_BUILD_ID && entry->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
                if (entry->n_descsz == 0 || entry->n_descsz > search->size) return;
                memcpy(search->buffer, data, entry->n_descsz);
                search->length = (int)entry->n_descsz;
                return;
            }
            note = data + data_size;
        }
    }
}

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
            if (search->buffer != NULL) sr_copy_build_id(info, search);
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
    struct sr_image_search search = { address, NULL, 0, NULL, 0, -1 };
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

int sr_code_image_build_id(const void *address, unsigned char *buffer, size_t size) {
#if defined(__APPLE__)
    (void)address; (void)buffer; (void)size;
    return -1;
#else
    struct sr_image_search search = { address, NULL, 0, buffer, size, -1 };
    dl_iterate_phdr(sr_image_visit, &search);
    return search.found ? search.length : -1;
#endif
}
