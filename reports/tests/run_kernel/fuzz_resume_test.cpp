// `ovlspec fuzz --resume DIR` after SIGKILLs at random moments: the resumed run ends with the
// same findings, errors and counts as an uninterrupted one — none lost, none twice — and leaves
// no process or mount behind. The model target (--kernel 6.1 against the 6.18 model) gives many
// findings without mounts; the kernel target checks the same with real mounts being killed.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ovl/results_file.hpp"
#include "ovlspec_process.hpp"

namespace fs = std::filesystem;
using ovl::test::start_ovlspec;
using ovl::test::wait_exit;

namespace {

// Every result by name, without its duration and without the finding file's directory.
std::map<std::string, std::string> results_by_name(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& r : ovl::read_results(dir / "results.jsonl").results) {
    auto j = ovl::to_json(r);
    j.erase("seconds");
    if (j.contains("source")) j["source"] = fs::path(j["source"].get<std::string>()).filename().string();
    EXPECT_TRUE(out.emplace(r.case_name, j.dump()).second) << "twice: " << r.case_name;
  }
  return out;
}

// The state file's counts that do not depend on timing.
nlohmann::json counts(const fs::path& dir) {
  std::ifstream f(dir / "fuzz-state.json");
  auto j = nlohmann::json::parse(f);
  j["progress"].erase("seconds");
  j["progress"].erase("mounts");  // shrinking reruns the first case of a finding after a kill
  return j;
}

void kill_and_resume(const std::vector<std::string>& args, int kills, const fs::path& root) {
  ovl::test::become_subreaper();
  fs::remove_all(root);
  fs::create_directories(root);
  auto ref_args = args;
  ref_args.insert(ref_args.end(), {"--out", (root / "ref").string()});
  auto t0 = std::chrono::steady_clock::now();
  int ref_code = wait_exit(start_ovlspec(ref_args));
  auto ref_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(ref_code == 0 || ref_code == 1) << ref_code;
  auto want = results_by_name(root / "ref");

  auto first = args;
  first.insert(first.end(), {"--out", (root / "res").string()});
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<long> delay(ref_ms / 10, std::max<long>(ref_ms / 3, 50));
  pid_t pid = start_ovlspec(first);
  int killed = 0;
  for (int i = 0; i < kills; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay(rng)));
    if (kill(pid, SIGKILL) == 0) ++killed;
    wait_exit(pid);
    pid = start_ovlspec({"fuzz", "--resume", (root / "res").string(), "--quiet"});
  }
  int code = wait_exit(pid);
  if (code < 0 || !fs::exists(root / "res" / "fuzz-state.json"))
    code = wait_exit(start_ovlspec({"fuzz", "--resume", (root / "res").string(), "--quiet"}));
  EXPECT_GT(killed, kills / 2);
  EXPECT_EQ(code, ref_code);
  auto got = results_by_name(root / "res");
  EXPECT_EQ(got.size(), want.size()) << "a result was lost or duplicated";
  EXPECT_TRUE(got == want) << "the resumed results differ from the uninterrupted run";
  EXPECT_EQ(counts(root / "res"), counts(root / "ref"));
  std::size_t findings = 0;
  for (auto& e : fs::directory_iterator(root / "res" / "findings")) findings += e.path().extension() == ".ovl";
  EXPECT_EQ(findings, std::size_t(std::count_if(want.begin(), want.end(), [](const auto& kv) {
              return kv.first.rfind("fuzz/error/", 0) != 0;
            })));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(ovl::test::ovlspec_processes(), 0) << "an ovlspec process survived";
  EXPECT_EQ(ovl::test::ovlspec_mounts(), std::vector<std::string>{}) << "a mount leaked";
  fs::remove_all(root);
}

TEST(FuzzResume, TwentySigkillsOnTheModelTargetGiveTheUninterruptedFindings) {
  kill_and_resume({"fuzz", "--target", "model", "--kernel", "6.1", "--seed", "5", "--cases", "20000", "--quiet"}, 20,
                  fs::temp_directory_path() / ("ovlspec-fuzz-resume-" + std::to_string(getpid())));
}

TEST(FuzzResume, SigkillsDuringKernelMountsLoseNothingAndLeakNothing) {
  kill_and_resume({"fuzz", "--target", "kernel", "--kernel", "6.1", "--seed", "61", "--cases", "3000", "--quiet"}, 5,
                  fs::temp_directory_path() / ("ovlspec-fuzz-resume-k-" + std::to_string(getpid())));
}

TEST(FuzzResume, ASettingThatDiffersFromTheInterruptedRunIsBadInput) {
  fs::path root = fs::temp_directory_path() / ("ovlspec-fuzz-resume-bad-" + std::to_string(getpid()));
  fs::remove_all(root);
  ASSERT_LE(wait_exit(start_ovlspec({"fuzz", "--target", "model", "--cases", "100", "--out", root.string(), "--quiet"})), 1);
  EXPECT_EQ(wait_exit(start_ovlspec({"fuzz", "--resume", root.string(), "--seed", "99"})), 2);
  EXPECT_EQ(wait_exit(start_ovlspec({"fuzz", "--resume", (root / "nothing-here").string()})), 2);
  std::ofstream(root / "fuzz-state.json") << "{\"schema\": \"something else\"}\n";
  EXPECT_EQ(wait_exit(start_ovlspec({"fuzz", "--resume", root.string()})), 2);
  fs::remove_all(root);
}

}  // namespace
