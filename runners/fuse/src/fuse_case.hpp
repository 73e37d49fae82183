// The per-case flow both FUSE targets share (internal to ovl_fuse).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "ovl/fuse_daemon.hpp"
#include "ovl/fuse_targets.hpp"
#include "ovl/materialize.hpp"

namespace ovl::fuse_detail {

/// In Launch::unmount_cmd: replaced by the case's mountpoint.
inline constexpr const char* kMountpointArg = "{mountpoint}";

/// How one target starts its daemon for a materialized case, and how it is unmounted.
struct Launch {
  std::function<FuseDaemon(const MaterializedCase&)> start;
  std::vector<std::string> unmount_cmd;  // empty: umount2; kMountpointArg stands for the mountpoint
  /// A daemon that exits before mounting: true = the target refused the mount (an Observation
  /// with mount.status=error and the daemon's words); false = a harness error.
  bool exit_before_mount_is_refusal = false;
};

/// Materializes c on the sandbox scratch, starts the daemon, waits for its mount, probes, stops
/// the daemon and removes the case directory, all within o.base.case_timeout_seconds.
TargetOutcome run_fuse_case(const Case& c, const std::string& target_name, const FuseTargetOptions& o,
                            const Launch& launch);

}  // namespace ovl::fuse_detail
