// Reading new kernel log records from /dev/kmsg (kernel_mount.hpp).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "ovl/kernel_mount.hpp"

namespace ovl {

KmsgTail::KmsgTail() {
  fd_ = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ >= 0) lseek(fd_, 0, SEEK_END);
}

KmsgTail::~KmsgTail() {
  if (fd_ >= 0) close(fd_);
}

std::vector<std::string> KmsgTail::read_new(const std::vector<std::string>& prefixes) {
  std::vector<std::string> out;
  if (fd_ < 0) return out;
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd_, buf, sizeof buf - 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) continue;  // records were overwritten; go on with the next
    if (n <= 0) break;                      // EAGAIN: nothing more
    std::string rec(buf, static_cast<std::size_t>(n));
    // "prio,seq,usec,flags;text\n" then continuation lines starting with a space.
    auto semi = rec.find(';');
    if (semi == std::string::npos) continue;
    std::string text = rec.substr(semi + 1);
    auto nl = text.find('\n');
    if (nl != std::string::npos) text.resize(nl);
    for (const auto& p : prefixes)
      if (text.compare(0, p.size(), p) == 0) {
        out.push_back(text);
        break;
      }
  }
  return out;
}

}  // namespace ovl
