#define _GNU_SOURCE
#include "CFileSafety.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

/* Fixed storage: the signal handler may only touch memory that is never reallocated. A slot is
   free (0), being filled (2) or live (1); threads claim slots with compare-and-swap, and the handler
   only reads live ones. */
#define SR_SLOTS 8
#define SR_PATH_MAX 4096
static char sr_paths[SR_SLOTS][SR_PATH_MAX];
static _Atomic int sr_state[SR_SLOTS];

int sr_register_temporary_file(const char *path) {
    size_t length = strlen(path);
    /* Room for the longest SQLite side-file suffix ("-journal") and the terminator. */
    if (length + 9 > SR_PATH_MAX) return -1;
    for (int slot = 0; slot < SR_SLOTS; slot++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&sr_state[slot], &expected, 2)) {
            memcpy(sr_paths[slot], path, length + 1);
            atomic_store(&sr_state[slot], 1);
            return slot;
        }
    }
    return -1;
}

void sr_forget_temporary_file(int slot) {
    if (slot >= 0 && slot < SR_SLOTS) atomic_store(&sr_state[slot], 0);
}

static void sr_unlink_with_suffix(const char *path, const char *suffix) {
    char buffer[SR_PATH_MAX];
    size_t length = strlen(path), extra = strlen(suffix);
    if (length + extra + 1 > SR_PATH_MAX) return;
    memcpy(buffer, path, length);
    memcpy(buffer + length, suffix, extra + 1);
    unlink(buffer);
}

static void sr_cleanup_and_reraise(int signal_number) {
    int removed = 0;
    for (int slot = 0; slot < SR_SLOTS; slot++) {
        if (atomic_load(&sr_state[slot]) != 1) continue;
        sr_unlink_with_suffix(sr_paths[slot], "");
        sr_unlink_with_suffix(sr_paths[slot], "-journal");
        sr_unlink_with_suffix(sr_paths[slot], "-wal");
        sr_unlink_with_suffix(sr_paths[slot], "-shm");
        removed = 1;
    }
    static const char interrupted[] = "schema-reconcile: interrupted; the unfinished backup was removed and nothing was written\n";
    static const char plain[] = "schema-reconcile: interrupted\n";
    if (removed) {
        ssize_t ignored = write(STDERR_FILENO, interrupted, sizeof interrupted - 1);
        (void)ignored;
    } else {
        ssize_t ignored = write(STDERR_FILENO, plain, sizeof plain - 1);
        (void)ignored;
    }
    /* End by the same signal, so the parent sees how the process ended. */
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

void sr_install_signal_cleanup(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = sr_cleanup_and_reraise;
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGINT);
    sigaddset(&action.sa_mask, SIGTERM);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    signal(SIGXFSZ, SIG_IGN);
    /* A parent that spawned us from a thread blocking these signals passed its mask on: the handlers
       are useless unless the signals can arrive. */
    sigset_t deliverable;
    sigemptyset(&deliverable);
    sigaddset(&deliverable, SIGINT);
    sigaddset(&deliverable, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &deliverable, NULL);
}

int sr_rename_no_replace(const char *from, const char *to) {
#if defined(__linux__) && defined(SYS_renameat2)
    /* RENAME_NOREPLACE = 1 */
    if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 1) == 0) return 0;
    if (errno != ENOSYS && errno != EINVAL) return -1;
#endif
    /* link() fails with EEXIST when `to` exists, and never follows a link at `to`. */
    if (link(from, to) != 0) return -1;
    unlink(from);
    return 0;
}
