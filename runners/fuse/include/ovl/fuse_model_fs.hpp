// The model served over libfuse3 (low-level API): a read-only filesystem showing exactly what
// ovl::Model predicts for a stack — every lookup, attribute, listing, link, byte and errno.
#pragma once
#include <functional>
#include <string>

#include "ovl/model.hpp"

namespace ovl {

/// How serve_model() runs its session.
struct ServeOptions {
  bool debug = false;                   // libfuse's -d: log every request to stderr
  std::string fsname = "ovlspec-model"; // the source field /proc/self/mountinfo shows
  /// Called once the filesystem is mounted, before the first request is served.
  std::function<void()> on_mounted;
  /// Install SIGINT/SIGTERM/SIGHUP handlers that end the session (and unmount) cleanly.
  bool handle_signals = true;
};

/// Mounts a FUSE filesystem at mountpoint serving `model` (entry, attribute and negative
/// timeouts 0) and serves requests on this thread until it is unmounted or signalled; then
/// unmounts. Returns 0 after a clean end; throws std::runtime_error when it cannot mount.
int serve_model(const Model& model, const std::string& mountpoint, const ServeOptions& opts = {});

}  // namespace ovl
