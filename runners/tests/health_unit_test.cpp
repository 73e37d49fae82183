// kernel_log_alarm(): which kernel log lines are health findings; the taint reader.
#include <gtest/gtest.h>

#include "ovl/health.hpp"

namespace ovl {
namespace {

TEST(KernelLogAlarm, FlagsWarningsBugsOopsLockdepHungTasksAndSanitizers) {
  EXPECT_EQ(kernel_log_alarm("WARNING: CPU: 1 PID: 42 at fs/overlayfs/namei.c:123 ovl_lookup+0x1/0x2"), "WARNING:");
  EXPECT_EQ(kernel_log_alarm("BUG: kernel NULL pointer dereference, address: 0000000000000008"), "BUG:");
  EXPECT_EQ(kernel_log_alarm("Oops: 0000 [#1] PREEMPT SMP"), "Oops");
  EXPECT_EQ(kernel_log_alarm("WARNING: possible circular locking dependency detected"), "WARNING:");
  EXPECT_EQ(kernel_log_alarm("INFO: task mount:123 blocked for more than 120 seconds."), "INFO: task");
  EXPECT_EQ(kernel_log_alarm("BUG: KASAN: slab-use-after-free in ovl_lookup"), "BUG:");
  EXPECT_EQ(kernel_log_alarm("UBSAN: shift-out-of-bounds in fs/overlayfs/util.c:1"), "UBSAN");
  EXPECT_EQ(kernel_log_alarm("general protection fault, probably for non-canonical address"), "general protection fault");
}

TEST(KernelLogAlarm, LeavesOrdinaryOverlayMessagesAlone) {
  EXPECT_FALSE(kernel_log_alarm("overlayfs: upper fs does not support tmpfile."));
  EXPECT_FALSE(kernel_log_alarm("overlayfs: failed to resolve 'A': -2"));
  EXPECT_FALSE(kernel_log_alarm("fuse: init (API version 7.41)"));
  EXPECT_FALSE(kernel_log_alarm(""));
}

TEST(KernelTaint, IsReadableAsANumber) {
  auto t = read_kernel_taint();
  ASSERT_TRUE(t.has_value()) << "/proc/sys/kernel/tainted could not be read";
}

}  // namespace
}  // namespace ovl
