// Kernel health (health.hpp): alarming /dev/kmsg records and taint changes.
#include "ovl/health.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace ovl {

namespace {

// Substrings that fstests' _check_dmesg and syzkaller treat as a kernel problem.
constexpr std::array<std::string_view, 14> kAlarms{
    "WARNING:", "BUG:", "kernel BUG", "Oops", "possible circular locking", "possible recursive locking",
    "INFO: task", "blocked for more than", "KASAN", "UBSAN", "KCSAN", "general protection fault",
    "inconsistent lock state", "Kernel panic"};

}  // namespace

std::optional<std::string> kernel_log_alarm(std::string_view line) {
  for (auto a : kAlarms)
    if (line.find(a) != std::string_view::npos) return std::string(a);
  return std::nullopt;
}

std::optional<unsigned long> read_kernel_taint() {
  std::ifstream in("/proc/sys/kernel/tainted");
  unsigned long v = 0;
  if (!(in >> v)) return std::nullopt;
  return v;
}

KernelHealth::KernelHealth() {
  fd_ = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0)
    unavailable_ = std::string("cannot read /dev/kmsg: ") + std::strerror(errno);
  else
    lseek(fd_, 0, SEEK_END);
  taint_ = read_kernel_taint();
}

KernelHealth::~KernelHealth() {
  if (fd_ >= 0) close(fd_);
}

std::vector<std::string> KernelHealth::check() {
  std::vector<std::string> out;
  if (fd_ >= 0) {
    char buf[8192];
    for (;;) {
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EPIPE) {  // records were overwritten before we read them
        out.push_back("kernel log records were lost (ring buffer overrun); findings may be missing");
        continue;
      }
      if (n <= 0) break;  // EAGAIN: nothing new
      // One record: "prio,seq,usec,flags;text\n" then " KEY=value" continuation lines.
      std::string_view rec(buf, static_cast<std::size_t>(n));
      auto semi = rec.find(';');
      if (semi == std::string_view::npos) continue;
      std::string_view text = rec.substr(semi + 1);
      text = text.substr(0, text.find('\n'));
      if (kernel_log_alarm(text)) out.emplace_back(text);
    }
  }
  auto now = read_kernel_taint();
  if (now && taint_ && *now != *taint_)
    out.push_back("kernel taint changed from " + std::to_string(*taint_) + " to " + std::to_string(*now));
  if (now) taint_ = now;
  return out;
}

}  // namespace ovl
