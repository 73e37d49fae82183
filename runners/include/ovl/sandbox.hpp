// The sandbox: a private mount namespace with a tmpfs scratch directory, and isolated,
// time-limited child processes for the work that mounts. Nothing mounted here can reach the host.
#pragma once
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ovl {

/// The sandbox could not be set up; the message says why (not root, unshare refused …).
struct SandboxError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Why this process cannot make overlay mounts at all (not root, no overlay in
/// /proc/filesystems), or nullopt. Cheap; does not enter the sandbox.
std::optional<std::string> overlay_unavailable_reason();

/// The process-wide sandbox: after enter(), this process lives in a private mount namespace
/// (`/` is MS_REC|MS_PRIVATE) and owns a tmpfs mounted on a fresh /tmp/ovlspec.XXXXXX.
/// A crash, SIGKILL or timeout cannot leak a mount to the host: the namespace dies with the
/// process. At normal exit (and on SIGINT/SIGTERM/SIGHUP) the scratch is unmounted and its
/// directory removed; only SIGKILL can leave the empty directory behind, and enter() removes
/// such leftovers (empty, older than ten minutes, mounted in no namespace).
class Sandbox {
 public:
  /// Enters the sandbox once per process (later calls return the same one). Must run before
  /// the process starts any thread (unshare(CLONE_NEWNS) refuses multi-threaded callers).
  /// Throws SandboxError with the reason when it cannot.
  static Sandbox& enter();
  /// The sandbox if entered, else nullptr.
  static Sandbox* current();

  /// The scratch directory (a tmpfs in the private namespace).
  const std::string& scratch() const { return scratch_; }
  /// Makes a new empty directory under the scratch, named after hint ("case-3-kernel"); returns its path.
  std::string make_dir(std::string_view hint);
  /// Unmounts anything still mounted under dir (lazily) and removes the tree. dir must be under the scratch.
  void remove_tree(const std::string& dir);

  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

 private:
  Sandbox() = default;
  std::string scratch_;
  unsigned long counter_ = 0;
};

/// What an isolated child produced.
struct ChildResult {
  bool ok = false;         // the child ran to completion and returned normally
  bool timed_out = false;  // killed at the time limit
  std::string output;      // what the child's function returned (when ok)
  std::string error;       // why not ok: the child's exception text, its signal, or the timeout
  double seconds = 0;      // wall time, fork to reap
};

/// Runs fn in a forked child that first enters its own mount namespace (so its mounts die with
/// it) and dies with its parent (PR_SET_PDEATHSIG). The child's return value is sent back
/// through a pipe. After timeout_seconds the child is SIGKILLed and the result says so.
/// fn must not rely on threads of the parent. The parent need not be in the Sandbox.
ChildResult run_isolated(const std::function<std::string()>& fn, double timeout_seconds);

/// Lazily unmounts every mount at or under dir in this namespace, newest first (best effort).
void unmount_under(const std::string& dir);

}  // namespace ovl
