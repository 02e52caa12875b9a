// FastEncoder: xbyak's CodeGenerator with direct encodings of the instruction forms the translator
// emits most: moves and ALU operations between a general register or [base + disp32] and a
// register, an immediate or [base + disp32]; lea from [base + disp32]; near jumps and calls to a
// known address. xbyak's general path spends some 300
// host instructions on an instruction with a memory operand, which made assembling a sixth of a
// Linux boot. Each form here writes the same bytes xbyak would (tests/unit/fast_encoder_test.cpp
// compares them); anything else goes to xbyak unchanged.
#pragma once

#include <cstdint>
#include <cstring>

#include <xbyak/xbyak.h>

namespace vireo::riscv::jit {

class FastEncoder : public Xbyak::CodeGenerator {
public:
    using Xbyak::CodeGenerator::CodeGenerator;
    using Xbyak::CodeGenerator::mov;
    using Xbyak::CodeGenerator::add;
    using Xbyak::CodeGenerator::or_;
    using Xbyak::CodeGenerator::and_;
    using Xbyak::CodeGenerator::sub;
    using Xbyak::CodeGenerator::xor_;
    using Xbyak::CodeGenerator::cmp;
    using Xbyak::CodeGenerator::jmp;
    using Xbyak::CodeGenerator::call;
    using Xbyak::CodeGenerator::lea;

    void mov(const Xbyak::Operand& a, const Xbyak::Operand& b)
    {
        if (!rm_rm(0x88, a, b))
            Xbyak::CodeGenerator::mov(a, b);
    }
    void add(const Xbyak::Operand& a, const Xbyak::Operand& b) { if (!rm_rm(0x00, a, b)) Xbyak::CodeGenerator::add(a, b); }
    void or_(const Xbyak::Operand& a, const Xbyak::Operand& b) { if (!rm_rm(0x08, a, b)) Xbyak::CodeGenerator::or_(a, b); }
    void and_(const Xbyak::Operand& a, const Xbyak::Operand& b) { if (!rm_rm(0x20, a, b)) Xbyak::CodeGenerator::and_(a, b); }
    void sub(const Xbyak::Operand& a, const Xbyak::Operand& b) { if (!rm_rm(0x28, a, b)) Xbyak::CodeGenerator::sub(a, b); }
    void xor_(const Xbyak::Operand& a, const Xbyak::Operand& b) { if (!rm_rm(0x30, a, b)) Xbyak::CodeGenerator::xor_(a, b); }
    void cmp(const Xbyak::Operand& a, const Xbyak::Operand& b) { if (!rm_rm(0x38, a, b)) Xbyak::CodeGenerator::cmp(a, b); }

    void add(const Xbyak::Operand& a, uint32_t imm) { if (!rm_imm(0x00, 0, a, imm)) Xbyak::CodeGenerator::add(a, imm); }
    void or_(const Xbyak::Operand& a, uint32_t imm) { if (!rm_imm(0x08, 1, a, imm)) Xbyak::CodeGenerator::or_(a, imm); }
    void and_(const Xbyak::Operand& a, uint32_t imm) { if (!rm_imm(0x20, 4, a, imm)) Xbyak::CodeGenerator::and_(a, imm); }
    void sub(const Xbyak::Operand& a, uint32_t imm) { if (!rm_imm(0x28, 5, a, imm)) Xbyak::CodeGenerator::sub(a, imm); }
    void xor_(const Xbyak::Operand& a, uint32_t imm) { if (!rm_imm(0x30, 6, a, imm)) Xbyak::CodeGenerator::xor_(a, imm); }
    void cmp(const Xbyak::Operand& a, uint32_t imm) { if (!rm_imm(0x38, 7, a, imm)) Xbyak::CodeGenerator::cmp(a, imm); }

    void lea(const Xbyak::Reg64& a, const Xbyak::Address& m)
    {
        Bytes out;
        int base = 0;
        int32_t disp = 0;
        if (!simple_address(m, base, disp) || !(encode_mem(out, 64, a.getIdx(), base, disp, 0x8D), commit(out)))
            Xbyak::CodeGenerator::lea(a, m);
    }

    void mov(const Xbyak::Operand& a, uint64_t imm)
    {
        if (!mov_imm64(a, imm))
            Xbyak::CodeGenerator::mov(a, imm);
    }

    // Near jumps and calls to an address in the same buffer (the translator's, 64 MiB).
    void jmp(const void* target, LabelType type = T_AUTO)
    {
        if (type != T_NEAR || !rel32(0xE9, target))
            Xbyak::CodeGenerator::jmp(target, type);
    }
    void call(const void* target)
    {
        if (!rel32(0xE8, target))
            Xbyak::CodeGenerator::call(target);
    }

private:
    // The bytes of one instruction, written at once (room for it is checked once).
    struct Bytes {
        uint8_t b[16];
        unsigned n = 0;
        void put(unsigned v) { b[n++] = static_cast<uint8_t>(v); }
        void put32(uint32_t v) { std::memcpy(b + n, &v, 4); n += 4; }
    };
    bool commit(const Bytes& bytes)
    {
        if (size_ + bytes.n > maxSize_)
            return false;   // xbyak says the buffer is full
        std::memcpy(top_ + size_, bytes.b, bytes.n);
        size_ += bytes.n;
        return true;
    }

    static bool gpr(const Xbyak::Operand& op) { return op.isREG(32 | 64); }

    // [base + disp32] with a 64-bit base and no index: base's number and the displacement.
    static bool simple_address(const Xbyak::Operand& op, int& base, int32_t& disp)
    {
        if (!op.isMEM())
            return false;
        const Xbyak::Address& a = op.getAddress();
        if (a.getMode() != Xbyak::Address::M_ModRM || a.is32bit())
            return false;
        const Xbyak::RegExp e = a.getRegExp(false);
        if (e.getIndex().getBit() != 0 || e.getBase().getBit() != 64)
            return false;
        const auto d = static_cast<int64_t>(e.getDisp());
        if (d != static_cast<int32_t>(d))
            return false;
        base = e.getBase().getIdx();
        disp = static_cast<int32_t>(d);
        return true;
    }

    // REX (W for 64 bits, R for reg, B for base) when needed, then opcode and ModRM/SIB/disp for
    // reg (a register number or an opcode extension) and the memory operand.
    static void encode_mem(Bytes& out, unsigned bits, int reg, int base, int32_t disp, uint8_t opcode)
    {
        const unsigned rex = (bits == 64 ? 0x48u : 0x40u) | (reg >= 8 ? 4u : 0u) | (base >= 8 ? 1u : 0u);
        if (rex != 0x40)
            out.put(rex);
        out.put(opcode);
        const unsigned mod = (disp == 0 && (base & 7) != 5) ? 0 : (disp >= -128 && disp <= 127) ? 1 : 2;
        out.put(mod << 6 | static_cast<unsigned>(reg & 7) << 3 | static_cast<unsigned>(base & 7));
        if ((base & 7) == 4)
            out.put(0x24);   // SIB: no index, base rsp/r12
        if (mod == 1)
            out.put(static_cast<uint8_t>(disp));
        else if (mod == 2)
            out.put32(static_cast<uint32_t>(disp));
    }
    static void encode_reg(Bytes& out, unsigned bits, int reg, int rm, uint8_t opcode)
    {
        const unsigned rex = (bits == 64 ? 0x48u : 0x40u) | (reg >= 8 ? 4u : 0u) | (rm >= 8 ? 1u : 0u);
        if (rex != 0x40)
            out.put(rex);
        out.put(opcode);
        out.put(0xC0u | static_cast<unsigned>(reg & 7) << 3 | static_cast<unsigned>(rm & 7));
    }

    // op a, b for the classic two-operand group (code: 0x00 add ... 0x38 cmp, 0x88 mov).
    bool rm_rm(uint8_t code, const Xbyak::Operand& a, const Xbyak::Operand& b)
    {
        Bytes out;
        int base = 0;
        int32_t disp = 0;
        if (gpr(a) && b.isREG(static_cast<int>(a.getBit()))) {
            encode_reg(out, a.getBit(), b.getIdx(), a.getIdx(), static_cast<uint8_t>(code | 1));
        } else if (gpr(a) && b.getBit() == a.getBit() && simple_address(b, base, disp)) {
            encode_mem(out, a.getBit(), a.getIdx(), base, disp, static_cast<uint8_t>(code | 3));
        } else if (gpr(b) && a.getBit() == b.getBit() && simple_address(a, base, disp)) {
            encode_mem(out, b.getBit(), b.getIdx(), base, disp, static_cast<uint8_t>(code | 1));
        } else {
            return false;
        }
        return commit(out);
    }

    // op a, imm32 (sign-extended) for a general register or a dword/qword [base + disp32]: imm8
    // form when it fits, the short rax form.
    bool rm_imm(uint8_t code, int ext, const Xbyak::Operand& a, uint32_t imm)
    {
        const bool imm8 = imm >= 0xFFFFFF80u || imm <= 0x7Fu;
        Bytes out;
        int base = 0;
        int32_t disp = 0;
        if (!gpr(a)) {
            if (!(a.isBit(64) || a.isBit(32)) || !simple_address(a, base, disp))
                return false;
            encode_mem(out, a.getBit(), ext, base, disp, imm8 ? 0x83 : 0x81);
        } else if (a.getIdx() == 0 && !imm8) {
            if (a.getBit() == 64)
                out.put(0x48);
            out.put(code | 5u);
        } else {
            encode_reg(out, a.getBit(), ext, a.getIdx(), imm8 ? 0x83 : 0x81);
        }
        if (imm8)
            out.put(imm);
        else
            out.put32(imm);
        return commit(out);
    }

    // mov reg, imm (as short as xbyak makes it) or mov qword/dword [base + disp], imm32.
    bool mov_imm64(const Xbyak::Operand& a, uint64_t imm)
    {
        Bytes out;
        if (gpr(a)) {
            const int idx = a.getIdx();
            if (a.getBit() == 32 || (imm >> 32) == 0) {
                if (a.getBit() == 32 && (imm >> 32) != 0 && (imm >> 31) != 0x1FFFFFFFFull)
                    return false;   // too big for 32 bits: xbyak's error
                if (idx >= 8)
                    out.put(0x41);
                out.put(0xB8u | static_cast<unsigned>(idx & 7));
                out.put32(static_cast<uint32_t>(imm));
            } else if (static_cast<int64_t>(imm) == static_cast<int32_t>(imm)) {
                out.put(idx >= 8 ? 0x49 : 0x48);
                out.put(0xC7);
                out.put(0xC0u | static_cast<unsigned>(idx & 7));
                out.put32(static_cast<uint32_t>(imm));
            } else {
                out.put(idx >= 8 ? 0x49 : 0x48);
                out.put(0xB8u | static_cast<unsigned>(idx & 7));
                out.put32(static_cast<uint32_t>(imm));
                out.put32(static_cast<uint32_t>(imm >> 32));
            }
            return commit(out);
        }
        int base = 0;
        int32_t disp = 0;
        if (!(a.isBit(64) || a.isBit(32)) || !simple_address(a, base, disp))
            return false;
        const auto s = static_cast<int64_t>(imm);
        if (a.isBit(64) ? s != static_cast<int32_t>(s) : ((s >> 32) != 0 && (s >> 32) != -1))
            return false;
        encode_mem(out, a.getBit(), 0, base, disp, 0xC7);
        out.put32(static_cast<uint32_t>(imm));
        return commit(out);
    }

    bool rel32(uint8_t opcode, const void* target)
    {
        const uint8_t* end = top_ + size_ + 5;
        const int64_t rel = reinterpret_cast<const uint8_t*>(target) - end;
        if (rel != static_cast<int32_t>(rel))
            return false;
        Bytes out;
        out.put(opcode);
        out.put32(static_cast<uint32_t>(rel));
        return commit(out);
    }
};

}  // namespace vireo::riscv::jit
