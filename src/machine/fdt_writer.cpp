#include "machine/fdt_writer.hpp"

extern "C" {
#include <libfdt.h>
}

namespace vireo::machine {

namespace {
constexpr size_t kFdtMaxSize = 64 * 1024;
}

FdtWriter::FdtWriter() : m_buffer(kFdtMaxSize)
{
    check(fdt_create(m_buffer.data(), static_cast<int>(m_buffer.size())), "create");
    check(fdt_finish_reservemap(m_buffer.data()), "reserve map");
    check(fdt_begin_node(m_buffer.data(), ""), "root");
}

void FdtWriter::check(int rc, const char* what)
{
    if (rc < 0 && m_error.empty())
        m_error = std::string("devicetree: ") + what + ": " + fdt_strerror(rc);
}

void FdtWriter::begin_node(const std::string& name) { check(fdt_begin_node(m_buffer.data(), name.c_str()), name.c_str()); }
void FdtWriter::end_node() { check(fdt_end_node(m_buffer.data()), "end node"); }

void FdtWriter::property(const char* name, std::string_view text)
{
    std::string copy(text);
    check(fdt_property(m_buffer.data(), name, copy.c_str(), static_cast<int>(copy.size() + 1)), name);
}

void FdtWriter::property_strings(const char* name, std::initializer_list<std::string_view> list)
{
    std::string joined;
    for (auto s : list) {
        joined.append(s);
        joined.push_back('\0');
    }
    check(fdt_property(m_buffer.data(), name, joined.data(), static_cast<int>(joined.size())), name);
}

void FdtWriter::property_u32(const char* name, uint32_t value) { check(fdt_property_u32(m_buffer.data(), name, value), name); }
void FdtWriter::property_u64(const char* name, uint64_t value) { check(fdt_property_u64(m_buffer.data(), name, value), name); }
void FdtWriter::property_empty(const char* name) { check(fdt_property(m_buffer.data(), name, nullptr, 0), name); }

void FdtWriter::property_cells(const char* name, const std::vector<uint32_t>& cells)
{
    std::vector<fdt32_t> be;
    be.reserve(cells.size());
    for (uint32_t c : cells)
        be.push_back(cpu_to_fdt32(c));
    check(fdt_property(m_buffer.data(), name, be.data(), static_cast<int>(be.size() * sizeof(fdt32_t))), name);
}

void FdtWriter::property_reg64(uint64_t address, uint64_t size)
{
    property_cells("reg", {static_cast<uint32_t>(address >> 32), static_cast<uint32_t>(address),
                           static_cast<uint32_t>(size >> 32), static_cast<uint32_t>(size)});
}

Result<std::vector<uint8_t>> FdtWriter::finish()
{
    check(fdt_end_node(m_buffer.data()), "end root");
    check(fdt_finish(m_buffer.data()), "finish");
    if (!m_error.empty())
        return Error::message(m_error);
    m_buffer.resize(fdt_totalsize(m_buffer.data()));
    return std::move(m_buffer);
}

}  // namespace vireo::machine
