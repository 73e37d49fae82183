// The fuzz engine behind `ovlspec fuzz`: generated cases, batched into shared mounts, run on
// targets, diffed against the model; each new kind of divergence shrunk to a minimal case.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ovl/gen_case.hpp"
#include "ovl/observation.hpp"
#include "ovl/predict.hpp"
#include "ovl/shrink.hpp"

namespace ovl::gen {

/// What a target made of one case: its Observation, or why the harness failed.
struct TargetRun {
  bool ok = true;
  Observation observation;
  std::string error;  // when !ok
};

/// A target as the fuzzer sees it: a name and a way to run one Case (cmd_fuzz adapts the
/// runners' ovl::Target to this; tests use the model itself).
struct FuzzTarget {
  std::string name;
  std::function<TargetRun(const Case&)> run;
  /// Optional: several cases at once, one TargetRun each (the kernel runs them in one isolated
  /// child); the results must be those `run` gives.
  std::function<std::vector<TargetRun>(const std::vector<const Case*>&)> run_many;
};

/// The model side: the prediction for a Case (predict() at the chosen semantics).
using Oracle = std::function<Prediction(const Case&)>;

/// One kind of divergence: the clause that decided it (see group_of).
struct Finding {
  std::string group;            // the deciding clause, e.g. "whiteout.xattr"; "batching" for the transform
  std::string target;           // the target it was seen on
  std::uint64_t seed = 0;       // the fuzz seed
  std::uint64_t index = 0;      // which generated case showed it first (generate_case_at)
  GenCase original;             // that case
  GenCase minimal;              // shrunk: the group still diverges on it
  Case minimal_case;            // to_case(minimal), named "fuzz/<group>/<seed>-<index>"
  std::vector<Divergence> divergences;  // of the minimal case, all groups
  Observation model_observation;        // of the minimal case
  Observation target_observation;
  ShrinkStats shrink;
  std::size_t occurrences = 0;  // generated cases that showed this group (filled in at the end)
};

/// How far the fuzzer got, for the progress line.
struct FuzzProgress {
  std::size_t cases = 0;         // generated cases run on every target
  std::size_t mounts = 0;        // target runs (one per batch, plus shrinking and confirmation)
  std::size_t divergent = 0;     // cases with at least one divergence
  std::size_t findings = 0;      // distinct groups
  std::size_t errors = 0;        // harness failures
  double seconds = 0;
  double cases_per_second() const { return seconds > 0 ? static_cast<double>(cases) / seconds : 0; }
};

/// Everything a fuzz run needs to go on after its last finished chunk (`ovlspec fuzz --resume`).
struct FuzzCheckpoint {
  std::uint64_t next = 0;                     // the first case not yet run (a chunk boundary)
  FuzzProgress progress;                      // counts so far (seconds: time spent so far)
  std::map<std::string, std::size_t> groups;  // group -> cases that showed it
  std::set<std::string> seen;                 // "target|group" already reported as findings
  std::vector<std::string> new_errors;        // harness failures of this chunk (kept ones, see max_errors)
};

/// Settings of one fuzz run.
struct FuzzOptions {
  std::uint64_t seed = 1;
  std::size_t cases = 1000;      // stop after this many cases …
  double minutes = 0;            // … or after this long, if > 0 (whichever comes first)
  std::size_t batch = 64;        // most cases per mount (1 = no batching)
  std::size_t chunk = 1024;      // cases generated and planned at a time
  GenParams gen = GenParams{.shape_run = 64};
  std::size_t max_shrink_tries = 500;
  std::size_t max_findings = 100;  // new groups beyond this are counted, not shrunk
  DiffOptions diff;
  /// Called about once a second and at the end.
  std::function<void(const FuzzProgress&)> progress;
  /// Called for each new finding, once it is shrunk.
  std::function<void(const Finding&)> on_finding;
  /// Called after every chunk (and so at the end) with what a resumed run needs.
  std::function<void(const FuzzCheckpoint&)> on_checkpoint;
  /// Resuming: start from this checkpoint instead of case 0 (its `next` must be a chunk
  /// boundary of the same settings; `seen` groups are not reported again).
  std::optional<FuzzCheckpoint> resume;
  std::size_t max_errors = 20;  // harness failures kept as text (all are counted)
};

/// The outcome of a fuzz run.
struct FuzzReport {
  FuzzProgress progress;
  std::vector<Finding> findings;            // one per group, in order of discovery
  std::map<std::string, std::size_t> groups;  // group -> cases that showed it
  std::vector<std::string> errors;          // harness failures, one line each (first 20)
  std::size_t batch_fallbacks = 0;          // batches rerun case by case (the shared root failed)
};

/// The clause that decided a divergence, so that many symptoms of one cause form one group:
/// the last clause of the trace of the topmost ancestor whose answer the model leaves
/// unspecified (everything below an ESTALE directory, R16); else the last clause of the
/// path's own trace; else of its nearest ancestor's; else "unclassified".
std::string group_of(const Divergence& d, const Prediction& p);
/// The distinct groups of a list of divergences, in order.
std::vector<std::string> divergence_groups(const std::vector<Divergence>& ds, const Prediction& p);

/// Runs a case alone on a target and diffs it against the oracle (no batching).
std::vector<Divergence> run_and_diff(const Case& c, const Oracle& oracle, const FuzzTarget& target,
                                     const DiffOptions& opts, Observation* model_out = nullptr,
                                     Observation* target_out = nullptr, std::string* error = nullptr,
                                     std::vector<std::string>* groups = nullptr);

/// Fuzzes: generates cases from opts.seed, runs them on every target (batched, batch.hpp),
/// diffs each against the oracle, and shrinks the first case of every new group while it still
/// shows that group when run alone. A divergence seen in a batch but not when the case runs
/// alone is reported in the group "batching <field>" (the transform would be unsound).
FuzzReport fuzz(const FuzzOptions& opts, const Oracle& oracle, const std::vector<FuzzTarget>& targets);

/// As fuzz(), with the predictions and the batches of each chunk spread over threads:
/// workers[w] is worker w's own instances of the same targets (each used by one thread only;
/// workers[0] also confirms and shrinks). The report is the same as with one worker, because
/// the results are folded in case order.
FuzzReport fuzz_on_workers(const FuzzOptions& opts, const Oracle& oracle,
                           const std::vector<std::vector<FuzzTarget>>& workers);

/// The oracle for a semantics: predict() with these module parameters.
Oracle model_oracle(const Semantics& sem, const ModuleParams& module = {});

/// The model as a target (for tests and for comparing two semantics without a kernel).
FuzzTarget model_target(const Semantics& sem, const ModuleParams& module = {}, std::string name = "model");

}  // namespace ovl::gen
