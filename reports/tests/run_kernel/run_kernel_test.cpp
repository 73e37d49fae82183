// `ovlspec run` against the running kernel (label kernel: needs root and overlayfs; it FAILS,
// never skips, when the kernel targets are unavailable): both kernel targets conform on a small
// case, a wrong expectation is reported as a failure on both with a reproducer, and no mount is
// left behind.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "ovl/results_file.hpp"
#include "ovl/tally.hpp"

namespace {

namespace fs = std::filesystem;

struct Ran {
  int code = -1;
  std::string out;
};

Ran ovlspec(const std::string& args) {
  std::string cmd = std::string(OVLSPEC_BIN) + " " + args + " 2>&1";
  Ran r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string overlay_mounts() {
  std::ifstream in("/proc/self/mounts");
  std::string line, out;
  while (std::getline(in, line))
    if (line.find("overlay") != std::string::npos) out += line + "\n";
  return out;
}

const char* kWhiteout = R"(case whiteout/chardev
clause whiteout.chardev
mount lowerdir=A:B
layer A
  whiteout /x
  dir /d opaque=y
layer B
  file /x
  file /y
  file /d/z
expect /x absent
expect /d dir children=
)";

// A wrong expectation: every target, the kernels included, must report it as a failure.
const char* kWrongExpectation = R"(case lookup/wrong-expectation
clause lookup.attributes
mount lowerdir=A:B
layer A
  file /a "top\n"
layer B
  file /a "lower\n"
expect /a reg content="lower\n"
)";

struct Dir {
  fs::path root;
  explicit Dir(const std::string& tag) {
    root = fs::temp_directory_path() / ("ovl_run_kernel_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "cases/w");
    fs::create_directories(root / "bad/w");
    std::ofstream(root / "bad/w/wrong.ovl") << kWrongExpectation;
    std::ofstream(root / "cases/w/chardev.ovl") << kWhiteout;
    
  }
  ~Dir() { fs::remove_all(root); }
  std::string args(const char* cases = "cases") const {
    return "--target kernel --target kernel-fsconfig --cases " + (root / cases).string() + " --out " +
           (root / "out").string();
  }
};

TEST(RunKernel, BothKernelTargetsConform) {
  std::string before = overlay_mounts();
  Dir d("ok");
  Ran r = ovlspec("run " + d.args());
  ASSERT_EQ(r.code, 0) << r.out;  // 3 would mean a kernel target is unavailable: a failure here
  ovl::ResultsFile f = ovl::read_results(d.root / "out/results.jsonl");
  ASSERT_EQ(f.header.targets.size(), 3u);
  for (const auto& t : f.header.targets) EXPECT_TRUE(t.available) << t.name << ": " << t.reason;
  ovl::Tally t = ovl::tally(f);
  EXPECT_EQ(t.per_target["kernel"].pass, 1);
  EXPECT_EQ(t.per_target["kernel-fsconfig"].pass, 1);
  EXPECT_EQ(overlay_mounts(), before);
}

TEST(RunKernel, WrongExpectationFailsOnTheKernelsWithAReproducer) {
  std::string before = overlay_mounts();
  Dir d("bad");
  Ran r = ovlspec("run " + d.args("bad"));
  EXPECT_EQ(r.code, 1) << r.out;
  ovl::ResultsFile f = ovl::read_results(d.root / "out/results.jsonl");
  int failures = 0;
  for (const auto& res : f.results) {
    if (res.target == "model") continue;
    EXPECT_EQ(res.verdict, ovl::Verdict::Fail) << res.target;
    EXPECT_TRUE(res.divergences.empty()) << res.target;  // the kernel agrees with the model
    ASSERT_EQ(res.failed_expectations.size(), 1u) << res.target;
    EXPECT_NE(res.failed_expectations[0].find("wrong.ovl:8"), std::string::npos) << res.failed_expectations[0];
    EXPECT_NE(res.reproducer.find("mount"), std::string::npos) << res.target;
    ASSERT_TRUE(res.target_observation) << res.target;
    ++failures;
  }
  EXPECT_EQ(failures, 2);
  EXPECT_EQ(overlay_mounts(), before);
}

}  // namespace
