// The targets `ovlspec run` knows: a registry of names and factories (adding a target is one
// add() line in builtin_targets(), or in cli/cmd_run.cpp for targets of libraries this one
// cannot link), and the in-process `model` target.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovl/config.hpp"
#include "ovl/target.hpp"

namespace ovl {

/// What a factory may need to know about the run it makes a target for.
struct TargetContext {
  ModuleParams module;                  // this machine's overlay module defaults
  std::optional<KernelVersion> level;   // --kernel, if given
  TargetOptions options;                // time limit, isolation
};

/// Names and factories of the targets a run can use, in report order.
class TargetRegistry {
 public:
  /// Makes a fresh target; called once per run.
  using Make = std::function<std::unique_ptr<Target>(const TargetContext&)>;
  /// One registered target.
  struct Entry {
    std::string name;
    std::string summary;  // one line for --help
    Make make;
  };

  /// Registers a target; a second add() with the same name replaces the first.
  void add(std::string name, std::string summary, Make make);
  const std::vector<Entry>& entries() const { return entries_; }
  const Entry* find(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<Entry> entries_;
};

/// model, kernel, kernel-fsconfig (each one line in run_targets.cpp).
TargetRegistry builtin_targets();

/// The `model` target: the reference model itself, in process. Its Observation is the
/// prediction, so it cannot diverge; what it checks is the case's own `expect` lines. It runs
/// cases written for proposals under those proposals, at `level` (default 6.18).
/// `options` gives the time and memory limits of a prediction too large to make in process.
std::unique_ptr<Target> make_model_target(const ModuleParams& module = {},
                                          std::optional<KernelVersion> level = std::nullopt,
                                          const TargetOptions& options = {});

}  // namespace ovl
