#ifndef SLUICE_CKUBESHIMS_H
#define SLUICE_CKUBESHIMS_H

/// Makes the calling process non-dumpable (prctl PR_SET_DUMPABLE 0): processes of the same user can no longer
/// ptrace it or read its memory through /proc. Returns 0, or -1 with errno set. (prctl is variadic in C, so
/// Swift cannot call it directly.)
int sluice_set_nondumpable(void);

#endif
