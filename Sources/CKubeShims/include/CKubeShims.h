#ifndef SLUICE_CKUBESHIMS_H
#define SLUICE_CKUBESHIMS_H

/// Makes the calling process non-dumpable (prctl PR_SET_DUMPABLE 0): processes of the same user can no longer
/// ptrace it or read its memory through /proc. Returns 0, or -1 with errno set. (prctl is variadic in C, so
/// Swift cannot call it directly.)
int sluice_set_nondumpable(void);

/// Makes the calling process a child subreaper (prctl PR_SET_CHILD_SUBREAPER 1): descendants orphaned by their
/// parent's exit (a command's background processes, double forks, setsid) become its children instead of init's,
/// so it can find and kill them. Returns 0, or -1 with errno set.
int sluice_set_child_subreaper(void);

#endif
