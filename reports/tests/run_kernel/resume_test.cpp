// `ovlspec run --resume DIR` after SIGKILLs: 20 kills at random moments, then a resume to the
// end, give the same results (modulo durations) as an uninterrupted run, each case × target
// exactly once, and leave no process or mount behind. Root and overlayfs required.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ovl/results_file.hpp"
#include "ovlspec_process.hpp"

namespace fs = std::filesystem;

namespace {

const char* kCorpus = OVLSPEC_SOURCE_DIR "/conformance/cases/options";

pid_t start_run(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"run", "--target", "kernel", "--cases", kCorpus};
  args.insert(args.end(), extra.begin(), extra.end());
  return ovl::test::start_ovlspec(args);
}

using ovl::test::ovlspec_processes;
using ovl::test::wait_exit;

// Every result without its duration, as a sorted multiset of JSON lines.
std::multiset<std::string> normalized(const fs::path& file) {
  std::multiset<std::string> out;
  for (const auto& r : ovl::read_results(file).results) {
    auto j = ovl::to_json(r);
    j.erase("seconds");
    out.insert(j.dump());
  }
  return out;
}

TEST(Resume, TwentySigkillsThenResumeGiveTheUninterruptedResults) {
  ovl::test::become_subreaper();
  fs::path root = fs::temp_directory_path() / ("ovlspec-resume-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  auto t0 = std::chrono::steady_clock::now();
  int ref_code = wait_exit(start_run({"--out", (root / "ref").string()}));
  auto ref_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(ref_code == 0 || ref_code == 1) << ref_code;
  auto want = normalized(root / "ref" / "results.jsonl");
  ASSERT_GT(want.size(), 100u);

  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<long> delay(0, std::max<long>(ref_ms, 50));
  int killed = 0;
  for (int i = 0; i < 20; ++i) {
    pid_t pid = start_run({"--resume", (root / "res").string()});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay(rng)));
    if (kill(pid, SIGKILL) == 0) ++killed;
    wait_exit(pid);
  }
  EXPECT_GT(killed, 0);
  int code = wait_exit(start_run({"--resume", (root / "res").string()}));
  EXPECT_EQ(code, ref_code);
  auto got = normalized(root / "res" / "results.jsonl");
  EXPECT_EQ(got.size(), want.size()) << "a result was lost or duplicated";
  EXPECT_TRUE(got == want) << "the resumed results differ from the uninterrupted run";
  std::set<std::string> pairs;
  for (const auto& r : ovl::read_results(root / "res" / "results.jsonl").results)
    EXPECT_TRUE(pairs.insert(r.case_name + "\t" + r.target).second) << "twice: " << r.case_name << " on " << r.target;

  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(ovlspec_processes(), 0) << "an ovlspec process survived";
  EXPECT_EQ(ovl::test::ovlspec_mounts(), std::vector<std::string>{}) << "a mount leaked";
  fs::remove_all(root);
}

TEST(Resume, TornLastLineIsDroppedAndTheResultRunAgain) {
  fs::path root = fs::temp_directory_path() / ("ovlspec-torn-" + std::to_string(getpid()));
  fs::remove_all(root);
  ASSERT_TRUE(wait_exit(start_run({"--out", (root / "ref").string()})) <= 1);
  auto want = normalized(root / "ref" / "results.jsonl");
  fs::create_directories(root / "res");
  // A copy cut in the middle of its last result line.
  std::ifstream in(root / "ref" / "results.jsonl", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::size_t cut = text.rfind('\n', text.size() - 2);
  cut = text.rfind('\n', cut - 1) + 20;  // 20 bytes into the second-to-last line
  std::ofstream(root / "res" / "results.jsonl", std::ios::binary) << text.substr(0, cut);
  EXPECT_THROW(ovl::read_results(root / "res" / "results.jsonl"), ovl::ResultsParseError);
  EXPECT_LE(wait_exit(start_run({"--resume", (root / "res").string()})), 1);
  EXPECT_TRUE(normalized(root / "res" / "results.jsonl") == want);
  fs::remove_all(root);
}

}  // namespace
