#include "machine/bare.hpp"

namespace vireo::machine {
Result<BareOutcome> run_bare(const BareConfig&) { return Error::message("bare machine: not built yet"); }
}
