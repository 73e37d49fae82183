// The sandbox: scratch only in the private namespace, time limits, SIGKILL leaves nothing, and
// the "cannot run here" reasons.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "ovl/kernel_mount.hpp"
#include "ovl/materialize.hpp"
#include "ovl/sandbox.hpp"
#include "host_witness.hpp"

namespace ovl {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every process whose mount table mentions needle (the host's pid 1 included).
std::vector<int> processes_seeing(const std::string& needle) {
  std::vector<int> out;
  DIR* d = opendir("/proc");
  while (dirent* e = d ? readdir(d) : nullptr) {
    int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    if (slurp("/proc/" + std::to_string(pid) + "/mountinfo").find(needle) != std::string::npos) out.push_back(pid);
  }
  if (d) closedir(d);
  return out;
}

TEST(Sandbox, ScratchIsATmpfsOnlyInThePrivateNamespace) {
  Sandbox* sb = Sandbox::current();
  ASSERT_NE(sb, nullptr);
  std::string mine = slurp("/proc/self/mountinfo");
  EXPECT_NE(mine.find(" " + sb->scratch() + " "), std::string::npos);
  EXPECT_NE(mine.find("tmpfs"), std::string::npos);
  EXPECT_EQ(test::host_mountinfo().find(sb->scratch()), std::string::npos) << "the scratch leaked to the host";
  char a[64] = {}, b[64] = {};
  ASSERT_GT(readlink("/proc/self/ns/mnt", a, sizeof a - 1), 0);
  std::string w = std::string("/proc/") + std::getenv("OVL_HOST_WITNESS_PID") + "/ns/mnt";
  ASSERT_GT(readlink(w.c_str(), b, sizeof b - 1), 0);
  EXPECT_STRNE(a, b) << "the tests do not run in a private mount namespace";
}

TEST(Sandbox, RemoveTreeRefusesPathsOutsideTheScratch) {
  Sandbox& sb = Sandbox::enter();
  EXPECT_THROW(sb.remove_tree("/tmp"), SandboxError);
  EXPECT_THROW(sb.remove_tree(sb.scratch()), SandboxError);
  EXPECT_THROW(sb.remove_tree(sb.scratch() + "x/y"), SandboxError);
}

TEST(Isolated, ReturnsTheChildsValueAndErrors) {
  ChildResult r = run_isolated([] { return std::string("hello"); }, 10);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.output, "hello");
  r = run_isolated([]() -> std::string { throw std::runtime_error("boom"); }, 10);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "boom");
  r = run_isolated([]() -> std::string { raise(SIGSEGV); return ""; }, 10);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("signal"), std::string::npos) << r.error;
}

// The isolated child of every kernel case has a memory limit (the default one unless told).
TEST(Isolated, ChildrenGetAMemoryLimit) {
  if (auto why = fork_memory_limit_unsupported()) GTEST_SKIP() << *why;
  auto data_limit = [] {
    std::ifstream in("/proc/self/limits");
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("Max data size", 0) == 0) return line;
    return std::string("none");
  };
  ChildResult r = run_isolated(data_limit, 10);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output.find("unlimited"), std::string::npos) << r.output;
  r = run_isolated(
      [] {
        std::vector<std::vector<char>> blocks;
        for (;;) {
          blocks.emplace_back(1 << 20);
          std::memset(blocks.back().data(), 1, blocks.back().size());
        }
        return std::string();
      },
      ChildLimits{30, 48});
  EXPECT_TRUE(r.memory_exceeded) << r.error;
  EXPECT_EQ(r.error, "memory limit of 48 MiB exceeded");
}

// A case that hangs after mounting fails within its limit, and its mount dies with the child.
TEST(Isolated, TimeoutKillsTheChildAndItsMount) {
  Sandbox& sb = Sandbox::enter();
  std::string base = sb.make_dir("timeout");
  Layer a, b;
  a.put("/f", Node::file("a"));
  b.put("/g", Node::file("b"));
  materialize_layer(a, base, "A");
  materialize_layer(b, base, "B");
  std::string mp = base + "/mnt";
  ASSERT_EQ(mkdir(mp.c_str(), 0755), 0);
  auto t0 = std::chrono::steady_clock::now();
  ChildResult r = run_isolated(
      [&]() -> std::string {
        if (chdir(base.c_str()) != 0) return "chdir";
        MountAttempt m = mount_legacy("lowerdir=A:B", mp);
        if (!m.ok) return "mount failed";
        for (;;) pause();
      },
      0.5);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok);
  EXPECT_LT(s, 3.0);
  EXPECT_GE(s, 0.5);
  EXPECT_NE(r.error.find("timed out"), std::string::npos);
  EXPECT_TRUE(processes_seeing(mp).empty()) << "a process still has the overlay mounted";
  sb.remove_tree(base);
}

// The fork + unshare cost of an isolated child (reported, not asserted).
TEST(Isolated, Overhead) {
  const int n = 100;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) ASSERT_TRUE(run_isolated([] { return std::string("x"); }, 10).ok);
  double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n;
  RecordProperty("isolated_child_us", std::to_string(us));
  std::printf("isolated child (fork + unshare + pipe): %.0f us per case\n", us);
}

// Starts the hold helper, waits until it has mounted, SIGKILLs it: no mount may remain anywhere.
void kill_after_mount(const char* mode) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    execl(OVL_HOLD_HELPER, OVL_HOLD_HELPER, mode, static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string line;
  char c;
  pollfd p{fds[0], POLLIN, 0};
  while (poll(&p, 1, 20000) > 0 && read(fds[0], &c, 1) == 1 && c != '\n') line += c;
  close(fds[0]);
  ASSERT_EQ(line.rfind("mounted ", 0), 0u) << "the helper did not mount: '" << line << "'";
  std::istringstream ls(line.substr(8));
  std::string mp, scratch;
  ls >> mp >> scratch;
  auto seeing = processes_seeing(" " + mp + " ");
  EXPECT_FALSE(seeing.empty()) << "no process shows the overlay the helper mounted";
  EXPECT_EQ(test::host_mountinfo().find(scratch), std::string::npos) << "the helper's scratch is in the host";
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
  // The isolated grandchild dies with its parent (PR_SET_PDEATHSIG): give it a moment.
  for (int i = 0; i < 100 && !processes_seeing(scratch).empty(); ++i) usleep(20000);
  EXPECT_TRUE(processes_seeing(scratch).empty()) << "a mount of the killed helper survived";
  EXPECT_EQ(test::host_mountinfo().find(scratch), std::string::npos);
  // Only the empty scratch directory can remain after SIGKILL; remove it.
  struct stat st {};
  if (stat(scratch.c_str(), &st) == 0) {
    EXPECT_EQ(rmdir(scratch.c_str()), 0) << "the scratch dir was not empty";
  }
}

TEST(Sandbox, SigkillAfterMountLeavesNoMount) { kill_after_mount("--in-process"); }
TEST(Sandbox, SigkillWithIsolatedChildLeavesNoMount) { kill_after_mount("--child"); }

TEST(Sandbox, NotRootIsACannotRunHereReason) {
  ChildResult r = run_isolated(
      []() -> std::string {
        if (setgid(65534) != 0 || setuid(65534) != 0) return "setuid failed";
        auto why = overlay_unavailable_reason();
        return why ? *why : "none";
      },
      10);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_NE(r.output.find("not root"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace ovl
