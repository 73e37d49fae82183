// The sandbox: a private mount namespace with a tmpfs scratch directory, and isolated,
// time-limited child processes for the work that mounts. Nothing mounted here can reach the host.
#pragma once
#include <atomic>
#include <cstddef>
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
  std::atomic<unsigned long> counter_{0};  // make_dir may be called from several threads
};

/// The memory limit every child the suite starts gets unless told otherwise (MiB).
inline constexpr std::size_t kDefaultMemoryLimitMiB = 1024;

/// Why this build cannot limit the memory of forked (not exec'd) children, or nullopt.
/// AddressSanitizer/ThreadSanitizer reserve terabytes of shadow memory that RLIMIT_DATA counts,
/// so under them a forked child is left unlimited (exec'd programs are still limited).
std::optional<std::string> fork_memory_limit_unsupported();

/// In a freshly forked child: limits the private writable memory (RLIMIT_DATA) it may ADD to
/// what it inherited from its parent to `mib` MiB. Does nothing when mib is 0 or under
/// fork_memory_limit_unsupported(). Async-signal-safe (no allocation). False when setrlimit failed.
bool limit_forked_memory(std::size_t mib);
/// In a forked child that is about to exec: limits the new program's RLIMIT_DATA to `mib` MiB
/// (always applied, the exec'd image has no sanitizer shadow). Async-signal-safe. mib 0: none.
bool limit_exec_memory(std::size_t mib);
/// "memory limit of N MiB exceeded": the words of every Error caused by a memory limit.
std::string memory_limit_message(std::size_t mib);
/// Parses a --memory-limit value: a whole number of MiB in [16, 1048576]; throws
/// std::invalid_argument saying what was expected.
std::size_t parse_memory_limit_mib(const std::string& text);

/// The limits of one child: wall time and memory it may add to what it inherited.
struct ChildLimits {
  double timeout_seconds = 30;
  std::size_t memory_mib = kDefaultMemoryLimitMiB;  // 0: no memory limit
};

/// What an isolated child produced.
struct ChildResult {
  bool ok = false;         // the child ran to completion and returned normally
  bool timed_out = false;  // killed at the time limit
  bool memory_exceeded = false;  // the child ran out of memory under its limit (std::bad_alloc)
  std::string output;      // what the child's function returned (when ok)
  std::string error;       // why not ok: the child's exception text, its signal, or the timeout
  double seconds = 0;      // wall time, fork to reap
};

/// Runs fn in a forked child that first enters its own mount namespace (so its mounts die with
/// it) and dies with its parent (PR_SET_PDEATHSIG). The child's return value is sent back
/// through a pipe. After timeout_seconds the child is SIGKILLed and the result says so.
/// fn must not rely on threads of the parent. The parent need not be in the Sandbox.
/// The child gets the default memory limit (kDefaultMemoryLimitMiB).
ChildResult run_isolated(const std::function<std::string()>& fn, double timeout_seconds);
/// The same with explicit limits. A child whose fn throws std::bad_alloc under a memory limit
/// gives memory_exceeded and the error memory_limit_message(limits.memory_mib).
ChildResult run_isolated(const std::function<std::string()>& fn, const ChildLimits& limits);
/// As run_isolated, but the child stays in the caller's mount namespace (needs no privilege):
/// for pure computations such as a model prediction that must not hang or exhaust the machine.
ChildResult run_limited(const std::function<std::string()>& fn, const ChildLimits& limits);

/// Unescapes the octal escapes (\040 …) of a /proc/self/mountinfo field.
std::string unescape_mountinfo(const std::string& s);

/// Lazily unmounts every mount at or under dir in this namespace, newest first (best effort).
void unmount_under(const std::string& dir);

}  // namespace ovl
