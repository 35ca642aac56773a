#ifndef SLUICE_CARCHIVE_SHIM_H
#define SLUICE_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
