// The FUSE targets: "model-fuse" (the model served by our libfuse3 daemon, probed like a real
// mount) and "fuse-overlayfs" (Debian's fuse-overlayfs 1.10). Each case: materialize, start the
// daemon as a child, wait for its mount, probe in an isolated child under the case time limit,
// unmount, stop the daemon; a hung or dead daemon is a Kind::Error for that case only.
#pragma once
#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ovl/config.hpp"
#include "ovl/target.hpp"

namespace ovl {

/// Settings of the FUSE targets.
struct FuseTargetOptions {
  TargetOptions base;                     // case time limit, isolation of the probe
  ModuleParams module;                    // model-fuse: the module defaults the model starts from
  std::optional<KernelVersion> level;     // model-fuse: the level it serves (default 6.18)
  double unmount_grace_seconds = 2;       // after the unmount, how long the daemon may take to exit
  std::string fuse_overlayfs = "/usr/bin/fuse-overlayfs";
  std::string fusermount = "/usr/bin/fusermount3";
  /// Tests only: called with the daemon's pid once its mount is up, before the probe
  /// (e.g. to SIGSTOP or kill it).
  std::function<void(pid_t)> after_mount;
};

/// The reference model served by our libfuse3 daemon (a forked child running serve_model()).
/// Every case must give the model's own Observation: it tests the daemon and the prober.
std::unique_ptr<Target> make_model_fuse_target(FuseTargetOptions opts = {});

/// fuse-overlayfs 1.10 (lowerdir/upperdir/workdir), spawned with -f, unmounted with fusermount3 -u.
/// Cases needing what it does not implement are skipped with the reason (fuse_overlayfs_gap).
std::unique_ptr<Target> make_fuse_overlayfs_target(FuseTargetOptions opts = {});

/// Why fuse-overlayfs 1.10 cannot run this case (a capability it does not have), or nullopt.
std::optional<std::string> fuse_overlayfs_gap(const Case& c);

/// Why this machine cannot run FUSE daemons (not root, no /dev/fuse, no fuse in
/// /proc/filesystems, the sandbox refused), or nullopt.
std::optional<std::string> fuse_unavailable_reason();

}  // namespace ovl
