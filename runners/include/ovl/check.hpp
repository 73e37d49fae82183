// `check`: the model's prediction for a stack next to what real targets show, field by field.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "ovl/kernel_target.hpp"
#include "ovl/predict.hpp"

namespace ovl {

/// What one target showed and where it differs from the model.
struct CheckTarget {
  std::string name;                      // "kernel", "kernel-fsconfig"
  TargetOutcome outcome;
  std::vector<Divergence> divergences;   // empty unless outcome.kind == Observed
};

/// The result of one check: the stack (as a Case), the prediction, each target's outcome.
struct CheckResult {
  Case stack;                 // the layers read from disk (or the case), with the options
  Prediction prediction;
  std::vector<CheckTarget> targets;
  /// Any divergence, or a target that failed to run (Error). Skips do not count.
  bool failed() const;
};

/// Checks the layer directories an option string names, relative to the current directory.
/// They are read with read_layer() for the model (predict_options(); the option parser's path
/// checks stat the real paths) and mounted in the sandbox from where they are, not copied.
/// Throws LayerReadError when a layer cannot be read, SandboxError when no sandbox can be made.
CheckResult check_options_on_disk(std::string_view options, const std::vector<MountApi>& apis,
                                  const Semantics& sem, const TargetOptions& topts = {});

/// Checks an in-memory case: each kernel target materializes and mounts it.
CheckResult check_case(const Case& c, const std::vector<MountApi>& apis, const Semantics& sem,
                       const TargetOptions& topts = {});

}  // namespace ovl
