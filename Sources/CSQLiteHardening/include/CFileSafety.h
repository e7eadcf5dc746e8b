#ifndef CFILESAFETY_H
#define CFILESAFETY_H

/// Remembers a temporary file the process is writing, so that SIGINT or SIGTERM removes it (and the
/// SQLite side files beside it) before the process ends. Returns a slot to pass to
/// sr_forget_temporary_file, or -1 when every slot is taken or the path is too long.
int sr_register_temporary_file(const char *path);

/// Stops removing the file in `slot` on a signal (it was renamed into place or already removed).
void sr_forget_temporary_file(int slot);

/// Installs SIGINT and SIGTERM handlers that remove the registered temporary files, write one line on
/// stderr, and end the process by the same signal (unblocking both, should the parent have passed on a
/// mask that blocks them); ignores SIGXFSZ, so a file-size limit (`ulimit -f`)
/// becomes a write error (EFBIG) the caller reports instead of a silent death.
void sr_install_signal_cleanup(void);

/// Renames `from` to `to` only if `to` does not exist (no file, no link, no directory): never replaces
/// anything and never follows a link at `to`. Returns 0, or -1 with errno set (EEXIST when `to` exists).
int sr_rename_no_replace(const char *from, const char *to);

#endif
