#ifndef SLUICE_C_STORE_SHIMS_H
#define SLUICE_C_STORE_SHIMS_H

/// Keeps a SQLite connection from checkpointing (and deleting the WAL file) when it closes: SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
/// which Swift cannot set itself (sqlite3_db_config is variadic). `connection` is a `sqlite3 *`; returns SQLite's code.
int sluice_sqlite_keep_wal_on_close(void *connection);

#endif
