/* mps.c: the whole manager as one translation unit
 *
 * Compile this file with a client to get a program with no library:
 *     cc -O2 -Iinclude client.c code/mps.c -lpthread
 * Tarn's library is built the same way.  Modules keep their static names
 * distinct (prefixed with the module) so they can share this unit.
 *
 * Options: CONFIG_VAR_COOL / CONFIG_VAR_HOT (default) / CONFIG_VAR_RASH,
 * CONFIG_PLINTH_NONE, CONFIG_THREAD_SINGLE, CONFIG_PTHREADEXT_SIGSUSPEND,
 * CONFIG_PTHREADEXT_SIGRESUME (see config.h).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1           /* MAP_NORESERVE, pthread extensions */
#endif

#include "config.h"

/* Platform and support */
#include "check.c"
#include "lock.c"
#include "vm.c"
#include "bt.c"
#include "args.c"
#include "event.c"

/* Arena and tracts */
#include "tract.c"
#include "arena.c"
#include "arenavm.c"
#include "arenacl.c"
#include "control.c"
#include "seg.c"
#include "prot.c"
#include "shield.c"
#include "format.c"
#include "chain.c"
#include "message.c"
#include "root.c"
#include "thread.c"
#include "trace.c"
#include "parallel.c"
#include "pargrey.c"
#include "policy.c"
#include "ld.c"
#include "final.c"
#include "scan.c"

/* Pools and allocation */
#include "pool.c"
#include "buffer.c"
#include "cbs.c"
#include "poolmfs.c"
#include "poolmvff.c"
#include "poolmvt.c"
#include "sac.c"
#include "marksweep.c"
#include "poollo.c"
#include "poolams.c"
#include "poolamc.c"
#include "poolimx.c"
#include "imxdefrag.c"
#include "imxpar.c"
#include "poolsnc.c"
#include "poolawl.c"
#include "dbgpool.c"

/* Interface */
#include "mpsi.c"
#include "mpsitrace.c"
#include "ext.c"
#include "transform.c"

/* The default plinth (omitted with CONFIG_PLINTH_NONE) */
#include "plinth.c"
