// Files: reading a whole file with an error that names it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace vireo {

// Reads the whole of `path`; the error names the file and the reason ("foo.elf: No such file ...").
Result<std::vector<uint8_t>> read_file(const std::string& path);

}  // namespace vireo
