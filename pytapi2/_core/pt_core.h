/*
 * pytapi2 request core — C declarations.
 *
 * The including translation unit must have declared the TAPI types
 * (tapi_types.h, packed) and functions (tapi_functions.h) first: in the cffi
 * module those functions are the run-time dispatch wrappers of _ffi_build.py,
 * in the C tests the simulator's own exports.
 */
#ifndef PYTAPI2_PT_CORE_H
#define PYTAPI2_PT_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "pt_thread.h"
#include "pt_core_api.h"

#define PT_INLINE_SIZE sizeof(((pt_req *)0)->inline_buffer.bytes)

#endif /* PYTAPI2_PT_CORE_H */
