#include "disk/disk.hpp"

#include "disk/file.hpp"
#include "disk/qcow2.hpp"
#include "disk/raw.hpp"

namespace vireo::disk {

Result<std::unique_ptr<Image>> open_in_chain(const std::string& path, Format format, Access access, std::string label,
                                             std::vector<FileId> chain)
{
    File file = TRY(File::open(path, access, std::move(label), chain));
    switch (format) {
    case Format::Raw:
        return std::unique_ptr<Image>(TRY(RawImage::open(std::move(file))));
    case Format::Qcow2:
        chain.push_back(file.id());
        return std::unique_ptr<Image>(TRY(Qcow2Image::open(std::move(file), std::move(chain))));
    }
    return Error::message("disk image " + path + ": unknown format");
}

Result<std::unique_ptr<Image>> open_image(const std::string& path, Format format, Access access)
{
    return open_in_chain(path, format, access, "disk image " + path, {});
}

}  // namespace vireo::disk
