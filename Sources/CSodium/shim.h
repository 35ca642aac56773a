#ifndef SLUICE_CSODIUM_SHIM_H
#define SLUICE_CSODIUM_SHIM_H
#include <sodium.h>
#endif
