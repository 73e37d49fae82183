// Making and removing real overlay mounts: the legacy mount(2) string and the new mount API
// (fsopen/fsconfig/fsmount/move_mount), with the kernel's messages for refused mounts.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "ovl/options.hpp"

namespace ovl {

/// How one mount attempt ended.
struct MountAttempt {
  bool ok = false;
  int err = 0;              // errno when !ok
  std::string failed_call;  // "mount", "fsopen", "fsconfig lowerdir+", "FSCONFIG_CMD_CREATE" …
  std::string message;      // the kernel's words: fs_context log (new API) or new overlay dmesg lines (legacy)
  std::string log;          // every log line seen, newline-separated
};

/// mount("overlay", mountpoint, "overlay", 0, options). Relative layer paths resolve against
/// the current directory. The message is taken from the overlay:/overlayfs: lines /dev/kmsg
/// gained during the call (other mounts at the same moment may add theirs).
MountAttempt mount_legacy(std::string_view options, const std::string& mountpoint);

/// fsopen("overlay") then one fsconfig per call (Fd calls open their path O_RDONLY|O_DIRECTORY
/// and use FSCONFIG_SET_FD), FSCONFIG_CMD_CREATE, fsmount and move_mount onto mountpoint. The
/// message is the fs_context log read from the fsopen descriptor; when that has no error line
/// (overlay's pr_err() refusals, e.g. "at least 2 lowerdir …"), the new overlay dmesg lines.
MountAttempt mount_fsconfig(const std::vector<FsconfigCall>& calls, const std::string& mountpoint);

/// umount2(mountpoint); on EBUSY, umount2(MNT_DETACH). Returns 0 or the errno of the last try.
int unmount(const std::string& mountpoint);
/// umount2(mountpoint, MNT_DETACH) at once: for mounts nothing can hold any more (much faster
/// than a plain umount2, which waits for an RCU grace period). Returns 0 or the errno.
int detach(const std::string& mountpoint);

/// Reads the kernel log from the moment of construction (non-blocking /dev/kmsg at its end).
class KmsgTail {
 public:
  KmsgTail();
  ~KmsgTail();
  KmsgTail(const KmsgTail&) = delete;
  KmsgTail& operator=(const KmsgTail&) = delete;
  /// The new messages since construction (or the last call) whose text starts with one of prefixes.
  std::vector<std::string> read_new(const std::vector<std::string>& prefixes);
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace ovl
