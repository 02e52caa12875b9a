// The other half of the filter (internal to confine): what happens when it refuses a call. See
// confine.hpp for the policy; this is the SIGSYS handler that reports it.
#pragma once

#include "base/result.hpp"

namespace vireo::confine {

// Installs the SIGSYS handler that names a refused system call on stderr, puts the terminal back
// (base/terminal.hpp) and ends the process with kRefusedExitStatus. Also learns the names of the
// system calls now, so the handler has nothing to look up (or allocate) later.
Result<void> install_refusal_report();

}  // namespace vireo::confine
