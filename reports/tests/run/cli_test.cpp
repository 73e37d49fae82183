// `ovlspec run` and `ovlspec report` as a user calls them (model target only, no mounts):
// exit codes 0/1/2, the five files, and report re-rendering the same files from results.jsonl.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

struct Ran {
  int code = -1;
  std::string out;  // stdout and stderr together
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

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* kGood = R"(case whiteout/hides
clause whiteout.chardev
mount lowerdir=A:B
layer A
  whiteout /x
layer B
  file /x
  file /y
expect /x absent
expect /y reg content="B:/y\n"
)";

const char* kWrong = R"(case lookup/wrong
clause lookup.attributes
mount lowerdir=A:B
layer A
  file /y "top\n"
layer B
  file /y "lower\n"
expect /y reg content="lower\n"
)";

struct Dir {
  fs::path root;
  explicit Dir(const std::string& tag) {
    root = fs::temp_directory_path() / ("ovl_cli_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "cases/x");
  }
  ~Dir() { fs::remove_all(root); }
  void add(const std::string& name, const char* text) const { std::ofstream(root / "cases/x" / name) << text; }
  std::string args(const std::string& out = "out") const {
    return "--target model --cases " + (root / "cases").string() + " --out " + (root / out).string();
  }
};

TEST(CliRun, ConformingModelRunThenReportRendersTheSameFiles) {
  Dir d("ok");
  d.add("hides.ovl", kGood);
  Ran r = ovlspec("run " + d.args());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("ovlspec run: 1/1 cases | model 1 pass"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("whiteout.chardev"), std::string::npos) << r.out;
  fs::path out = d.root / "out";
  for (const char* f : {"results.jsonl", "junit.xml", "ktap.txt", "summary.md", "index.html"})
    ASSERT_TRUE(fs::exists(out / f)) << f;
  std::map<std::string, std::string> first;
  for (const char* f : {"junit.xml", "ktap.txt", "summary.md", "index.html"}) {
    first[f] = slurp(out / f);
    fs::remove(out / f);
  }
  Ran rep = ovlspec("report " + out.string());
  ASSERT_EQ(rep.code, 0) << rep.out;
  EXPECT_NE(rep.out.find("1 results: 1 pass, 0 fail, 0 skip, 0 error"), std::string::npos) << rep.out;
  for (const auto& [f, text] : first) EXPECT_EQ(slurp(out / f), text) << f << " differs when re-rendered";
}

TEST(CliRun, FailingExpectationExitsOne) {
  Dir d("fail");
  d.add("hides.ovl", kGood);
  d.add("wrong.ovl", kWrong);
  Ran r = ovlspec("run " + d.args());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("model: lookup/wrong (fail)"), std::string::npos) << r.out;
  EXPECT_EQ(ovlspec("report " + (d.root / "out").string()).code, 1);
}

TEST(CliRun, BadInputExitsTwoWithTheReason) {
  Dir d("bad");
  d.add("hides.ovl", kGood);
  Ran r = ovlspec("run --target nope --cases " + (d.root / "cases").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("unknown target \"nope\"; expected one of model"), std::string::npos) << r.out;
  r = ovlspec("run " + d.args() + " --kernel six");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--kernel: expected a kernel level such as 6.18, got \"six\""), std::string::npos) << r.out;
  r = ovlspec("run --target model --cases " + (d.root / "missing").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("is not a directory"), std::string::npos) << r.out;
  d.add("broken.ovl", "case x/broken\nclause a.b\nmount lowerdir=A\nlayer A\n  bogus /x\n");
  r = ovlspec("run " + d.args());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("broken.ovl:5:"), std::string::npos) << r.out;
}

TEST(CliReport, MalformedResultsExitTwoWithFileAndLine) {
  Dir d("rep");
  d.add("hides.ovl", kGood);
  ASSERT_EQ(ovlspec("run " + d.args()).code, 0);
  fs::path results = d.root / "out/results.jsonl";
  std::string text = slurp(results);
  std::ofstream(results, std::ios::app) << "{\"record\":\"result\",\"case\":\"x\"}\n";
  Ran r = ovlspec("report " + (d.root / "out").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("results.jsonl:3: result: missing field"), std::string::npos) << r.out;
  r = ovlspec("report " + (d.root / "nowhere").string());
  EXPECT_EQ(r.code, 2) << r.out;
}

}  // namespace
