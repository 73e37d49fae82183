// Hostile case files through `ovlspec check --case` and `ovlspec run --cases`: each is refused
// with a located error (exit 2, "FILE:LINE" in the message) or handled (exit 0/1), and nothing is
// ever written outside the scratch: a canary directory next to the sandbox scratch (/tmp), which
// the cases' symlinks point into, must stay untouched. Root needed (the kernel targets mount).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

struct Ran {
  int code = -1;
  std::string err;
};

Ran run(const std::string& args, const fs::path& dir) {
  std::string cmd = std::string("timeout 120 ") + OVLSPEC_BIN + " " + args + " >" + (dir / "stdout.txt").string() + " 2>" +
                    (dir / "err").string();
  int st = std::system(cmd.c_str());
  Ran r;
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream in(dir / "err");
  std::stringstream ss;
  ss << in.rdbuf();
  r.err = ss.str().substr(0, 400);
  return r;
}

std::set<std::string> listing(const fs::path& d) {
  std::set<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(d)) out.insert(e.path().string());
  return out;
}

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("ovlspec-hostile-" + std::to_string(getpid()));
    canary_ = fs::temp_directory_path() / ("ovlspec-canary-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::remove_all(canary_);
    fs::create_directories(root_ / "cases");
    fs::create_directories(canary_ / "keep");
    std::ofstream(canary_ / "keep" / "file") << "canary\n";
    before_ = listing(canary_);
  }
  void TearDown() override {
    EXPECT_EQ(listing(canary_), before_) << "something was written into the canary " << canary_;
    std::ifstream in(canary_ / "keep" / "file");
    std::string s;
    std::getline(in, s);
    EXPECT_EQ(s, "canary");
    fs::remove_all(root_);
    fs::remove_all(canary_);
  }
  fs::path write_case(const std::string& name, const std::string& body) {
    fs::path p = root_ / "cases" / (name + ".ovl");
    std::ofstream(p, std::ios::binary) << "case hostile/" << name << "\nclause lookup.attributes\n" << body;
    return p;
  }
  // Refused: exit 2 and an error naming the file and a line.
  void expect_refused(const std::string& name, const std::string& body) {
    fs::path p = write_case(name, body);
    Ran r = run("check --case " + p.string(), root_);
    EXPECT_EQ(r.code, 2) << name << ": " << r.err;
    EXPECT_NE(r.err.find(p.string() + ":"), std::string::npos) << name << ": the error does not name the place: " << r.err;
  }
  fs::path root_, canary_;
  std::set<std::string> before_;
};

TEST_F(Hostile, DotDotComponentsAreRefused) {
  expect_refused("dotdot", "mount lowerdir=A:B\nlayer A\n  file /../../escape \"x\\n\"\nlayer B\n  file /z\n");
}

TEST_F(Hostile, EmptyComponentIsRefused) {
  expect_refused("slash", "mount lowerdir=A:B\nlayer A\n  file /a//b \"x\\n\"\nlayer B\n  file /z\n");
}

TEST_F(Hostile, NulInANameIsRefused) {
  expect_refused("nul", std::string("mount lowerdir=A:B\nlayer A\n  file /a") + '\0' + "b \"x\\n\"\nlayer B\n  file /z\n");
}

TEST_F(Hostile, NameLongerThan255IsRefused) {
  expect_refused("longname", "mount lowerdir=A:B\nlayer A\n  file /" + std::string(300, 'n') + "\nlayer B\n  file /z\n");
}

TEST_F(Hostile, PathLongerThan4096IsRefused) {
  std::string p;
  while (p.size() <= 4200) p += "/d";
  expect_refused("longpath", "mount lowerdir=A:B\nlayer A\n  file " + p + "\nlayer B\n  file /z\n");
}

TEST_F(Hostile, EntriesUnderAnAbsoluteSymlinkAreRefused) {
  expect_refused("symlink-abs", "mount lowerdir=A:B\nlayer A\n  symlink /evil " + canary_.string() +
                                    "\n  file /evil/pwned \"x\\n\"\nlayer B\n  file /z\n");
}

TEST_F(Hostile, EntriesUnderARelativeSymlinkAreRefused) {
  expect_refused("symlink-rel", "mount lowerdir=A:B\nlayer A\n  symlink /evil ../../../../../../.." + canary_.string() +
                                    "\n  dir /evil/keep\n  file /evil/keep/file \"pwned\\n\"\nlayer B\n  file /z\n");
}

TEST_F(Hostile, SymlinkIntoTheCanaryAsALayerEntryIsHandledWithoutFollowing) {
  fs::path p = write_case("symlink-only", "mount lowerdir=A:B\nlayer A\n  symlink /evil " + canary_.string() +
                                              "/keep\nlayer B\n  dir /evil\n  file /evil/file \"pwned\\n\"\n");
  Ran r = run("check --case " + p.string(), root_);
  EXPECT_TRUE(r.code == 0 || r.code == 1) << r.err;
}

TEST_F(Hostile, HugeOptionStringIsHandledOrRefused) {
  fs::path p = write_case("bigopts", "mount lowerdir=A:B," + std::string(4096, 'o') + "\nlayer A\n  file /y\nlayer B\n  file /z\n");
  Ran r = run("check --case " + p.string(), root_);
  EXPECT_TRUE(r.code == 0 || r.code == 1 || r.code == 2) << r.code << ": " << r.err;
  if (r.code == 2) {
    EXPECT_NE(r.err.find(p.string()), std::string::npos) << r.err;
  }
}

TEST_F(Hostile, FiveHundredLayersAreHandledOrRefused) {
  std::string body = "mount lowerdir=";
  for (int i = 0; i < 500; ++i) body += (i ? ":L" : "L") + std::to_string(i);
  body += "\n";
  for (int i = 0; i < 500; ++i) body += "layer L" + std::to_string(i) + "\n  file /f" + std::to_string(i % 7) + "\n";
  fs::path p = write_case("layers500", body);
  Ran r = run("check --case " + p.string(), root_);
  EXPECT_TRUE(r.code == 0 || r.code == 1 || r.code == 2) << r.code << ": " << r.err;
  if (r.code == 2) {
    EXPECT_NE(r.err.find(p.string()), std::string::npos) << r.err;
  }
}

TEST_F(Hostile, RunCasesRefusesTheCorpusWithALocatedErrorAndExitTwo) {
  write_case("symlink-abs", "mount lowerdir=A:B\nlayer A\n  symlink /evil " + canary_.string() +
                                "\n  file /evil/pwned \"x\\n\"\nlayer B\n  file /z\n");
  Ran r = run("run --target kernel --cases " + (root_ / "cases").string() + " --out " + (root_ / "out").string(), root_);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("symlink-abs.ovl:"), std::string::npos) << r.err;
}

}  // namespace

namespace {

TEST_F(Hostile, TenThousandEntriesAreHandled) {
  std::string body = "mount lowerdir=A:B\nlayer A\n";
  for (int i = 0; i < 10; ++i) body += "  dir /d" + std::to_string(i) + "\n";
  for (int i = 0; i < 10000; ++i) body += "  file /d" + std::to_string(i % 10) + "/f" + std::to_string(i) + "\n";
  body += "layer B\n  file /z\n";
  fs::path p = write_case("many", body);
  Ran r = run("check --case " + p.string(), root_);
  EXPECT_EQ(r.code, 0) << r.err;
}

}  // namespace

namespace {

// Limits through `ovlspec run`: a case too large for its memory limit is an Error naming the
// limit, and the run goes on (the small case beside it passes on the kernel).
TEST_F(Hostile, RunGivesACaseOverTheMemoryLimitAnErrorAndGoesOn) {
  std::string body = "mount lowerdir=A:B\nlayer A\n";
  for (int i = 0; i < 40000; ++i) body += "  file /d/a" + std::to_string(i) + "\n";
  body += "layer B\n";
  for (int i = 0; i < 40000; ++i) body += "  file /d/b" + std::to_string(i) + "\n";
  write_case("wide", body);
  write_case("small", "mount lowerdir=A:B\nlayer A\n  file /a \"a\\n\"\nlayer B\n  file /b\n");
  fs::path out = root_ / "out";
  Ran r = run("run --target kernel --memory-limit 16 --timeout 60 --cases " + (root_ / "cases").string() + " --out " +
                  out.string(),
              root_);
  EXPECT_EQ(r.code, 1) << r.err;
  std::ifstream in(out / "results.jsonl");
  std::string line;
  int wide_errors = 0, small_passes = 0;
  while (std::getline(in, line)) {
    if (line.find("\"hostile/wide\"") != std::string::npos) {
      EXPECT_NE(line.find("\"error\""), std::string::npos) << line.substr(0, 300);
      EXPECT_NE(line.find("memory limit of 16 MiB exceeded"), std::string::npos) << line.substr(0, 300);
      ++wide_errors;
    }
    if (line.find("\"hostile/small\"") != std::string::npos && line.find("\"pass\"") != std::string::npos) ++small_passes;
  }
  EXPECT_EQ(wide_errors, 2) << "one for the model target, one for the kernel";
  EXPECT_EQ(small_passes, 2);
}

TEST_F(Hostile, CheckTakesAMemoryLimitAndRefusesBadOnes) {
  fs::path p = write_case("small", "mount lowerdir=A:B\nlayer A\n  file /a \"a\\n\"\nlayer B\n  file /b\n");
  Ran ok = run("check --memory-limit 64 --case " + p.string(), root_);
  EXPECT_EQ(ok.code, 0) << ok.err;
  for (const char* bad : {"0", "15", "x"}) {
    Ran r = run(std::string("check --memory-limit ") + bad + " --case " + p.string(), root_);
    EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("check: --memory-limit: expected a whole number of MiB"), std::string::npos) << r.err;
  }
}

TEST_F(Hostile, BadMemoryLimitValuesAreRefusedWithExitTwo) {
  for (const char* bad : {"0", "8", "lots", "-1", "99999999"}) {
    Ran r = run(std::string("run --target kernel --memory-limit ") + bad + " --cases " + (root_ / "cases").string() +
                    " --out " + (root_ / "out").string(),
                root_);
    EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("--memory-limit"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("expected a whole number of MiB"), std::string::npos) << r.err;
  }
}

}  // namespace

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The pids of processes named `comm` whose parent is `parent`.
std::vector<pid_t> children_named(pid_t parent, const std::string& comm) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string n = e.path().filename().string();
    if (n.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = slurp(e.path() / "stat");
    auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 4 > stat.size()) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && stat.substr(open + 1, close - open - 1) == comm) out.push_back(std::stoi(n));
  }
  return out;
}

// `ovlspec run` itself, with a FUSE daemon stopped by SIGSTOP mid-case: every fuse-overlayfs the
// run starts is stopped as soon as it is seen. The run goes on and ends (exit 1); each stopped
// case is an Error naming the time limit and the detached mount; every case has its result; no
// daemon survives and no FUSE mount is left in any namespace.
TEST_F(Hostile, RunWithStoppedFuseDaemonsGoesOnAndLeavesNothing) {
  std::string big = "mount lowerdir=A:B\nlayer A\n";
  for (int i = 0; i < 1500; ++i) big += "  file /d/f" + std::to_string(i) + "\n";
  big += "layer B\n  file /g\n";
  for (const char* n : {"s1", "s2", "s3"}) write_case(n, big);
  fs::path out = root_ / "out";
  std::string cmd = std::string(OVLSPEC_BIN) + " run --target fuse-overlayfs --timeout 2 --cases " +
                    (root_ / "cases").string() + " --out " + out.string() + " >" + (root_ / "stdout.txt").string() +
                    " 2>" + (root_ / "err").string();
  pid_t runner = fork();
  if (runner == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(runner, 0);
  std::set<pid_t> stopped;
  int status = 0;
  auto t0 = std::chrono::steady_clock::now();
  while (waitpid(runner, &status, WNOHANG) == 0) {
    for (pid_t d : children_named(runner, "fuse-overlayfs"))
      if (stopped.insert(d).second) kill(d, SIGSTOP);
    if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(60)) {
      kill(runner, SIGKILL);
      waitpid(runner, &status, 0);
      FAIL() << "ovlspec run did not finish within 60 s";
    }
    std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << slurp(root_ / "err");
  ASSERT_FALSE(stopped.empty()) << "no fuse-overlayfs daemon was seen to stop";
  std::istringstream results(slurp(out / "results.jsonl"));
  std::string line;
  int fuse_results = 0, stuck = 0;
  while (std::getline(results, line)) {
    if (line.find("\"target\":\"fuse-overlayfs\"") == std::string::npos) continue;
    ++fuse_results;
    auto j = nlohmann::json::parse(line);
    if (j.value("verdict", "") == "error") {
      ++stuck;
      // Stopped before its mount appeared ("did not mount within the case time limit") or while
      // the probe ran ("… time limit …, connection aborted and mount detached").
      std::string reason = j.value("reason", "");
      EXPECT_NE(reason.find("time limit"), std::string::npos) << reason;
    }
  }
  EXPECT_EQ(fuse_results, 3);
  EXPECT_EQ(stuck, static_cast<int>(stopped.size())) << "every stopped daemon's case is an Error";
  for (pid_t d : stopped) EXPECT_TRUE(kill(d, 0) != 0 && errno == ESRCH) << "daemon " << d << " survived";
  std::string everywhere;
  for (const auto& e : fs::directory_iterator("/proc"))
    if (e.path().filename().string().find_first_not_of("0123456789") == std::string::npos)
      everywhere += slurp(e.path() / "mountinfo");
  EXPECT_EQ(everywhere.find("fuse-overlayfs"), std::string::npos) << "a fuse-overlayfs mount is left somewhere";
}

}  // namespace
