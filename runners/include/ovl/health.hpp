// Kernel health, as fstests checks it: new alarming kernel log lines and taint changes since a
// starting point. `ovlspec run` checks after every batch of cases on a target that is not the
// in-process model and reports findings as `health` results.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ovl {

/// The alarm in one kernel log line ("WARNING:", "BUG:", "Oops", a lockdep report, a hung
/// task, KASAN/UBSAN/KCSAN, a general protection fault), or nullopt for an ordinary line.
std::optional<std::string> kernel_log_alarm(std::string_view line);

/// The decoded /proc/sys/kernel/tainted value, or nullopt when it cannot be read.
std::optional<unsigned long> read_kernel_taint();

/// Watches the kernel log (/dev/kmsg from the position at construction) and the taint flags.
class KernelHealth {
 public:
  /// Opens /dev/kmsg at its end and notes the current taint value.
  KernelHealth();
  ~KernelHealth();
  KernelHealth(const KernelHealth&) = delete;
  KernelHealth& operator=(const KernelHealth&) = delete;

  /// Why the kernel log cannot be watched (not root, no /dev/kmsg), or nullopt.
  const std::optional<std::string>& unavailable() const { return unavailable_; }

  /// New findings since construction or the last call: every alarming log line (its text) and
  /// a taint change ("kernel taint changed from 0 to 512"). Each finding is reported once.
  std::vector<std::string> check();

 private:
  int fd_ = -1;
  std::optional<unsigned long> taint_;
  std::optional<std::string> unavailable_;
};

}  // namespace ovl
