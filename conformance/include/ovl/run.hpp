// The run orchestrator behind `ovlspec run`: every case through every target, each compared with
// the model's prediction and with the case's expect lines, one Result per case × target.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ovl/case.hpp"
#include "ovl/predict.hpp"
#include "ovl/result.hpp"
#include "ovl/results_file.hpp"
#include "ovl/run_targets.hpp"
#include "ovl/target.hpp"

namespace ovl {

/// A case to run, with where it came from.
struct RunCase {
  Case c;
  std::string origin = "corpus";       // "corpus" or "generated"
  std::optional<std::uint64_t> seed;   // generated: replays the case
};

/// How run_cases compares.
struct RunOptions {
  /// --kernel: compare every target at this level instead of the target's own level().
  std::optional<KernelVersion> kernel;
  ModuleParams module;                 // the machine's overlay module defaults
  DiffOptions diff;
  std::size_t batch = 32;              // cases handed to Target::run_many at once
  bool keep_observations = false;      // also store both Observations on passing results
  /// Watch the kernel log and taint (runners/health.hpp) from the start of the run; after each
  /// batch on a target other than "model", new findings become an Error result with origin
  /// "health", named "health after <last case of the batch>".
  bool check_health = false;
  /// Limits of each model prediction (runners/limited_predict.hpp): a case too large to predict
  /// in process is predicted in a child killed after this many seconds, with this much memory
  /// (MiB, 0: none); exceeding either makes that case × target an Error.
  double model_timeout_seconds = 30;
  std::size_t model_memory_mib = 1024;
  /// A resumed run: "case name\ttarget" pairs already in results.jsonl; they are not run again.
  std::set<std::string> done;
  /// Called after every batch, with (cases done, cases total, every result so far).
  std::function<void(std::size_t, std::size_t, const std::vector<Result>&)> on_progress;
};

/// Why a case cannot run on a target before anything is tried (proposal semantics on a real
/// target, a kernel level below the case's minimum), or nullopt.
std::optional<std::string> static_skip_reason(const Case& c, const Target& t, KernelVersion level);

/// The Semantics a case is judged under at a level: the proposals it names (model target
/// only), else the plain kernel rules. Throws std::invalid_argument for an unknown name.
Semantics case_semantics(const Case& c, KernelVersion level, bool with_proposals);

/// The case as a target with sem's layout is judged on: every expect line, except, when the
/// target's layers are not on one filesystem (sem.one_filesystem false), those the model's own
/// prediction for that layout contradicts: they were written for one filesystem
/// ([readdir.impure]). The line numbers left out go to `dropped`.
Case expectations_for_layout(const Case& c, const Semantics& sem, const Prediction& pred, std::vector<int>* dropped);

/// Turns one target outcome into a Result: Observed → diff against the prediction plus the
/// case's expectations (pass when both are clean), Skipped → skip, Error → error.
Result judge(const RunCase& rc, const Target& t, const Semantics& sem, const Prediction& pred,
             const TargetOutcome& outcome, const RunOptions& opts);

/// Runs every case on every target (unavailable targets give a skip per case, with the
/// reason), appending each Result to `writer` (if any) as it is made. Results come back in
/// writer order: batch by batch, target by target within a batch, cases in order.
std::vector<Result> run_cases(const std::vector<RunCase>& cases, const std::vector<Target*>& targets,
                              const RunOptions& opts, ResultsWriter* writer);

/// Everything `ovlspec run` does besides argument parsing.
struct SuiteConfig {
  std::vector<std::string> targets;    // requested names; empty = every registered target
  std::filesystem::path out_dir = "results";
  std::filesystem::path cases_dir;     // the corpus; empty = no corpus cases
  std::filesystem::path spec_file;     // spec/overlay-lookup.md (+ proposals/*.md beside it) for the HTML; empty = none
  std::optional<KernelVersion> kernel;
  std::size_t generated = 0;           // --generated N
  std::uint64_t seed = 1;              // --seed
  /// Generated cases for (seed, count); required when generated > 0.
  std::function<std::vector<RunCase>(std::uint64_t, std::size_t)> generator;
  TargetRegistry registry;
  TargetOptions target_options;        // time limit per case, isolation
  ModuleParams module;
  std::string ovlspec_version;
  std::string kernel_release;          // uname -r, for the header
  bool check_health = true;            // RunOptions::check_health
  /// --resume: continue the results.jsonl in out_dir (a torn last line is dropped); the
  /// case × target pairs already there are not run again. Starts afresh if there is none.
  bool resume = false;
};

/// What a suite run produced.
struct SuiteOutcome {
  ResultsFile results;                       // exactly what results.jsonl holds
  std::vector<std::string> missing_targets;  // requested explicitly but unavailable here
  int exit_code = 0;  // 0: every available target conforms; 1: a fail or error; 3: a requested target is unavailable
};

/// Loads the corpus (CaseParseError on a bad file), generates, runs, writes results.jsonl and
/// the four reports into out_dir; progress on `progress`, per-clause verdicts on `out`.
/// Throws std::invalid_argument for an unknown target name.
SuiteOutcome run_suite(const SuiteConfig& cfg, std::ostream& progress, std::ostream& out);

}  // namespace ovl
