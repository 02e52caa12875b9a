#include "virtio/devices/p9/p9.hpp"

#include <algorithm>

#include "base/bytes.hpp"

namespace vireo::virtio {

Result<std::unique_ptr<P9>> P9::create(const std::string& host_dir, const std::string& tag)
{
    if (tag.empty() || tag.size() > kMaxTagBytes || tag.find('\0') != std::string::npos)
        return Error::message("shared folder " + host_dir + ": the tag must be 1 to 255 bytes");
    auto server = TRY(p9::Server::create(host_dir));
    return std::unique_ptr<P9>(new P9(std::move(server), tag));
}

void P9::read_config(uint32_t offset, std::span<uint8_t> out)
{
    std::vector<uint8_t> config(2 + m_tag.size());
    store_le<uint16_t>(config.data(), static_cast<uint16_t>(m_tag.size()));
    std::copy(m_tag.begin(), m_tag.end(), config.begin() + 2);
    read_config_bytes(config, offset, out);
}

Result<void> P9::activate(const ActiveContext& context)
{
    m_context.emplace(context);
    process();
    return {};
}

void P9::queue_notify(uint16_t queue)
{
    if (m_context && queue == 0)
        process();
}

void P9::reset()
{
    m_context.reset();
    // A new driver starts a new 9P session; the old one's fids (and open files) go.
    m_server->reset();
}

void P9::process()
{
    m_context->serve_queue(0, [this](const DescriptorChain& chain) { return execute(chain); });
}

uint32_t P9::execute(const DescriptorChain& chain)
{
    ChainReader reader(m_context->memory, chain);
    ChainWriter writer(m_context->memory, chain);
    // A message longer than msize is cut there; the server sees its size field disagree.
    m_request.resize(static_cast<size_t>(std::min<uint64_t>(reader.remaining(), m_server->msize())));
    m_request.resize(reader.read(m_request));
    const uint32_t room = static_cast<uint32_t>(std::min<uint64_t>(writer.remaining(), UINT32_MAX));
    const std::vector<uint8_t> reply = m_server->handle(m_request, room);
    return static_cast<uint32_t>(writer.write(reply));
}

}  // namespace vireo::virtio
