#include "host_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz_check.hpp"

namespace vireo::fuzz {

namespace {

void remove_at(int dir_fd, const char* name)
{
    struct stat st {};
    if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        ::unlinkat(dir_fd, name, 0);
        return;
    }
    ::fchmodat(dir_fd, name, 0700, 0);
    const int fd = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        if (DIR* d = ::fdopendir(fd)) {
            std::vector<std::string> names;
            while (dirent* e = ::readdir(d)) {
                if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                    names.emplace_back(e->d_name);
            }
            for (const auto& n : names)
                remove_at(::dirfd(d), n.c_str());
            ::closedir(d);
        } else {
            ::close(fd);
        }
    }
    ::unlinkat(dir_fd, name, AT_REMOVEDIR);
}

std::vector<std::string>& scratch_dirs()
{
    static std::vector<std::string> dirs;
    return dirs;
}

void remove_scratch_dirs()
{
    for (const auto& dir : scratch_dirs())
        remove_tree(dir);
}

}  // namespace

std::string make_scratch_dir(const std::string& what)
{
    const char* base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    const std::string dir = std::string(base) + "/vireo-" + what + "-fuzz-" + std::to_string(::getpid());
    remove_tree(dir);
    check(::mkdir(dir.c_str(), 0755) == 0, "the scratch folder can be made");
    if (scratch_dirs().empty())
        std::atexit(remove_scratch_dirs);
    scratch_dirs().push_back(dir);
    return dir;
}

void remove_tree(const std::string& path)
{
    remove_at(AT_FDCWD, path.c_str());
}

std::set<std::string> list_dir(const std::string& dir)
{
    std::set<std::string> names;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d))
            names.insert(e->d_name);
        ::closedir(d);
    }
    return names;
}

std::string read_text(const std::string& path)
{
    std::string text;
    if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
        char buffer[256];
        size_t n;
        while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0)
            text.append(buffer, n);
        std::fclose(f);
    }
    return text;
}

void write_text(const std::string& path, const std::string& text)
{
    std::FILE* f = std::fopen(path.c_str(), "wb");
    check(f != nullptr, "a scratch file can be written");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
}

int count_fds()
{
    return static_cast<int>(list_dir("/proc/self/fd").size());
}

}  // namespace vireo::fuzz
