#ifndef SLUICE_COPENSSL_SHIM_H
#define SLUICE_COPENSSL_SHIM_H
// Only libcrypto's message-digest API (SHA-256 through EVP); libsodium keeps Ed25519.
#include <openssl/evp.h>
#endif
