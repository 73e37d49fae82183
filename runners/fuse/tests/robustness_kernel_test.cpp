// Robustness of the FUSE targets: hung (SIGSTOP) and dead daemons fail their case within the time
// limit and leave nothing behind; a runner SIGKILLed mid-case leaves no mount and no daemon.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "fuse_test_util.hpp"
#include "ovl/fuse_daemon.hpp"
#include "ovl/fuse_targets.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

using fuse_test::make_case;

Case small_case() {
  Layer a, b;
  a.put("/d/x", Node::file("x"));
  b.put("/d/y", Node::file("y"));
  b.put("/f", Node::file("f"));
  return make_case("small", "lowerdir=A:B", {{"A", std::move(a)}, {"B", std::move(b)}});
}

using fuse_test::eventually;
using fuse_test::fuse_mounts_here;
using fuse_test::process_gone;

using Make = std::unique_ptr<Target> (*)(FuseTargetOptions);

void hung_daemon_fails_within_limit(Make make) {
  FuseTargetOptions o;
  o.base.case_timeout_seconds = 2;
  pid_t daemon = -1;
  o.after_mount = [&](pid_t pid) {
    daemon = pid;
    kill(pid, SIGSTOP);
  };
  auto t = make(o);
  auto t0 = std::chrono::steady_clock::now();
  TargetOutcome out = t->run(small_case());
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(out.kind, TargetOutcome::Kind::Error) << fuse_test::kind_name(out);
  EXPECT_NE(out.reason.find("time limit"), std::string::npos) << out.reason;
  EXPECT_LT(took, 2 + 3.0) << "the hung case must end soon after its time limit";
  EXPECT_GE(took, 1.5);
  ASSERT_GT(daemon, 0);
  EXPECT_TRUE(eventually([&] { return process_gone(daemon); }, 2)) << "daemon " << daemon << " survived";
  EXPECT_EQ(fuse_mounts_here(), 0u);
  // The run goes on: the same target runs the next case normally.
  FuseTargetOptions plain;
  TargetOutcome next = make(plain)->run(small_case());
  EXPECT_EQ(next.kind, TargetOutcome::Kind::Observed) << next.reason;
  EXPECT_EQ(fuse_test::divergences(small_case(), next), "");
}

void dead_daemon_fails_the_case(Make make) {
  FuseTargetOptions o;
  o.base.case_timeout_seconds = 5;
  pid_t daemon = -1;
  o.after_mount = [&](pid_t pid) {
    daemon = pid;
    kill(pid, SIGKILL);
  };
  TargetOutcome out = make(o)->run(small_case());
  EXPECT_EQ(out.kind, TargetOutcome::Kind::Error) << fuse_test::kind_name(out);
  EXPECT_NE(out.reason.find("daemon"), std::string::npos) << out.reason;
  EXPECT_LT(out.seconds, 5.0);
  EXPECT_TRUE(process_gone(daemon));
  EXPECT_EQ(fuse_mounts_here(), 0u);
}

TEST(FuseRobustness, ModelFuseSigstopTimesOut) { hung_daemon_fails_within_limit(make_model_fuse_target); }
TEST(FuseRobustness, FuseOverlayfsSigstopTimesOut) { hung_daemon_fails_within_limit(make_fuse_overlayfs_target); }
TEST(FuseRobustness, ModelFuseDeadDaemonIsAnError) { dead_daemon_fails_the_case(make_model_fuse_target); }
TEST(FuseRobustness, FuseOverlayfsDeadDaemonIsAnError) { dead_daemon_fails_the_case(make_fuse_overlayfs_target); }

// A stuck mount is aborted through fusectl: a request blocked on a stopped daemon returns.
TEST(FuseRobustness, AbortUnblocksAStuckMount) {
  Sandbox& sb = Sandbox::enter();
  std::string mnt = sb.make_dir("abort");
  FuseDaemon d = FuseDaemon::spawn({"/usr/bin/fuse-overlayfs", "-f", "-o", "lowerdir=/usr/share/doc/fuse3", mnt}, "/", mnt);
  ASSERT_TRUE(d.wait_mounted(10)) << d.output();
  ASSERT_TRUE(d.connection());
  kill(d.pid(), SIGSTOP);
  pid_t reader = fork();
  if (reader == 0) {
    struct stat st {};
    _exit(lstat((mnt + "/copyright").c_str(), &st) == 0 ? 0 : 3);  // blocks until the abort
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int status = 0;
  EXPECT_EQ(waitpid(reader, &status, WNOHANG), 0) << "the lookup should be stuck on the stopped daemon";
  EXPECT_TRUE(abort_fuse_connection(*d.connection()));
  EXPECT_TRUE(eventually([&] { return waitpid(reader, &status, WNOHANG) == reader; }, 2));
  d.kill_hard();
  EXPECT_TRUE(process_gone(d.pid()));
  EXPECT_TRUE(mounts_at(mnt).empty());
  sb.remove_tree(mnt);
}

// The runner killed mid-case: the daemon dies with it (PR_SET_PDEATHSIG) and its mount with the
// runner's private namespace; the FUSE connection disappears.
TEST(FuseRobustness, RunnerSigkillLeavesNothing) {
  FuseDaemon runner = FuseDaemon::spawn({OVL_FUSE_HOLD_HELPER}, "/", "");
  std::string said;
  ASSERT_TRUE(eventually([&] {
    said = runner.output();
    return said.find('\n') != std::string::npos || runner.poll_exit().exited;
  }, 20)) << said;
  ASSERT_EQ(said.rfind("READY ", 0), 0u) << said << runner.poll_exit().describe();
  std::istringstream ls(said.substr(6));
  int daemon = 0;
  unsigned minor = 0;
  std::string mnt;
  ls >> daemon >> minor >> mnt;
  ASSERT_GT(daemon, 0);
  ASSERT_FALSE(process_gone(daemon));
  auto ctl = fusectl_dir();
  ASSERT_TRUE(ctl);
  std::string conn_dir = *ctl + "/" + std::to_string(minor);
  struct stat st {};
  ASSERT_EQ(stat(conn_dir.c_str(), &st), 0) << "the daemon's connection " << conn_dir << " should exist";
  ASSERT_FALSE(mounts_under_anywhere(mnt).empty()) << "the mount should be visible in the runner's namespace";

  kill(runner.pid(), SIGKILL);
  ASSERT_TRUE(eventually([&] { return runner.poll_exit().exited; }, 5));
  EXPECT_TRUE(eventually([&] { return process_gone(daemon); }, 5)) << "daemon " << daemon << " survived the runner";
  EXPECT_TRUE(eventually([&] { return mounts_under_anywhere(mnt).empty(); }, 5));
  EXPECT_TRUE(eventually([&] { return stat(conn_dir.c_str(), &st) != 0; }, 5)) << conn_dir << " survived";
}

}  // namespace
}  // namespace ovl
