// FdtWriter: builds a flattened devicetree with libfdt's sequential-write API, turning its
// error codes into Result errors. Nodes are opened and closed in order, like the DTS text.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace vireo::machine {

class FdtWriter {
public:
    FdtWriter();

    void begin_node(const std::string& name);
    void end_node();
    void property(const char* name, std::string_view text);             // a NUL-terminated string
    void property_strings(const char* name, std::initializer_list<std::string_view> list);
    void property_u32(const char* name, uint32_t value);
    void property_u64(const char* name, uint64_t value);
    void property_cells(const char* name, const std::vector<uint32_t>& cells);
    void property_empty(const char* name);
    // A (2-cell address, 2-cell size) reg property.
    void property_reg64(uint64_t address, uint64_t size);

    uint32_t allocate_phandle() { return m_next_phandle++; }

    // Finishes the tree; the first libfdt error met along the way, if any, is returned here.
    Result<std::vector<uint8_t>> finish();

private:
    void check(int rc, const char* what);
    std::vector<uint8_t> m_buffer;
    std::string m_error;
    uint32_t m_next_phandle = 1;
};

}  // namespace vireo::machine
