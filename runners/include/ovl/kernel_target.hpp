// The two kernel targets: the in-kernel overlay mounted with the legacy mount(2) string
// ("kernel") and with fsopen/fsconfig ("kernel-fsconfig").
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ovl/materialize.hpp"
#include "ovl/options.hpp"
#include "ovl/target.hpp"

namespace ovl {

/// Which kernel mount API is used.
enum class MountApi : std::uint8_t { Legacy, Fsconfig };

/// One mount to make from directories that already exist.
struct MountSpec {
  MountApi api = MountApi::Legacy;
  std::string options;                              // legacy string (Legacy, and Fsconfig without calls)
  std::optional<std::vector<FsconfigCall>> calls;   // Fsconfig: this sequence
  std::string cwd;                                  // relative layer paths resolve here
  std::string mountpoint;                           // an existing empty directory
  std::vector<std::string> candidates;              // ProbeOptions::candidates
};

/// Mounts spec, probes the mount and unmounts it; a refused mount gives mount.status=error with
/// the errno name and the kernel's message. With opts.isolate this runs in an isolated child
/// under opts.case_timeout_seconds. Never throws: harness failures are TargetOutcome::Error.
TargetOutcome mount_and_probe(const MountSpec& spec, const TargetOptions& opts);

/// The fsconfig sequence the kernel-fsconfig target uses for a legacy option string:
/// ovl::to_fsconfig() of the model's parse (paths checked on the real filesystem, relative to
/// the current directory) when the model accepts it, else fsconfig_from_legacy().
std::vector<FsconfigCall> fsconfig_calls_for(std::string_view legacy_options);

/// The upper and regular-lower layers a case's options name (data-only layers excluded).
std::vector<const Layer*> probe_layers(const Case& c);

/// The mount of a materialized case through api: its option string, or its fsconfig sequence
/// where the API takes it (fsconfig; legacy when the case has no option string), made from the
/// layers directory, with the case's probe candidates.
MountSpec mount_spec_for(const Case& c, MountApi api, const MaterializedCase& m);

/// Materializes c in a fresh sandbox directory, calls prepare(m) if given (the erofs target
/// mounts its images there), mounts mount_spec_for(c, api, m) and probes it (mount_and_probe),
/// then removes the directory. Never throws: a failure before the mount is an Error outcome
/// whose reason starts with `what_fails` ("materializing the case: …").
TargetOutcome materialize_mount_probe(const Case& c, MountApi api, const TargetOptions& opts,
                                      const std::string& dir_hint, const std::string& what_fails,
                                      const std::function<void(const MaterializedCase&)>& prepare = {});

/// The in-kernel overlay through one mount API: materializes each case on the sandbox scratch,
/// mounts, probes, unmounts and removes it.
class KernelTarget : public Target {
 public:
  explicit KernelTarget(MountApi api, TargetOptions opts = {});
  std::string name() const override;
  std::optional<std::string> unavailable() const override;
  std::optional<std::string> cannot_run(const Case& c) const override;
  TargetOutcome run(const Case& c) override;
  /// Isolated: every case in one forked child (run_isolated_many), each under its own time
  /// limit and tmpfs, instead of a child per case; the outcomes are those run() gives.
  std::vector<TargetOutcome> run_many(const std::vector<const Case*>& cases) override;
  KernelVersion level() const override;

 private:
  MountApi api_;
  TargetOptions opts_;
};

}  // namespace ovl
