// FUSE daemons as children of the runner: started by fork (a function) or fork+exec (a command),
// bound to the runner's life (PR_SET_PDEATHSIG), waited for until their mount appears, and
// stopped cleanly — or, when stuck, by aborting the FUSE connection, lazy unmount, SIGTERM, SIGKILL.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ovl/sandbox.hpp"

namespace ovl {

/// One mount as /proc/self/mountinfo shows it.
struct MountInfoEntry {
  std::string mountpoint;   // unescaped
  std::string fstype;       // "fuse", "fuse.fuse-overlayfs" …
  unsigned major = 0, minor = 0;
};

/// The mounts at exactly `path` in this namespace, oldest first.
std::vector<MountInfoEntry> mounts_at(const std::string& path);
/// Every mount at or below `path` in any mount namespace on the machine (scans /proc/*/mountinfo);
/// for leak checks. Each is "pid mountpoint".
std::vector<std::string> mounts_under_anywhere(const std::string& path);

/// The FUSE control filesystem's directory (/sys/fs/fuse/connections, mounting fusectl on the
/// sandbox scratch when it is not mounted in this namespace); nullopt when neither works.
std::optional<std::string> fusectl_dir();
/// Aborts the FUSE connection of a device minor (the fusectl directory name): every pending
/// and future request fails with ENOTCONN. Returns false when it could not.
bool abort_fuse_connection(unsigned minor);

/// The exit status of a forked daemon (fork_function) that ran out of memory under its limit.
inline constexpr int kDaemonOutOfMemoryExit = 86;

/// How a daemon ended.
struct DaemonExit {
  bool exited = false;   // reaped
  int status = 0;        // waitpid status
  long peak_rss_kib = 0; // its maximum resident set (wait4 rusage), once reaped
  /// It ended because of its memory limit: a forked daemon exited kDaemonOutOfMemoryExit; an
  /// exec'd one ended abnormally having reached 90% of the limit or saying ENOMEM / "Cannot
  /// allocate memory" / "out of memory".
  bool out_of_memory = false;
  std::size_t memory_limit_mib = 0;  // the limit it ran under (0: none)
  std::string describe() const;  // "exit status 1", "killed by signal Killed", "memory limit of N MiB exceeded (…)" …
};

/// A FUSE daemon process serving one mountpoint, owned by this object: the destructor stops it.
class FuseDaemon {
 public:
  /// Forks; the child runs body() (which must mount at mountpoint and serve) and exits with its
  /// return value. The child dies with this process (PR_SET_PDEATHSIG SIGKILL). It may allocate
  /// memory_mib MiB beyond what it inherited (limit_forked_memory; 0: no limit); std::bad_alloc
  /// ends it with kDaemonOutOfMemoryExit.
  static FuseDaemon fork_function(const std::function<int()>& body, std::string mountpoint,
                                  std::size_t memory_mib = kDefaultMemoryLimitMiB);
  /// Forks and execs argv (argv[0] a path) in cwd with stdout/stderr captured; PR_SET_PDEATHSIG
  /// as above; RLIMIT_DATA of memory_mib MiB (limit_exec_memory; 0: none). Throws
  /// std::runtime_error when fork or the pipe fails.
  static FuseDaemon spawn(const std::vector<std::string>& argv, const std::string& cwd, std::string mountpoint,
                          std::size_t memory_mib = kDefaultMemoryLimitMiB);

  FuseDaemon(FuseDaemon&& o) noexcept;
  FuseDaemon& operator=(FuseDaemon&&) = delete;
  FuseDaemon(const FuseDaemon&) = delete;
  ~FuseDaemon();

  pid_t pid() const { return pid_; }
  const std::string& mountpoint() const { return mountpoint_; }
  /// Waits until a FUSE mount appears at the mountpoint (true), the daemon exits (false), or
  /// timeout_seconds pass (false, the daemon still running).
  bool wait_mounted(double timeout_seconds);
  /// The fusectl connection number (device minor) of the mount, once mounted.
  std::optional<unsigned> connection() const { return conn_; }
  /// Reaps the daemon if it has exited (non-blocking); the exit once known.
  const DaemonExit& poll_exit();
  /// What the daemon wrote to stdout/stderr so far (spawn() only), at most 64 KiB.
  std::string output();

  /// The normal end: unmount (unmount_cmd when given — e.g. fusermount3 -u — else umount2,
  /// retrying EBUSY), then wait up to grace_seconds for the daemon to exit, then kill_hard().
  /// Returns an error text when anything had to be forced, "" for a clean stop.
  std::string stop(double grace_seconds, const std::vector<std::string>& unmount_cmd = {});
  /// The stuck end: abort the FUSE connection, lazily unmount, SIGTERM, wait briefly, SIGKILL, reap.
  void kill_hard();

 private:
  FuseDaemon() = default;
  void drain_output();
  void reaped(int status, long max_rss_kib);
  pid_t pid_ = -1;
  bool exec_ = false;             // spawn(): an exec'd program
  std::size_t memory_mib_ = 0;    // its memory limit
  int out_fd_ = -1;
  std::string out_;
  std::string mountpoint_;
  std::optional<unsigned> conn_;
  DaemonExit exit_;
};

}  // namespace ovl
