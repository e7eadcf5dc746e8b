#ifndef CSQLITEHARDENING_H
#define CSQLITEHARDENING_H

#include <sqlite3.h>
#include "CFileSafety.h"
#include "CCodeImage.h"

/// Turns on SQLite's defensive mode, turns off extension loading and ATTACH, and sets
/// trusted_schema, so that a hostile database file cannot make the connection run code or
/// corrupt itself. Pass trusted_schema = 0 for user databases; the private replay database
/// holds only what the bundled migrations create and replays them as the app would (1).
/// Returns SQLITE_OK or the first failing result code.
int sr_harden_connection(sqlite3 *db, int trusted_schema);

/// Enables or disables triggers on the connection (SQLITE_DBCONFIG_ENABLE_TRIGGER).
/// Writes to the ledger run with triggers off, so a trigger planted on the ledger table
/// cannot touch user tables. Returns SQLITE_OK or an error code.
int sr_set_triggers_enabled(sqlite3 *db, int enabled);

/// Turns off SQLite's process-wide memory statistics (SQLITE_CONFIG_MEMSTATUS), whose global
/// mutex every allocation takes: with several threads each checking a database, that one lock is
/// where they wait. Only works before SQLite initialises (SQLITE_MISUSE after); a process that owns
/// its SQLite (the command-line tool) calls it first. Returns SQLite's result code.
int sr_disable_memory_statistics(void);

#endif
