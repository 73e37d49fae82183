// Running many cases through one mount: the cases a target can run are grouped with
// ovl::gen::plan_case_batches (generators/case_batch.hpp), each group is united into one Case, run
// once, and its Observation split back per case (ovl::gen::extract). Any target can be driven
// this way; the erofs target uses it (one set of images per group).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ovl/case.hpp"
#include "ovl/target.hpp"

namespace ovl {

/// How run_batched shares mounts.
struct BatchRunOptions {
  std::size_t max_size = 32;  // cases per shared mount; 1 = every case alone
  /// Optional check of a united batch before it runs: a reason makes its members run alone.
  std::function<std::optional<std::string>(const Case& batch, const std::vector<const Case*>& members)> vet;
};

/// What run_batched did (counts add up over calls).
struct BatchRunStats {
  std::size_t runs = 0;            // calls of run_one (shared mounts plus cases run alone)
  std::size_t shared_runs = 0;     // runs that served two or more cases
  std::size_t batched_cases = 0;   // cases whose outcome came from a shared run
  std::size_t alone_cases = 0;     // cases run alone (unbatchable, no partner, or fallback)
  std::size_t fallback_cases = 0;  // of those: planned into a batch that was vetoed or failed
  std::vector<std::string> fallback_reasons;  // one line per fallback batch
};

/// Runs `cases` with run_one, sharing runs where plan_batches allows: a planned group of two
/// or more is united (make_case_batch), vetted (opts.vet), run once and split per case with extract;
/// its members run alone instead when the union is refused, the vet gives a reason, or the shared
/// run is not a clean Observation (not Observed, mount refused, "/" failing lstat or readdir).
/// The outcomes are in the order of `cases`; a shared run's seconds are split evenly.
std::vector<TargetOutcome> run_batched(const std::vector<const Case*>& cases,
                                       const std::function<TargetOutcome(const Case&)>& run_one,
                                       const BatchRunOptions& opts = {}, BatchRunStats* stats = nullptr);

}  // namespace ovl
