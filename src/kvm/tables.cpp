#include "kvm/tables.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "base/bytes.hpp"
#include "kvm/layout.hpp"

namespace vireo::kvm {

namespace {

size_t align16(size_t n) { return (n + 15) & ~size_t{15}; }

void put_bytes(std::vector<uint8_t>& out, std::string_view text) { out.insert(out.end(), text.begin(), text.end()); }
template <typename T>
void put(std::vector<uint8_t>& out, T value)
{
    uint8_t bytes[sizeof(T)];
    store_le<T>(bytes, value);
    out.insert(out.end(), bytes, bytes + sizeof(T));
}

// Sets the byte at `at` so that all bytes of `table` sum to zero (mod 256), as every ACPI and MP
// table requires.
void set_checksum(std::vector<uint8_t>& table, size_t at, size_t length)
{
    table[at] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < length; ++i)
        sum = static_cast<uint8_t>(sum + table[i]);
    table[at] = static_cast<uint8_t>(-sum);
}

// ACPI 6.4 §5.2.6: the 36-byte header every system description table starts with.
std::vector<uint8_t> sdt_header(std::string_view signature, uint8_t revision)
{
    std::vector<uint8_t> t;
    put_bytes(t, signature);
    put<uint32_t>(t, 0);  // length, set by finish_sdt
    t.push_back(revision);
    t.push_back(0);       // checksum
    put_bytes(t, "VIREO ");
    put_bytes(t, "VIREOVM ");
    put<uint32_t>(t, 1);  // OEM revision
    put_bytes(t, "VIRO");
    put<uint32_t>(t, 1);  // creator revision
    return t;
}

void finish_sdt(std::vector<uint8_t>& t)
{
    store_le<uint32_t>(&t[4], static_cast<uint32_t>(t.size()));
    set_checksum(t, 9, t.size());
}

// ACPI 6.4 §20.2.4: PkgLength, for a package whose contents after the PkgLength are `length` bytes.
std::vector<uint8_t> pkg_length(size_t length)
{
    std::vector<uint8_t> out;
    if (length + 1 < 0x40) {
        out.push_back(static_cast<uint8_t>(length + 1));
    } else if (length + 2 < 0x1000) {
        const size_t total = length + 2;
        out.push_back(static_cast<uint8_t>(0x40 | (total & 0xf)));
        out.push_back(static_cast<uint8_t>(total >> 4));
    } else {
        const size_t total = length + 3;
        out.push_back(static_cast<uint8_t>(0x80 | (total & 0xf)));
        out.push_back(static_cast<uint8_t>(total >> 4));
        out.push_back(static_cast<uint8_t>(total >> 12));
    }
    return out;
}

// <opcode bytes> PkgLength <contents>
std::vector<uint8_t> aml_package(std::initializer_list<uint8_t> opcode, const std::vector<uint8_t>& contents)
{
    std::vector<uint8_t> out(opcode);
    const auto length = pkg_length(contents.size());
    out.insert(out.end(), length.begin(), length.end());
    out.insert(out.end(), contents.begin(), contents.end());
    return out;
}

constexpr uint8_t AML_NAME_OP = 0x08;
constexpr uint8_t AML_BYTE_PREFIX = 0x0a;
constexpr uint8_t AML_STRING_PREFIX = 0x0d;
constexpr uint8_t AML_SCOPE_OP = 0x10;
constexpr uint8_t AML_BUFFER_OP = 0x11;
constexpr uint8_t AML_PACKAGE_OP = 0x12;
constexpr uint8_t AML_EXT_OP_PREFIX = 0x5b;
constexpr uint8_t AML_DEVICE_OP = 0x82;
constexpr uint8_t AML_ZERO_OP = 0x00;

// Device (VRnn) { Name (_HID, "LNRO0005") Name (_UID, n) Name (_CRS, ResourceTemplate () {
//     Memory32Fixed (ReadWrite, base, size) Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) { irq } }) }
std::vector<uint8_t> virtio_device_aml(unsigned index, const MmioDeviceInfo& device)
{
    std::vector<uint8_t> body;
    char name[5];
    std::snprintf(name, sizeof name, "VR%02X", index & 0xff);
    put_bytes(body, name);
    body.push_back(AML_NAME_OP);
    put_bytes(body, "_HID");
    body.push_back(AML_STRING_PREFIX);
    put_bytes(body, "LNRO0005");
    body.push_back(0);
    body.push_back(AML_NAME_OP);
    put_bytes(body, "_UID");
    body.push_back(AML_BYTE_PREFIX);
    body.push_back(static_cast<uint8_t>(index));

    // ACPI 6.4 §6.4.3.4 Memory32Fixed and §6.4.3.6 Extended Interrupt descriptors, then End Tag.
    std::vector<uint8_t> resources;
    resources.insert(resources.end(), {0x86, 0x09, 0x00, 0x01});  // read-write
    put<uint32_t>(resources, static_cast<uint32_t>(device.base));
    put<uint32_t>(resources, static_cast<uint32_t>(device.size));
    resources.insert(resources.end(), {0x89, 0x06, 0x00, 0x03, 0x01});  // consumer, edge, active high; 1 IRQ
    put<uint32_t>(resources, device.irq);
    resources.insert(resources.end(), {0x79, 0x00});
    std::vector<uint8_t> buffer{AML_BYTE_PREFIX, static_cast<uint8_t>(resources.size())};
    buffer.insert(buffer.end(), resources.begin(), resources.end());
    body.push_back(AML_NAME_OP);
    put_bytes(body, "_CRS");
    const auto crs = aml_package({AML_BUFFER_OP}, buffer);
    body.insert(body.end(), crs.begin(), crs.end());
    return aml_package({AML_EXT_OP_PREFIX, AML_DEVICE_OP}, body);
}

std::vector<uint8_t> build_dsdt(std::span<const MmioDeviceInfo> devices)
{
    auto t = sdt_header("DSDT", 2);
    std::vector<uint8_t> sb;
    put_bytes(sb, "\\_SB_");
    for (size_t i = 0; i < devices.size(); ++i) {
        const auto dev = virtio_device_aml(static_cast<unsigned>(i), devices[i]);
        sb.insert(sb.end(), dev.begin(), dev.end());
    }
    const auto scope = aml_package({AML_SCOPE_OP}, sb);
    t.insert(t.end(), scope.begin(), scope.end());
    // Name (_S5, Package (4) { 5, 0, 0, 0 }): SLP_TYP for soft-off.
    t.push_back(AML_NAME_OP);
    put_bytes(t, "_S5_");
    const auto package = aml_package({AML_PACKAGE_OP}, {4, AML_BYTE_PREFIX, kSleepTypeS5, AML_ZERO_OP, AML_ZERO_OP, AML_ZERO_OP});
    t.insert(t.end(), package.begin(), package.end());
    finish_sdt(t);
    return t;
}

// ACPI 6.4 §5.2.3.2: a Generic Address Structure for a one-byte system I/O register.
void put_io_gas(std::vector<uint8_t>& t, size_t at, uint16_t port)
{
    t[at] = 1;      // system I/O space
    t[at + 1] = 8;  // bit width
    t[at + 2] = 0;  // bit offset
    t[at + 3] = 1;  // byte access
    store_le<uint64_t>(&t[at + 4], port);
}

// ACPI 6.4 §5.2.9: the FADT, revision 6 (276 bytes), hardware-reduced.
std::vector<uint8_t> build_fadt(uint64_t dsdt)
{
    auto t = sdt_header("FACP", 6);
    t.resize(276, 0);
    store_le<uint32_t>(&t[40], static_cast<uint32_t>(dsdt));
    // IAPC_BOOT_ARCH (§5.2.9.3): no VGA (bit 2), no MSI (bit 4), no CMOS RTC (bit 5); bit 1
    // (8042) clear, so Linux does not probe the keyboard controller: the i8042 stub is only there
    // for the reset command.
    store_le<uint16_t>(&t[109], (1u << 2) | (1u << 4) | (1u << 5));
    // Flags (§5.2.9.1): power and sleep buttons absent (bits 4, 5), HW_REDUCED_ACPI (bit 20).
    store_le<uint32_t>(&t[112], (1u << 4) | (1u << 5) | (1u << 20));
    t[131] = 4;  // FADT minor version: ACPI 6.4
    store_le<uint64_t>(&t[148], dsdt);  // X_DSDT
    put_io_gas(t, 244, layout::kAcpiSleep);      // SLEEP_CONTROL_REG
    put_io_gas(t, 256, layout::kAcpiSleep + 1);  // SLEEP_STATUS_REG
    finish_sdt(t);
    return t;
}

// ACPI 6.4 §5.2.12: the MADT with one Processor Local APIC per vCPU (APIC ID = vCPU index, as
// KVM sets it), the in-kernel IOAPIC at GSI 0 and LINT1 of every processor as NMI. No interrupt
// source overrides: KVM routes ISA IRQ n to IOAPIC pin n, the identity the spec assumes.
std::vector<uint8_t> build_madt(unsigned cpus)
{
    auto t = sdt_header("APIC", 5);
    put<uint32_t>(t, static_cast<uint32_t>(layout::kLapic));
    put<uint32_t>(t, 1);  // PCAT_COMPAT: there are 8259s (in KVM), which the OS should mask
    for (unsigned i = 0; i < cpus; ++i) {
        t.insert(t.end(), {0, 8, static_cast<uint8_t>(i), static_cast<uint8_t>(i)});
        put<uint32_t>(t, 1);  // enabled
    }
    t.insert(t.end(), {1, 12, 0, 0});  // IOAPIC id 0 (the in-kernel IOAPIC's reset value)
    put<uint32_t>(t, static_cast<uint32_t>(layout::kIoapic));
    put<uint32_t>(t, 0);  // GSI base
    t.insert(t.end(), {4, 6, 0xff, 0, 0, 1});  // Local APIC NMI: all processors, LINT1
    finish_sdt(t);
    return t;
}

}  // namespace

AcpiTables build_acpi_tables(uint64_t base, unsigned cpus, std::span<const MmioDeviceInfo> devices)
{
    AcpiTables tables;
    tables.dsdt = build_dsdt(devices);
    tables.madt = build_madt(cpus);
    const uint64_t xsdt = base + 0x40;
    const uint64_t fadt = xsdt + align16(36 + 2 * 8);
    const uint64_t madt = fadt + align16(276);
    const uint64_t dsdt = madt + align16(tables.madt.size());
    tables.fadt = build_fadt(dsdt);

    tables.xsdt = sdt_header("XSDT", 1);
    put<uint64_t>(tables.xsdt, fadt);
    put<uint64_t>(tables.xsdt, madt);
    finish_sdt(tables.xsdt);

    // ACPI 6.4 §5.2.5.3: the RSDP, revision 2 (36 bytes, with the XSDT's address).
    auto& r = tables.rsdp;
    put_bytes(r, "RSD PTR ");
    r.push_back(0);  // checksum of the first 20 bytes
    put_bytes(r, "VIREO ");
    r.push_back(2);
    put<uint32_t>(r, 0);   // no RSDT
    put<uint32_t>(r, 36);  // length
    put<uint64_t>(r, xsdt);
    r.push_back(0);        // extended checksum
    r.insert(r.end(), 3, 0);
    set_checksum(r, 8, 20);
    set_checksum(r, 32, 36);
    return tables;
}

Result<uint64_t> write_acpi_tables(memory::GuestMemory& ram, unsigned cpus, std::span<const MmioDeviceInfo> devices)
{
    const uint64_t base = layout::kAcpi;
    const AcpiTables t = build_acpi_tables(base, cpus, devices);
    const uint64_t xsdt = base + 0x40;
    const uint64_t fadt = xsdt + align16(t.xsdt.size());
    const uint64_t madt = fadt + align16(t.fadt.size());
    const uint64_t dsdt = madt + align16(t.madt.size());
    if (dsdt + t.dsdt.size() > layout::kAcpiEnd)
        return Error::message("the ACPI tables do not fit below " + std::to_string(layout::kAcpiEnd));
    TRY(ram.write(base, t.rsdp));
    TRY(ram.write(xsdt, t.xsdt));
    TRY(ram.write(fadt, t.fadt));
    TRY(ram.write(madt, t.madt));
    TRY(ram.write(dsdt, t.dsdt));
    return base;
}

// Intel MultiProcessor Specification 1.4, chapter 4: the floating pointer, then the configuration
// table with processors, one ISA bus, the IOAPIC, an interrupt assignment for each of its 24 pins
// and the local interrupts (LINT0 ExtINT, LINT1 NMI), as Firecracker writes it.
std::vector<uint8_t> build_mp_table(uint64_t base, unsigned cpus)
{
    constexpr uint8_t kIoapicId = 0;
    constexpr unsigned kPins = 24;
    std::vector<uint8_t> t;
    put_bytes(t, "_MP_");
    put<uint32_t>(t, static_cast<uint32_t>(base + 16));
    t.insert(t.end(), {1, 4, 0, 0, 0, 0, 0, 0});  // length (16-byte units), spec 1.4, checksum, features
    set_checksum(t, 10, 16);

    const size_t header = t.size();
    put_bytes(t, "PCMP");
    put<uint16_t>(t, 0);  // base table length
    t.push_back(4);       // spec 1.4
    t.push_back(0);       // checksum
    put_bytes(t, "VIREO   ");
    put_bytes(t, "000000000000");
    put<uint32_t>(t, 0);  // OEM table
    put<uint16_t>(t, 0);
    put<uint16_t>(t, 0);  // entry count
    put<uint32_t>(t, static_cast<uint32_t>(layout::kLapic));
    put<uint16_t>(t, 0);  // extended table length
    t.push_back(0);
    t.push_back(0);
    uint16_t entries = 0;
    for (unsigned i = 0; i < cpus; ++i, ++entries) {
        t.insert(t.end(), {0, static_cast<uint8_t>(i), 0x14, static_cast<uint8_t>(i == 0 ? 3 : 1)});  // enabled, BSP
        put<uint32_t>(t, 0x600);   // CPU signature: family 6
        put<uint32_t>(t, 0x201);   // features: FPU, APIC
        put<uint64_t>(t, 0);
    }
    t.insert(t.end(), {1, 0});  // bus 0: ISA
    put_bytes(t, "ISA   ");
    ++entries;
    t.insert(t.end(), {2, kIoapicId, 0x11, 1});
    put<uint32_t>(t, static_cast<uint32_t>(layout::kIoapic));
    ++entries;
    for (uint8_t pin = 0; pin < kPins; ++pin, ++entries)
        t.insert(t.end(), {3, 0, 0, 0, 0, pin, kIoapicId, pin});  // INT, conforming, ISA irq -> pin
    t.insert(t.end(), {4, 3, 0, 0, 0, 0, 0, 0});        // ExtINT on the BSP's LINT0
    t.insert(t.end(), {4, 1, 0, 0, 0, 0, 0xff, 1});     // NMI on LINT1 of every local APIC
    entries = static_cast<uint16_t>(entries + 2);
    store_le<uint16_t>(&t[header + 4], static_cast<uint16_t>(t.size() - header));
    store_le<uint16_t>(&t[header + 34], entries);
    std::vector<uint8_t> config(t.begin() + static_cast<std::ptrdiff_t>(header), t.end());
    set_checksum(config, 7, config.size());
    std::copy(config.begin(), config.end(), t.begin() + static_cast<std::ptrdiff_t>(header));
    return t;
}

Result<void> write_mp_table(memory::GuestMemory& ram, unsigned cpus)
{
    const auto table = build_mp_table(layout::kMpTable, cpus);
    if (layout::kMpTable + table.size() > layout::kMpTableEnd)
        return Error::message("the MP table for " + std::to_string(cpus) + " CPUs does not fit");
    return ram.write(layout::kMpTable, table);
}

}  // namespace vireo::kvm
