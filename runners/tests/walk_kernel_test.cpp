// The prober and `ovlspec observe` against an independent walk (Python's os module) of the
// same kernel mount, and the reproducer script run for real.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "ovl/kernel_mount.hpp"
#include "ovl/materialize.hpp"
#include "ovl/probe.hpp"
#include "ovl/reproducer.hpp"
#include "ovl/sandbox.hpp"
#include "rule_cases.hpp"

namespace ovl {
namespace {

std::string run_command(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  if (status) *status = st;
  return out;
}

// A case with every entry kind the walk handles, mounted in this process's sandbox.
struct Mounted {
  std::string base, mp;
  Mounted(const Case& c) {
    Sandbox& sb = Sandbox::enter();
    base = sb.make_dir("walk");
    MaterializedCase m = materialize_case(c, base);
    mp = m.mountpoint;
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) throw std::runtime_error("getcwd");
    if (chdir(m.layers_dir.c_str()) != 0) throw std::runtime_error("chdir");
    MountAttempt a = mount_legacy(c.options, mp);
    if (chdir(cwd) != 0) throw std::runtime_error("chdir back");
    if (!a.ok) throw std::runtime_error("mount failed: " + a.message);
  }
  ~Mounted() {
    unmount(mp);
    Sandbox::enter().remove_tree(base);
  }
};

Case walk_case() {
  Case c;
  for (auto& rc : test::rule_cases())
    if (rc.name == "whiteout-xattr") c = rc;
  // Add what the rule case lacks: a symlink, special files, an unreadable metacopy, escaped xattrs.
  auto a = std::const_pointer_cast<Layer>(c.layers[0].second);
  a->put("/lnk", Node::symlink("../x y"));
  Node fifo;
  fifo.type = NodeType::Fifo;
  a->put("/fifo", fifo);
  a->put("/null", Node::chardev(1, 3));
  Node e = Node::file("escaped");
  e.xattrs["trusted.overlay.overlay.opaque"] = "y";
  e.xattrs["user.overlay.u"] = "1";
  a->put("/esc", e);
  a->put("/mc", test::metacopy_file(9));  // metacopy=off: lstat EPERM
  return c;
}

TEST(IndependentWalk, PythonOsWalkEqualsTheProber) {
  Mounted m(walk_case());
  int status = 0;
  std::string out = run_command("/usr/bin/python3 " OVLSPEC_SOURCE_DIR "/runners/tests/walk.py '" + m.mp + "'", &status);
  ASSERT_EQ(status, 0) << out;
  Observation py = observation_from_json(nlohmann::json::parse(out));
  Observation cpp = probe(m.mp);
  EXPECT_EQ(to_json(py).dump(1), to_json(cpp).dump(1));
  // The comparison is not vacuous: the walk saw whiteouts listed but not found, and EPERM.
  ASSERT_NE(cpp.find("/nx/w"), nullptr);
  EXPECT_EQ(cpp.find("/nx/w")->err, "ENOENT");
  ASSERT_NE(cpp.find("/mc"), nullptr);
  EXPECT_EQ(cpp.find("/mc")->err, "EPERM");
  EXPECT_EQ(cpp.find("/esc")->xattrs, (std::vector<std::string>{"trusted.overlay.opaque", "user.overlay.u"}));
}

TEST(IndependentWalk, OvlspecObserveJsonEqualsPython) {
  std::string bin = OVLSPEC_BINARY_DIR "/bin/ovlspec";
  struct stat st {};
  ASSERT_EQ(stat(bin.c_str(), &st), 0) << bin << " is not built (build the ovlspec target before the kernel tests)";
  Mounted m(walk_case());
  int s1 = 0, s2 = 0;
  std::string py = run_command("/usr/bin/python3 " OVLSPEC_SOURCE_DIR "/runners/tests/walk.py '" + m.mp + "'", &s1);
  std::string ov = run_command(bin + " observe --json '" + m.mp + "'", &s2);
  ASSERT_EQ(s1, 0) << py;
  ASSERT_EQ(s2, 0) << ov;
  EXPECT_EQ(nlohmann::json::parse(py), nlohmann::json::parse(ov));
  std::string table = run_command(bin + " observe '" + m.mp + "'");
  EXPECT_NE(table.find("/nx/w"), std::string::npos) << table;
  EXPECT_NE(table.find("errno ENOENT"), std::string::npos) << table;
  int s3 = 0;
  run_command(bin + " observe /nonexistent/dir 2>/dev/null", &s3);
  EXPECT_EQ(WEXITSTATUS(s3), 2);
}

// `ovlspec check -o` on layer directories: 0 when the kernel agrees, 1 with a divergence (here
// forced by comparing at an older kernel level), 2 for bad input; nothing stays mounted.
TEST(CheckCommand, ExitCodesAndOutput) {
  std::string bin = OVLSPEC_BINARY_DIR "/bin/ovlspec";
  struct stat st {};
  ASSERT_EQ(stat(bin.c_str(), &st), 0) << bin << " is not built (build the ovlspec target before the kernel tests)";
  Case c;
  for (auto& rc : test::rule_cases())
    if (rc.name == "data-open") c = rc;
  std::string base = Sandbox::enter().make_dir("check-cli");
  MaterializedCase m = materialize_case(c, base);
  std::string cd = "cd '" + m.layers_dir + "' && ";
  int s = 0;
  std::string out = run_command(cd + bin + " check -o 'lowerdir=A:B::C::D' 2>&1", &s);
  EXPECT_EQ(WEXITSTATUS(s), 0) << out;
  EXPECT_NE(out.find("kernel: agrees with the model"), std::string::npos) << out;
  EXPECT_NE(out.find("kernel-fsconfig: agrees with the model"), std::string::npos) << out;
  // At 6.15 the model refuses data redirects without metacopy=on (R40): the kernel differs.
  out = run_command(cd + bin + " check -o 'lowerdir=A:B::C::D' --kernel 6.15 --target kernel 2>&1", &s);
  EXPECT_EQ(WEXITSTATUS(s), 1) << out;
  EXPECT_NE(out.find("/ok  errno: model EPERM"), std::string::npos) << out;
  EXPECT_NE(out.find("#!/bin/sh"), std::string::npos) << "no reproducer: " << out;
  out = run_command(cd + bin + " check -o 'lowerdir=A:B::C::D' --target kernel --json 2>&1", &s);
  EXPECT_EQ(WEXITSTATUS(s), 0) << out;
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["schema"], "ovlspec.check/1");
  EXPECT_EQ(j["targets"][0]["target"], "kernel");
  EXPECT_TRUE(j["targets"][0]["divergences"].empty());
  run_command(cd + bin + " check -o 'lowerdir=A:B' --kernel 6 2>&1", &s);
  EXPECT_EQ(WEXITSTATUS(s), 2);
  run_command(cd + bin + " check 2>&1", &s);
  EXPECT_EQ(WEXITSTATUS(s), 2);
  run_command(cd + bin + " check --case /nonexistent.ovl 2>&1", &s);
  EXPECT_EQ(WEXITSTATUS(s), 2);
  EXPECT_EQ(run_command("grep -c ' overlay ' /proc/self/mounts"), "0\n");
  Sandbox::enter().remove_tree(base);
}

// The generated script rebuilds the layers, mounts them and shows the kernel's side.
TEST(Reproducer, ScriptRunsAndShowsTheKernelSide) {
  Case c;
  for (auto& rc : test::rule_cases())
    if (rc.name == "data-capture") c = rc;
  std::vector<Divergence> divs = {{"/foo", "content", "deadbeef", "x", {"data.redirect.order"}},
                                  {"/m2", "errno", "EIO", "x", {"data.redirect.reset"}},
                                  {"/m3", "size", "5", "x", {}}};
  std::string script = write_reproducer(c, divs);
  std::string path = Sandbox::enter().make_dir("repro") + "/repro.sh";
  std::ofstream(path) << script;
  int status = 0;
  std::string out = run_command("sh '" + path + "' 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  // The kernel's answers: R38 capture reads B's bytes, R39 gives EIO, R37-style deferral works.
  EXPECT_NE(out.find("spec says deadbeef"), std::string::npos) << out;
  EXPECT_NE(out.find("kernel: ba80e3f4"), std::string::npos) << out;  // sha256("regular lower wins")
  EXPECT_NE(out.find("Input/output error"), std::string::npos) << out;
  EXPECT_NE(out.find("kernel: regular file mode=644 size=5"), std::string::npos) << out;
  EXPECT_EQ(run_command("grep -c ' overlay ' /proc/self/mounts"), "0\n") << "the script left a mount";
}

}  // namespace
}  // namespace ovl
