#!/usr/bin/env python3
# Writes the seed corpus of every fuzz target into tests/fuzz/corpus/<name>/: a few small inputs
# per target, each a well-formed example of what its harness reads, so the fuzzer starts from the
# interesting paths instead of discovering every header field by chance. Run it after changing a
# harness's input format; it needs only Python 3, and qemu-img for the qcow2 seeds (skipped, with
# a note, when qemu-img is missing). The files it writes are committed.
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def seed(target, name, data):
    folder = os.path.join(HERE, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def u8(v): return struct.pack("<B", v & 0xff)
def u16(v): return struct.pack("<H", v & 0xffff)
def u32(v): return struct.pack("<I", v & 0xffffffff)
def u64(v): return struct.pack("<Q", v & 0xffffffffffffffff)


# ---- elf: hand-made riscv64 executables (elf_fuzz.cpp) ----

def elf(kind, interp=None, symbols=()):
    """An ELF64 riscv64 file: header, program headers (PT_LOAD, optional PT_INTERP), code, and when
    symbols are given a .symtab/.strtab with a .shstrtab."""
    code = u32(0x00000073) + u32(0x0000006F)  # ecall; j .
    phnum = 2 if interp else 1
    headers = 64 + 56 * phnum
    interp_bytes = interp.encode() + b"\0" if interp else b""
    body = code + interp_bytes
    base = 0x10000
    phdrs = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, headers + len(body), headers + len(body), 0x1000)
    if interp:
        at = headers + len(code)
        phdrs += struct.pack("<IIQQQQQQ", 3, 4, at, base + at, base + at, len(interp_bytes), len(interp_bytes), 1)
    sections = b""
    shoff = shnum = shstrndx = 0
    if symbols:
        strtab = b"\0"
        symtab = bytes(24)  # the null symbol
        for name in symbols:
            symtab += struct.pack("<IBBHQQ", len(strtab), 0x12, 0, 1, base + headers, 8)
            strtab += name.encode() + b"\0"
        shstrtab = b"\0.text\0.symtab\0.strtab\0.shstrtab\0"
        data_at = headers + len(body)
        symtab_at = data_at
        strtab_at = symtab_at + len(symtab)
        shstr_at = strtab_at + len(strtab)
        sections = symtab + strtab + shstrtab
        shoff = (data_at + len(sections) + 7) & ~7
        sections += bytes(shoff - data_at - len(sections))
        sh = bytes(64)
        sh += struct.pack("<IIQQQQIIQQ", 1, 1, 6, base + headers, headers, len(code), 0, 0, 4, 0)
        sh += struct.pack("<IIQQQQIIQQ", 7, 2, 0, 0, symtab_at, len(symtab), 3, 1, 8, 24)
        sh += struct.pack("<IIQQQQIIQQ", 15, 3, 0, 0, strtab_at, len(strtab), 0, 0, 1, 0)
        sh += struct.pack("<IIQQQQIIQQ", 23, 3, 0, 0, shstr_at, len(shstrtab), 0, 0, 1, 0)
        sections += sh
        shnum, shstrndx = 5, 4
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    header = ident + struct.pack("<HHIQQQIHHHHHH", kind, 243, 1, base + headers, 64, shoff, 4, 64, 56, phnum,
                                 64, shnum, shstrndx)
    return header + phdrs + body + sections


def elf_seeds():
    seed("elf", "static", elf(2))
    seed("elf", "dynamic", elf(3, interp="/lib/ld-linux-riscv64-lp64d.so.1"))
    seed("elf", "symbols", elf(2, symbols=("tohost", "fromhost", "main")))


# ---- qcow2: small images from qemu-img (qcow2_fuzz.cpp) ----

def qcow2_seeds():
    qemu_img = shutil.which("qemu-img")
    qemu_io = shutil.which("qemu-io")
    if not qemu_img:
        print("generate.py: qemu-img not found: qcow2 seeds left as they are", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        variants = [("v3-c512", ["-o", "cluster_size=512"], "64K", True),
                    ("v3-c4k-empty", ["-o", "cluster_size=4096"], "1M", False),
                    ("v2-c512", ["-o", "cluster_size=512,compat=0.10"], "64K", True)]
        for name, options, size, write in variants:
            path = os.path.join(tmp, name)
            subprocess.run([qemu_img, "create", "-q", "-f", "qcow2", *options, path, size], check=True)
            if write and qemu_io:
                subprocess.run([qemu_io, "-f", "qcow2", "-c", "write -q -P 0x5a 0 1k", "-c", "write -q -P 0xa5 8k 512",
                                path], check=True, stdout=subprocess.DEVNULL)
            with open(path, "rb") as f:
                seed("qcow2", name, f.read())


# ---- p9 and virtio_p9: 9P2000.L messages ----

def p9_message(type_, tag, body):
    return u32(7 + len(body)) + u8(type_) + u16(tag) + body


def p9_string(text):
    return u16(len(text)) + text.encode()


def twalk(fid, newfid, names):
    return p9_message(110, 2, u32(fid) + u32(newfid) + u16(len(names)) + b"".join(p9_string(n) for n in names))


def p9_seeds():
    # The harness has attached fid 1 to the root.
    seed("p9", "walk-open-read", twalk(1, 2, ["file"]) + p9_message(12, 3, u32(2) + u32(0)) +
         p9_message(116, 4, u32(2) + u64(0) + u32(100)) + p9_message(120, 5, u32(2)))
    seed("p9", "readdir", twalk(1, 3, []) + p9_message(12, 3, u32(3) + u32(0o200000)) +
         p9_message(40, 4, u32(3) + u64(0) + u32(4096)) + p9_message(24, 5, u32(3) + u64(0x3fff)))
    seed("p9", "create-write", twalk(1, 4, ["dir"]) +
         p9_message(14, 3, u32(4) + p9_string("new") + u32(0o102) + u32(0o644) + u32(0)) +
         p9_message(118, 4, u32(4) + u64(0) + u32(5) + b"hello") + p9_message(72, 5, u32(1) + p9_string("d") +
                                                                              u32(0o755) + u32(0)))
    seed("p9", "escape", twalk(1, 5, ["..", "out"]) + p9_message(22, 3, u32(5)) +
         twalk(1, 6, ["canary-link"]) + p9_message(12, 4, u32(6) + u32(0)) +
         p9_message(76, 5, u32(1) + p9_string("file") + u32(0)))


# ---- virtqueue (virtqueue_fuzz.cpp): header, then 64 KiB of RAM at 0x10000 ----

def desc(addr, length, flags, next_):
    return struct.pack("<QIHH", addr, length, flags, next_)


def virtqueue_seeds():
    ram_base = 0x10000
    NEXT, WRITE, INDIRECT = 1, 2, 4
    for name, mode in (("direct", 0), ("indirect-event-idx", 3)):
        ram = bytearray(0x1000)
        table = desc(ram_base + 0x400, 16, NEXT, 1) + desc(ram_base + 0x500, 64, WRITE, 0)
        if mode & 1:
            table += desc(ram_base + 0x800, 48, INDIRECT, 0)
            ram[0x800:0x830] = (desc(ram_base + 0x600, 8, NEXT, 1) + desc(ram_base + 0x640, 8, NEXT, 2) +
                                desc(ram_base + 0x680, 32, WRITE, 0))
        else:
            table += desc(ram_base + 0x600, 0, NEXT, 3) + desc(ram_base + 0x680, 32, WRITE, 0)
        ram[0:len(table)] = table
        heads = [0, 2]
        ram[0x100:0x104] = u16(0) + u16(len(heads))  # avail flags, idx
        for i, h in enumerate(heads):
            ram[0x104 + 2 * i:0x106 + 2 * i] = u16(h)
        ram[0x400:0x410] = bytes(range(16))
        header = u16(4) + u8(mode) + u16(0) + u16(0x100) + u16(0x200)
        seed("virtqueue", name, header + bytes(ram))
    # A loop in the table: 0 -> 1 -> 0.
    ram = bytearray(0x300)
    ram[0:32] = desc(ram_base + 0x400, 8, NEXT, 1) + desc(ram_base + 0x400, 8, NEXT, 0)
    ram[0x100:0x106] = u16(0) + u16(1) + u16(0)
    seed("virtqueue", "loop", u16(2) + u8(0) + u16(0) + u16(0x100) + u16(0x200) + bytes(ram))


# ---- mmio_transport (mmio_transport_fuzz.cpp) ----

REGISTERS = ["MAGIC_VALUE", "VERSION", "DEVICE_ID", "DEVICE_FEATURES", "DEVICE_FEATURES_SEL", "DRIVER_FEATURES",
             "DRIVER_FEATURES_SEL", "QUEUE_SEL", "QUEUE_NUM_MAX", "QUEUE_NUM", "QUEUE_READY", "QUEUE_NOTIFY",
             "INTERRUPT_STATUS", "INTERRUPT_ACK", "STATUS", "QUEUE_DESC_LOW", "QUEUE_DESC_HIGH", "QUEUE_DRIVER_LOW",
             "QUEUE_DRIVER_HIGH", "QUEUE_DEVICE_LOW", "QUEUE_DEVICE_HIGH", "SHM_SEL", "QUEUE_RESET",
             "CONFIG_GENERATION", "CONFIG"]


def reg_write(name, value):
    return u8(0) + u8(REGISTERS.index(name)) + u32(value)


def reg_read(name):
    return u8(1) + u8(REGISTERS.index(name))


def ram_write(at, data):
    return u8(2) + u8(len(data)) + u16(at) + data


def mmio_driver_init(queue_size):
    ops = reg_write("STATUS", 1) + reg_write("STATUS", 3)
    ops += reg_write("DEVICE_FEATURES_SEL", 1) + reg_read("DEVICE_FEATURES")
    ops += reg_write("DRIVER_FEATURES_SEL", 1) + reg_write("DRIVER_FEATURES", 1)  # VERSION_1
    ops += reg_write("DRIVER_FEATURES_SEL", 0) + reg_write("DRIVER_FEATURES", 1 << 28)  # INDIRECT_DESC
    ops += reg_write("STATUS", 0xb) + reg_read("STATUS")
    ops += reg_write("QUEUE_SEL", 0) + reg_read("QUEUE_NUM_MAX") + reg_write("QUEUE_NUM", queue_size)
    ops += reg_write("QUEUE_DESC_LOW", 0x80000000) + reg_write("QUEUE_DRIVER_LOW", 0x80000100)
    ops += reg_write("QUEUE_DEVICE_LOW", 0x80000200) + reg_write("QUEUE_READY", 1)
    return ops


def mmio_transport_seeds():
    ops = mmio_driver_init(8)
    ops += ram_write(0, desc(0x80001000, 64, 2, 0)) + ram_write(0x100, u16(0) + u16(1) + u16(0))
    ops += reg_write("STATUS", 0xf) + reg_write("QUEUE_NOTIFY", 0) + reg_read("INTERRUPT_STATUS")
    ops += reg_write("INTERRUPT_ACK", 1) + reg_read("CONFIG_GENERATION")
    ops += u8(1 | (3 << 2) | 0x40) + u8(2)  # a 1-byte config read at offset 8
    ops += reg_write("STATUS", 0) + reg_read("STATUS")
    seed("mmio_transport", "init-notify-reset", u8(0) + ops)
    seed("mmio_transport", "activation-fails", u8(1) + mmio_driver_init(8) + reg_write("STATUS", 0xf))
    bad = mmio_driver_init(3) + reg_write("STATUS", 0xf) + reg_read("STATUS")  # not a power of 2
    seed("mmio_transport", "bad-queue-size", u8(0) + bad)


# ---- virtio_<device> (virtio_device_harness.cpp) ----

def chain(queue, readable=(), writable=(), indirect=False, notify=True):
    shape = len(readable) | (len(writable) << 2) | (0x10 if indirect else 0)
    out = u8(0 if notify else 0x80) + u8(queue) + u8(shape)
    for data in readable:
        out += u16(len(data)) + data
    for length in writable:
        out += u16(length)
    return out


def host_event(data):
    return u8(5) + u16(len(data)) + data


def config_read(offset, size_code):
    return u8(4 | (size_code << 3)) + u8(offset)


def config_write(offset, size_code, value):
    return u8(4 | (size_code << 3) | 0x20) + u8(offset) + u64(value)


def raw_ring_write(queue, at, data):
    return u8(7) + u8(queue) + u16(at) + u8(len(data)) + data


ALL_FEATURES = 7  # INDIRECT_DESC, EVENT_IDX and the device's own bits


def block_request(type_, sector):
    return u32(type_) + u32(0) + u64(sector)


def virtio_block_seeds():
    out, in_, flush, get_id = 1, 0, 4, 8
    session = chain(0, [block_request(out, 2) + bytes([0x42]) * 512], [1])
    session += chain(0, [block_request(in_, 2)], [512, 1])
    session += chain(0, [block_request(flush, 0)], [1], indirect=True)
    session += chain(0, [block_request(get_id, 0)], [20, 1])
    session += config_read(0, 3) + config_read(12, 2)
    seed("virtio_block", "out-in-flush-id", u8(0) + u8(ALL_FEATURES) + session)
    ro = chain(0, [block_request(out, 0), bytes(512)], [1]) + chain(0, [block_request(in_, 63)], [512, 1])
    seed("virtio_block", "read-only", u8(1) + u8(0) + ro)
    broken = chain(0, [block_request(in_, 0)], [513]) + raw_ring_write(0, 0, desc(0x80000000, 16, 1, 0)) + \
        u8(2) + u8(0) + u8(6) + u8(ALL_FEATURES) + chain(0, [block_request(in_, 64)], [512, 1])
    seed("virtio_block", "bad-requests-reset", u8(0) + u8(1) + broken)


def virtio_console_seeds():
    session = chain(1, [b"hello, "], notify=False) + chain(1, [b"console\n"]) + host_event(b"typed input\n")
    session += chain(0, writable=[8]) + chain(0, writable=[64], indirect=True) + u8(3)
    session += config_write(8, 0, ord("!")) + config_read(0, 2)
    seed("virtio_console", "transmit-receive", u8(ALL_FEATURES) + session)
    seed("virtio_console", "input-before-buffers", u8(0) + host_event(b"x" * 300) + u8(6) + u8(3) +
         chain(0, writable=[100, 100]))


def virtio_rng_seeds():
    seed("virtio_rng", "requests", u8(ALL_FEATURES) + chain(0, writable=[16]) + chain(0, writable=[8, 8, 8], indirect=True) +
         chain(0, [b"ignored"], [32]) + u8(3))
    seed("virtio_rng", "backwards-chain", u8(0) + chain(0, writable=[16], readable=[b"x"]) +
         u8(0) + u8(0) + u8(0x20 | 1 | 4) + u16(1) + b"r" + u16(8))


def virtio_net_seeds():
    frame = bytes(range(6)) + bytes([0x52, 0x54, 0, 0x12, 0x34, 0x56]) + b"\x08\x00" + bytes(46)
    session = chain(1, [bytes(12) + frame]) + chain(1, [bytes(12), frame], indirect=True)
    session += host_event(frame) + chain(0, writable=[12 + 1514]) + host_event(frame) + chain(0, writable=[20])
    session += config_read(0, 2) + config_read(6, 1)
    seed("virtio_net", "transmit-receive", u8(ALL_FEATURES) + session)
    seed("virtio_net", "frames-waiting", u8(0) + host_event(frame) + host_event(frame * 30) + u8(3) +
         chain(0, writable=[6, 6, 100]))


def virtio_p9_seeds():
    version = p9_message(100, 0xffff, u32(8192) + p9_string("9P2000.L"))
    attach = p9_message(104, 1, u32(1) + u32(0xffffffff) + p9_string("") + p9_string("") + u32(0))
    session = chain(0, [version], [256]) + chain(0, [attach], [256])
    session += chain(0, [twalk(1, 2, ["file"])], [256]) + chain(0, [p9_message(12, 3, u32(2) + u32(0))], [256])
    session += chain(0, [p9_message(116, 4, u32(2) + u64(0) + u32(64))], [11, 64], indirect=True)
    session += config_read(0, 1) + config_read(2, 2)
    seed("virtio_p9", "session", u8(ALL_FEATURES) + session)
    seed("virtio_p9", "no-room", u8(0) + chain(0, [version], [4]) + chain(0, [version[:5]], [64]))


# ---- riscv_decode (riscv_decode_fuzz.cpp): instruction, mode, frm ----

def riscv_decode_seeds():
    M, S_FP, U_PAGED = 0x02, 0x05, 0x08 | 0x10 | 0x04
    instructions = {
        "addi": 0x00A50513,        # addi a0, a0, 10
        "ld": 0x0005B503,          # ld a0, 0(a1)
        "sd": 0x00A5B023,          # sd a0, 0(a1)
        "div": 0x02B54533,         # div a0, a0, a1
        "csrrw-mscratch": 0x34051573,
        "fadd-d": 0x02B57553,      # fadd.d fa0, fa0, fa1
        "fcvt-w-d": 0xC2051553,    # fcvt.w.d a0, fa0
        "amoadd-d": 0x00B5352F,    # amoadd.d a0, a1, (a0)
        "lr-w": 0x1005252F,        # lr.w a0, (a0)
        "sret": 0x10200073,
        "ecall": 0x00000073,
        "wfi": 0x10500073,
        "sfence-vma": 0x12000073,
        "c-addi": 0x0505,          # c.addi a0, 1
        "c-lw": 0x4188,            # c.lw a0, 0(a1)
        "c-jr": 0x8082,            # c.jr ra (ret)
    }
    for name, raw in instructions.items():
        seed("riscv_decode", name + "-m", u32(raw) + u8(M) + u8(0))
    seed("riscv_decode", "fadd-d-s", u32(instructions["fadd-d"]) + u8(S_FP) + u8(7))
    seed("riscv_decode", "ld-u-paged", u32(instructions["ld"]) + u8(U_PAGED) + u8(0))


# ---- sandbox_syscall (sandbox_syscall_fuzz.cpp) ----

NR = dict(getcwd=17, eventfd2=19, dup3=24, fcntl=25, ioctl=29, flock=32, mkdirat=34, unlinkat=35, symlinkat=36,
          renameat=38, ftruncate=46, chdir=49, fchdir=50, openat=56, close=57, pipe2=59, getdents64=61, lseek=62,
          read=63, write=64, writev=66, sendfile=71, ppoll=73, readlinkat=78, fstat=80, exit_group=94,
          set_tid_address=96, futex=98, nanosleep=101, setitimer=103, kill=129, sigaltstack=132,
          rt_sigaction=134, rt_sigprocmask=135, uname=160, setrlimit=164, sysinfo=179, brk=214, munmap=215,
          mremap=216, clone=220, execve=221, mmap=222, mprotect=226, madvise=233, wait4=260, prlimit64=261,
          getrandom=278)

SMALL, PTR, U32, U64 = 0, 1, 2, 3


def arg(kind, value):
    return {SMALL: u8, PTR: u16, U32: u32, U64: u64}[kind](value)


def call(name, *args):
    """A system call: its number, then each argument as (kind, value); missing ones are small 0."""
    args = list(args) + [(SMALL, 0)] * (6 - len(args))
    kinds = 0
    for i, (kind, _) in enumerate(args):
        kinds |= kind << (2 * i)
    return u16(NR[name]) + u16(kinds) + b"".join(arg(k, v) for k, v in args)


def scratch(strings):
    """The scratch area's start: NUL-terminated strings at 64-byte slots, then zeros."""
    data = bytearray(64 * len(strings))
    for i, text in enumerate(strings):
        encoded = text.encode() + b"\0"
        data[64 * i:64 * i + len(encoded)] = encoded
    return u16(len(data)) + bytes(data)


AT_FDCWD = -100


def sandbox_syscall_seeds():
    paths = scratch(["/file", "dir", "/out/canary", "newfile", "d2", "/canary-link", "../../..", "inner"])
    seed("sandbox_syscall", "files", paths +
         call("openat", (SMALL, AT_FDCWD), (PTR, 0), (SMALL, 0)) + call("read", (SMALL, 3), (PTR, 0x1000), (U32, 100)) +
         call("lseek", (SMALL, 3), (SMALL, 0), (SMALL, 0)) + call("fstat", (SMALL, 3), (PTR, 0x2000)) +
         call("close", (SMALL, 3)) +
         call("openat", (SMALL, AT_FDCWD), (PTR, 192), (U32, 0o101), (U32, 0o644)) +
         call("write", (SMALL, 3), (PTR, 0), (U32, 32)) + call("ftruncate", (SMALL, 3), (SMALL, 4)))
    seed("sandbox_syscall", "directories", paths +
         call("mkdirat", (SMALL, AT_FDCWD), (PTR, 256), (U32, 0o755)) + call("chdir", (PTR, 64)) +
         call("getcwd", (PTR, 0x1000), (U32, 256)) +
         call("openat", (SMALL, AT_FDCWD), (PTR, 448), (SMALL, 0)) +
         call("openat", (SMALL, AT_FDCWD), (PTR, 384), (U32, 0o200000)) +
         call("getdents64", (SMALL, 4), (PTR, 0x1000), (U32, 4096)) + call("fchdir", (SMALL, 4)) +
         call("renameat", (SMALL, AT_FDCWD), (PTR, 256), (SMALL, AT_FDCWD), (PTR, 192)) +
         call("unlinkat", (SMALL, AT_FDCWD), (PTR, 192), (U32, 0x200)))
    seed("sandbox_syscall", "escapes", paths +
         call("openat", (SMALL, AT_FDCWD), (PTR, 128), (SMALL, 0)) +
         call("openat", (SMALL, AT_FDCWD), (PTR, 320), (U32, 0o1)) +
         call("readlinkat", (SMALL, AT_FDCWD), (PTR, 320), (PTR, 0x1000), (U32, 100)) +
         call("symlinkat", (PTR, 128), (SMALL, AT_FDCWD), (PTR, 192)) +
         call("openat", (SMALL, AT_FDCWD), (PTR, 192), (U32, 0o1101), (U32, 0o644)) +
         call("execve", (PTR, 0), (SMALL, 0), (SMALL, 0)))
    seed("sandbox_syscall", "pipes-and-polls", paths +
         call("pipe2", (PTR, 0x1000), (SMALL, 0)) + call("write", (SMALL, 4), (PTR, 0), (U32, 16)) +
         call("read", (SMALL, 3), (PTR, 0x1100), (U32, 16)) + call("read", (SMALL, 3), (PTR, 0x1100), (U32, 16)) +
         call("dup3", (SMALL, 3), (SMALL, 10), (SMALL, 0)) + call("fcntl", (SMALL, 10), (SMALL, 1)) +
         call("eventfd2", (SMALL, 1), (SMALL, 0)) + call("ppoll", (PTR, 0x1200), (SMALL, 2), (PTR, 0x1300)))
    seed("sandbox_syscall", "memory", paths +
         call("mmap", (SMALL, 0), (U32, 8192), (SMALL, 3), (SMALL, 0x22), (SMALL, -1), (SMALL, 0)) +
         call("brk", (SMALL, 0)) + call("brk", (U64, 0x40000)) +
         call("mprotect", (U64, 0x100000), (U32, 4096), (SMALL, 1)) +
         call("mremap", (U64, 0x100000), (U32, 4096), (U32, 8192), (SMALL, 1)) +
         call("madvise", (U64, 0x101000), (U32, 4096), (SMALL, 4)) + call("munmap", (U64, 0x102000), (U32, 4096)))
    seed("sandbox_syscall", "signals-and-threads", paths +
         call("rt_sigaction", (SMALL, 10), (PTR, 0x1000), (PTR, 0x1100), (SMALL, 8)) +
         call("rt_sigprocmask", (SMALL, 0), (PTR, 0x1200), (PTR, 0x1300), (SMALL, 8)) +
         call("kill", (U32, 1000), (SMALL, 10)) + call("sigaltstack", (PTR, 0x1400), (PTR, 0x1500)) +
         call("clone", (U32, 0x3d0f00), (PTR, 0x8000), (PTR, 0x1600), (U64, 0x120000), (PTR, 0x1700)) +
         call("futex", (PTR, 0x1800), (SMALL, 0x81), (SMALL, 1)) + call("nanosleep", (PTR, 0x1900), (SMALL, 0)) +
         call("set_tid_address", (PTR, 0x1a00)) + call("wait4", (SMALL, -1), (PTR, 0x1b00), (SMALL, 1)))
    seed("sandbox_syscall", "system", paths +
         call("uname", (PTR, 0x1000)) + call("sysinfo", (PTR, 0x1400)) + call("getrandom", (PTR, 0x1800), (U32, 64)) +
         call("prlimit64", (SMALL, 0), (SMALL, 7), (SMALL, 0), (PTR, 0x1900)) +
         call("setrlimit", (SMALL, 7), (PTR, 0x1900)) + call("setitimer", (SMALL, 0), (PTR, 0x1a00), (SMALL, 0)) +
         call("ioctl", (SMALL, 1), (U32, 0x5401), (PTR, 0x1b00)) + call("flock", (SMALL, 0), (SMALL, 2)) +
         call("exit_group", (SMALL, 3)))


def main():
    for target in os.listdir(HERE):
        path = os.path.join(HERE, target)
        if os.path.isdir(path) and target != "qcow2":
            shutil.rmtree(path)
    elf_seeds()
    qcow2_seeds()
    p9_seeds()
    virtqueue_seeds()
    mmio_transport_seeds()
    virtio_block_seeds()
    virtio_console_seeds()
    virtio_rng_seeds()
    virtio_net_seeds()
    virtio_p9_seeds()
    riscv_decode_seeds()
    sandbox_syscall_seeds()


if __name__ == "__main__":
    main()
