// FastEncoder's direct encodings write the bytes xbyak writes, for every register, base,
// displacement and immediate class (and anything it does not take still reaches xbyak).
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "riscv/jit/fast_encoder.hpp"

namespace vireo::riscv::jit {
namespace {

using Xbyak::CodeGenerator;
using Xbyak::Operand;

// The bytes `emit` writes through FastEncoder and through plain xbyak; both must agree, and when
// xbyak refuses the form, FastEncoder must refuse it too.
void expect_same(const std::function<void(FastEncoder&)>& fast_emit, const std::function<void(CodeGenerator&)>& xbyak_emit,
                 const std::string& what)
{
    FastEncoder fast(4096);
    CodeGenerator plain(4096);
    bool plain_threw = false, fast_threw = false;
    try { xbyak_emit(plain); } catch (const Xbyak::Error&) { plain_threw = true; }
    try { fast_emit(fast); } catch (const Xbyak::Error&) { fast_threw = true; }
    ASSERT_EQ(plain_threw, fast_threw) << what;
    if (plain_threw)
        return;
    const std::vector<uint8_t> a(fast.getCode(), fast.getCode() + fast.getSize());
    const std::vector<uint8_t> b(plain.getCode(), plain.getCode() + plain.getSize());
    ASSERT_EQ(a, b) << what;
}

std::string name(const Operand& r) { return "r" + std::to_string(r.getIdx()) + "/" + std::to_string(r.getBit()); }

std::vector<Xbyak::Reg64> regs64()
{
    std::vector<Xbyak::Reg64> r;
    for (int i = 0; i < 16; ++i)
        r.emplace_back(i);
    return r;
}

const int64_t kDisps[] = {0, 1, -1, 8, 127, 128, -128, -129, 0x1234, 0x7fffffff, -0x7fffffff - 1};
const uint32_t kImms[] = {0, 1, 0xffffffffu, 0x7f, 0x80, 0xffffff80u, 0xffffff7fu, 0x1234, 0x7fffffffu, 0x80000000u};

// The memory operands to try: [base + disp] for every base and displacement, of `bits`.
std::vector<Xbyak::Address> addresses(int bits)
{
    std::vector<Xbyak::Address> out;
    for (const auto& base : regs64())
        for (int64_t disp : kDisps)
            out.push_back(Xbyak::util::ptr[base + static_cast<size_t>(disp)]);
    for (auto& a : out)
        a.setBit(bits);
    return out;
}

TEST(FastEncoder, RegisterAndMemoryForms)
{
    using Binary = void (CodeGenerator::*)(const Operand&, const Operand&);
    struct Form {
        const char* name;
        void (FastEncoder::*fast)(const Operand&, const Operand&);
        Binary plain;
    };
    const Form forms[] = {
        {"mov", &FastEncoder::mov, static_cast<Binary>(&CodeGenerator::mov)},
        {"add", &FastEncoder::add, static_cast<Binary>(&CodeGenerator::add)},
        {"or", &FastEncoder::or_, static_cast<Binary>(&CodeGenerator::or_)},
        {"and", &FastEncoder::and_, static_cast<Binary>(&CodeGenerator::and_)},
        {"sub", &FastEncoder::sub, static_cast<Binary>(&CodeGenerator::sub)},
        {"xor", &FastEncoder::xor_, static_cast<Binary>(&CodeGenerator::xor_)},
        {"cmp", &FastEncoder::cmp, static_cast<Binary>(&CodeGenerator::cmp)},
    };
    for (const Form& f : forms) {
        for (int bits : {32, 64}) {
            std::vector<Xbyak::Reg> regs;
            for (const auto& r : regs64())
                regs.push_back(bits == 64 ? Xbyak::Reg(r) : Xbyak::Reg(r.cvt32()));
            for (const auto& a : regs) {
                for (const auto& b : regs)
                    expect_same([&](FastEncoder& g) { (g.*f.fast)(a, b); }, [&](CodeGenerator& g) { (g.*f.plain)(a, b); },
                                std::string(f.name) + " " + name(a) + ", " + name(b));
                for (const auto& m : addresses(bits)) {
                    expect_same([&](FastEncoder& g) { (g.*f.fast)(a, m); }, [&](CodeGenerator& g) { (g.*f.plain)(a, m); },
                                std::string(f.name) + " " + name(a) + ", [mem]");
                    expect_same([&](FastEncoder& g) { (g.*f.fast)(m, a); }, [&](CodeGenerator& g) { (g.*f.plain)(m, a); },
                                std::string(f.name) + " [mem], " + name(a));
                }
            }
        }
    }
}

TEST(FastEncoder, ImmediateForms)
{
    using Imm = void (CodeGenerator::*)(const Operand&, uint32_t);
    struct Form {
        const char* name;
        void (FastEncoder::*fast)(const Operand&, uint32_t);
        Imm plain;
    };
    const Form forms[] = {
        {"add", &FastEncoder::add, static_cast<Imm>(&CodeGenerator::add)},
        {"or", &FastEncoder::or_, static_cast<Imm>(&CodeGenerator::or_)},
        {"and", &FastEncoder::and_, static_cast<Imm>(&CodeGenerator::and_)},
        {"sub", &FastEncoder::sub, static_cast<Imm>(&CodeGenerator::sub)},
        {"xor", &FastEncoder::xor_, static_cast<Imm>(&CodeGenerator::xor_)},
        {"cmp", &FastEncoder::cmp, static_cast<Imm>(&CodeGenerator::cmp)},
    };
    for (const Form& f : forms)
        for (const auto& r : regs64())
            for (uint32_t imm : kImms) {
                const Xbyak::Reg32 r32 = r.cvt32();
                expect_same([&](FastEncoder& g) { (g.*f.fast)(r, imm); }, [&](CodeGenerator& g) { (g.*f.plain)(r, imm); },
                            std::string(f.name) + " " + name(r) + ", " + std::to_string(imm));
                expect_same([&](FastEncoder& g) { (g.*f.fast)(r32, imm); }, [&](CodeGenerator& g) { (g.*f.plain)(r32, imm); },
                            std::string(f.name) + " " + name(r32) + ", " + std::to_string(imm));
            }
    for (const Form& f : forms)
        for (int bits : {8, 16, 32, 64})   // 8 and 16 bits are xbyak's: still the same bytes
            for (const auto& m : addresses(bits))
                for (uint32_t imm : kImms)
                    expect_same([&](FastEncoder& g) { (g.*f.fast)(m, imm); }, [&](CodeGenerator& g) { (g.*f.plain)(m, imm); },
                                std::string(f.name) + " [mem" + std::to_string(bits) + "], " + std::to_string(imm));
}

TEST(FastEncoder, LoadEffectiveAddress)
{
    for (const auto& r : regs64()) {
        for (const auto& m : addresses(64))
            expect_same([&](FastEncoder& g) { g.lea(r, m); }, [&](CodeGenerator& g) { g.lea(r, m); }, "lea " + name(r) + ", [mem]");
        if (r.getIdx() == 4)
            continue;   // rsp is no index
        // With an index: xbyak's.
        const Xbyak::Address indexed = Xbyak::util::ptr[Xbyak::util::rax + r * 4 + 8];
        expect_same([&](FastEncoder& g) { g.lea(r, indexed); }, [&](CodeGenerator& g) { g.lea(r, indexed); }, "lea " + name(r) + ", [indexed]");
    }
}

TEST(FastEncoder, MoveImmediate)
{
    const uint64_t values[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, ~0ull, ~0ull << 31, ~0ull << 32,
                               0x123456789abcdef0ull, 0xffffffff80000000ull, 0x8000000000000000ull};
    for (const auto& r : regs64())
        for (uint64_t v : values) {
            const Xbyak::Reg32 r32 = r.cvt32();
            expect_same([&](FastEncoder& g) { g.mov(r, v); }, [&](CodeGenerator& g) { g.mov(r, v); },
                        "mov " + name(r) + ", " + std::to_string(v));
            expect_same([&](FastEncoder& g) { g.mov(r32, v); }, [&](CodeGenerator& g) { g.mov(r32, v); },
                        "mov " + name(r32) + ", " + std::to_string(v));
        }
    for (int bits : {32, 64})
        for (const auto& m : addresses(bits))
            for (uint64_t v : values)
                expect_same([&](FastEncoder& g) { g.mov(m, v); }, [&](CodeGenerator& g) { g.mov(m, v); },
                            "mov [mem" + std::to_string(bits) + "], " + std::to_string(v));
}

TEST(FastEncoder, NearJumpsAndCalls)
{
    for (size_t at : {0u, 3u, 100u})
        for (size_t target : {0u, 2u, 200u, 4000u}) {
            auto emit = [&](CodeGenerator& g, bool fast) {
                for (size_t i = 0; i < at; ++i)
                    g.nop();
                const void* to = g.getCode() + target;
                if (fast) {
                    static_cast<FastEncoder&>(g).jmp(to, CodeGenerator::T_NEAR);
                    static_cast<FastEncoder&>(g).call(to);
                } else {
                    g.jmp(to, CodeGenerator::T_NEAR);
                    g.call(to);
                }
            };
            expect_same([&](FastEncoder& g) { emit(g, true); }, [&](CodeGenerator& g) { emit(g, false); },
                        "jmp/call " + std::to_string(at) + " -> " + std::to_string(target));
        }
}

TEST(FastEncoder, FullBufferIsXbyaksError)
{
    FastEncoder g(16);
    EXPECT_THROW(
        {
            for (int i = 0; i < 8; ++i)
                g.mov(Xbyak::util::rax, Xbyak::util::qword[Xbyak::util::rbx + 0x1000]);
        },
        Xbyak::Error);
    EXPECT_LE(g.getSize(), 16u);
}

}  // namespace
}  // namespace vireo::riscv::jit
