// One isolated child for many jobs (isolated_many.hpp).
//
// The child writes one frame per job: a tag byte ('O' result, 'E' error text, 'M' out of
// memory), the payload length as 8 bytes, the payload. The parent reads frames under the
// current job's deadline; when the child dies or the deadline passes, the job gets its error
// and a new child starts at the next job.
#include "ovl/isolated_many.hpp"

#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>

#include "ovl/errnos.hpp"

namespace ovl {
namespace {

using Clock = std::chrono::steady_clock;

bool write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

[[noreturn]] void child_main(int out, std::size_t first, std::size_t n,
                             const std::function<std::string(std::size_t)>& fn, const ChildLimits& limits,
                             pid_t parent) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(111);
  std::string setup_error;
  if (!limit_forked_memory(limits.memory_mib))
    setup_error = "the child could not set its memory limit (setrlimit RLIMIT_DATA): " + errno_name(errno);
  else if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    setup_error = "the isolated child could not enter its own mount namespace: " + errno_name(errno);
  for (std::size_t i = first; i < n; ++i) {
    char tag = 'O';
    std::string payload;
    if (!setup_error.empty()) {
      tag = 'E';
      payload = setup_error;
    } else {
      try {
        payload = fn(i);
      } catch (const std::bad_alloc&) {
        tag = 'M';
        payload.clear();
      } catch (const std::exception& e) {
        tag = 'E';
        payload = e.what();
      } catch (...) {
        tag = 'E';
        payload = "unknown exception";
      }
    }
    std::uint64_t size = payload.size();
    if (!write_all(out, &tag, 1) || !write_all(out, &size, sizeof size) || !write_all(out, payload.data(), payload.size()))
      _exit(112);
    if (tag == 'M') _exit(113);  // the heap may be in no state to go on
  }
  _exit(0);
}

/// The parent's side of one child: reads frames for jobs first, first + 1, … into out.
class ChildReader {
 public:
  ChildReader(int fd, const ChildLimits& limits) : fd_(fd), limits_(limits) {}

  /// Reads the next frame; false when the job failed (its result says why) or the child ended.
  bool next(ChildResult& r) {
    auto t0 = Clock::now();
    char tag = 0;
    std::uint64_t size = 0;
    std::string payload;
    bool ok = read_exact(&tag, 1, t0, r) && read_exact(&size, sizeof size, t0, r);
    if (ok) {
      payload.resize(size);
      ok = read_exact(payload.data(), size, t0, r);
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!ok) return false;
    if (tag == 'O') {
      r.ok = true;
      r.output = std::move(payload);
      return true;
    }
    if (tag == 'M') {
      r.memory_exceeded = true;
      r.error = memory_limit_message(limits_.memory_mib);
      return false;
    }
    r.error = std::move(payload);
    return true;  // an error of the job itself: the child goes on
  }

  bool timed_out() const { return timed_out_; }

 private:
  bool read_exact(void* dst, std::size_t size, Clock::time_point t0, ChildResult& r) {
    char* p = static_cast<char*>(dst);
    while (size > 0) {
      double left = limits_.timeout_seconds - std::chrono::duration<double>(Clock::now() - t0).count();
      if (left <= 0) {
        timed_out_ = true;
        r.timed_out = true;
        char text[96];
        std::snprintf(text, sizeof text, "timed out after %.3g s (child killed)", limits_.timeout_seconds);
        r.error = text;
        return false;
      }
      pollfd pfd{fd_, POLLIN, 0};
      int pr = poll(&pfd, 1, static_cast<int>(left * 1000) + 1);
      if (pr < 0 && errno == EINTR) continue;
      if (pr == 0) continue;
      ssize_t n = read(fd_, p, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        r.error = "the isolated child exited without a result";
        return false;
      }
      p += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }

  int fd_;
  ChildLimits limits_;
  bool timed_out_ = false;
};

}  // namespace

std::vector<ChildResult> run_isolated_many(std::size_t n, const std::function<std::string(std::size_t)>& fn,
                                           const ChildLimits& limits) {
  std::vector<ChildResult> out(n);
  std::size_t next = 0;
  while (next < n) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      for (; next < n; ++next) out[next].error = "pipe2: " + errno_name(errno);
      break;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
      int e = errno;
      close(fds[0]);
      close(fds[1]);
      for (; next < n; ++next) out[next].error = "fork: " + errno_name(e);
      break;
    }
    if (pid == 0) {
      close(fds[0]);
      child_main(fds[1], next, n, fn, limits, parent);
    }
    close(fds[1]);
    ChildReader reader(fds[0], limits);
    while (next < n && reader.next(out[next])) ++next;
    bool failed = next < n;  // out[next] holds the failure (timeout, death, memory)
    close(fds[0]);
    if (failed) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (failed) {
      ChildResult& r = out[next];
      if (!r.timed_out && !r.memory_exceeded && WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
        r.error = std::string("the isolated child died of signal ") + strsignal(WTERMSIG(status));
      else if (!r.timed_out && !r.memory_exceeded && WIFSIGNALED(status))
        r.error = "the isolated child was killed (SIGKILL) without a result";
      ++next;  // that job failed alone; a new child takes the rest
    }
  }
  return out;
}

}  // namespace ovl
