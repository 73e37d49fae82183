// The model's prediction under a time and memory limit: a hostile case (100,000 entries, 500
// layers, a file of many gigabytes whose content must be hashed) must not hang or exhaust the
// runner. Small cases — the whole corpus — are predicted in process; a large one in a forked
// child (run_limited) that is killed at the time limit and may allocate only so much memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "ovl/predict.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {

/// How much one prediction may take.
struct PredictLimits {
  double timeout_seconds = 30;
  std::size_t memory_mib = kDefaultMemoryLimitMiB;  // 0: no memory limit (the time limit stays)
  /// Cases whose prediction_cost() is at most this run in process (no fork, no limit).
  std::uint64_t in_process_max_cost = 200000;
};

/// A size estimate of the work of predicting a case: (nodes of all layers + 1) × (layers + 1),
/// plus one per KiB of regular-file size (the model hashes every byte a read returns).
std::uint64_t prediction_cost(const Case& c);

/// A prediction that exceeded its limits; what() says which ("the model's prediction of a large
/// case (cost N): memory limit of M MiB exceeded").
struct PredictionLimitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// predict(c, sem, module, opts) within limits. Large cases come back from the child as their
/// Observation and clauses only: `model` is empty. Throws PredictionLimitError at a limit, and
/// std::runtime_error carrying the model's own error text when the model throws.
Prediction predict_within_limits(const Case& c, const Semantics& sem, const ModuleParams& module,
                                 const PredictLimits& limits, const ObserveOptions& opts = {});

}  // namespace ovl
