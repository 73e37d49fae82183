// A Target turns a Case into an Observation: the kernel (two mount APIs), FUSE daemons, EROFS …
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovl/case.hpp"
#include "ovl/observation.hpp"
#include "ovl/semantics.hpp"

namespace ovl {

/// What one target made of one case.
struct TargetOutcome {
  enum class Kind : std::uint8_t {
    Observed,  // the case ran; `observation` holds what the target showed (a refused mount included)
    Skipped,   // the target cannot run this case here; `reason` says why
    Error,     // the harness failed (timeout, crash, daemon died …); `reason` says what happened
  };
  Kind kind = Kind::Observed;
  Observation observation;
  std::string reason;
  std::string mount_log;   // fs_context log / dmesg lines of the mount, if any
  double seconds = 0;
};

/// Settings every target shares.
struct TargetOptions {
  double case_timeout_seconds = 30;
  /// Run each case in a forked child with its own mount namespace (so the time limit can kill
  /// it and its mounts die with it). Off: in-process, no time limit (benchmarks only).
  bool isolate = true;
  /// Memory (MiB) each child of a case may allocate: the isolated mount/probe child, FUSE
  /// daemons (RLIMIT_DATA, see sandbox.hpp), the model's prediction of a large case. 0: none.
  std::size_t memory_limit_mib = 1024;  // kDefaultMemoryLimitMiB
  /// Targets that can let cases with equal options share one mount (erofs: one set of images
  /// per group) do so in run_many. Off: one case per mount (`ovlspec run --no-share`).
  bool share_mounts = true;
};

/// Something that turns Cases into Observations.
class Target {
 public:
  virtual ~Target() = default;
  /// "kernel", "kernel-fsconfig", "model-fuse", "fuse-overlayfs", "erofs" …
  virtual std::string name() const = 0;
  /// Why this machine cannot provide the target at all (not root, no overlay …); nullopt if it can.
  virtual std::optional<std::string> unavailable() const = 0;
  /// Why this target cannot run this particular case (a missing capability); nullopt if it can.
  virtual std::optional<std::string> cannot_run(const Case& c) const = 0;
  /// Why this target cannot run c here: unavailable(), else cannot_run(c); nullopt if it can.
  std::optional<std::string> why_not(const Case& c) const {
    if (auto why = unavailable()) return why;
    return cannot_run(c);
  }
  /// A Skipped outcome with this reason.
  static TargetOutcome skipped(std::string reason) {
    TargetOutcome out;
    out.kind = TargetOutcome::Kind::Skipped;
    out.reason = std::move(reason);
    return out;
  }
  /// Runs one case. Never throws for anything the target does; harness failures are Kind::Error.
  virtual TargetOutcome run(const Case& c) = 0;
  /// Runs several cases; targets that can share mounts between cases override this.
  virtual std::vector<TargetOutcome> run_many(const std::vector<const Case*>& cases) {
    std::vector<TargetOutcome> out;
    out.reserve(cases.size());
    for (const Case* c : cases) out.push_back(run(*c));
    return out;
  }
  /// The kernel feature level this target should be compared at (the model runs at this level).
  virtual KernelVersion level() const { return KernelVersion{6, 18}; }
  /// Whether this target puts every layer of c on one filesystem; the model is then run with
  /// Semantics::one_filesystem equal to it ([readdir.impure]). The erofs target does not.
  virtual bool layers_on_one_filesystem(const Case& c) const {
    (void)c;
    return true;
  }
};

}  // namespace ovl
