#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a cast macro Swift can't import: SQLite copies the bound value.
static inline sqlite3_destructor_type csqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// Turns SQLite's memory statistics off: they take one process-wide mutex around every
/// allocation, which the request threads (a connection each) would otherwise share. Only
/// possible before SQLite initialises, i.e. before the first connection opens; later it
/// returns SQLITE_MISUSE and changes nothing. sqlite3_config is variadic, hence this wrapper.
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
