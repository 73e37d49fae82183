// What the running kernel's overlayfs can do, found by trying (cached per process).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ovl/config.hpp"
#include "ovl/semantics.hpp"

namespace ovl {

/// The running kernel and the overlay features it showed when tried.
struct KernelFeatures {
  std::string release;              // uname -r
  KernelVersion version;            // parsed from the release
  bool overlay = false;             // "overlay" in /proc/filesystems
  bool new_mount_api = false;       // fsopen("overlay") works
  bool data_only_layers = false;    // lowerdir=A::B mounts (6.5)
  bool lowerdir_plus = false;       // fsconfig lowerdir+ works (6.7)
  bool xattr_whiteouts = false;     // a size-0 file with overlay.whiteout hides a lower file (6.7)
  bool fd_layers = false;           // FSCONFIG_SET_FD lowerdir+ works (6.13)
  /// The level to compare the model at: the release, lowered to just before the introduction of
  /// the first feature that failed when tried.
  KernelVersion level;
  std::vector<std::string> notes;   // one line per feature that lowered the level, or why probing failed
};

/// Detects the features once per process: enters the Sandbox and tries small mounts in an
/// isolated child. Without root or overlay only release/version/overlay are filled in.
const KernelFeatures& kernel_features();

/// The overlay module parameters of this machine (/sys/module/overlay/parameters); the model's
/// defaults for any file that is missing or unreadable.
ModuleParams module_params();

/// The same detection, uncached (for tests).
KernelFeatures detect_kernel_features();

}  // namespace ovl
