// The private mount namespace, the tmpfs scratch and isolated children (sandbox.hpp).
#include "ovl/sandbox.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "ovl/errnos.hpp"

namespace ovl {
namespace {

Sandbox* g_sandbox = nullptr;
char g_scratch_path[256] = {};  // for the async-signal-safe cleanup

std::string sys_error(const std::string& what, int err) {
  return what + ": " + errno_name(err) + " (" + std::strerror(err) + ")";
}

void cleanup_scratch() {
  if (g_scratch_path[0] == 0) return;
  // Only the mounts of this namespace are affected; lazily detach everything under the scratch.
  umount2(g_scratch_path, MNT_DETACH);
  rmdir(g_scratch_path);
  g_scratch_path[0] = 0;
}

void on_signal(int sig) {
  cleanup_scratch();
  signal(sig, SIG_DFL);
  raise(sig);
}

void remove_at(int parent, const char* name) {
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    DIR* d = fdopendir(fd);
    if (d) {
      std::vector<std::string> names;
      while (dirent* e = readdir(d)) {
        if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) names.emplace_back(e->d_name);
      }
      for (const auto& n : names) remove_at(dirfd(d), n.c_str());
      closedir(d);
    } else {
      close(fd);
    }
    unlinkat(parent, name, AT_REMOVEDIR);
  } else {
    unlinkat(parent, name, 0);
  }
}

// Every mountpoint under /tmp/ovlspec.* that any process can see (all namespaces).
std::vector<std::string> scratch_mounts_anywhere() {
  std::vector<std::string> out;
  DIR* proc = opendir("/proc");
  while (dirent* e = proc ? readdir(proc) : nullptr) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string id, parent, devno, root, mp;
      ls >> id >> parent >> devno >> root >> mp;
      if (mp.compare(0, 13, "/tmp/ovlspec.") == 0) out.push_back(unescape_mountinfo(mp));
    }
  }
  if (proc) closedir(proc);
  return out;
}

// Removes empty /tmp/ovlspec.XXXXXX directories left by runs that were SIGKILLed: older than
// ten minutes, and a mountpoint in no process's namespace.
void reap_stale_scratch_dirs() {
  DIR* tmp = opendir("/tmp");
  if (!tmp) return;
  std::vector<std::string> stale;
  time_t now = time(nullptr);
  while (dirent* e = readdir(tmp)) {
    std::string n = e->d_name;
    if (n.size() != 14 || n.compare(0, 8, "ovlspec.") != 0) continue;
    struct stat st {};
    std::string p = "/tmp/" + n;
    if (lstat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0) continue;
    if (now - st.st_mtime > 600) stale.push_back(p);
  }
  closedir(tmp);
  if (stale.empty()) return;
  auto mounted = scratch_mounts_anywhere();
  for (const auto& p : stale) {
    bool busy = false;
    for (const auto& m : mounted) busy = busy || m == p || m.compare(0, p.size() + 1, p + "/") == 0;
    if (!busy) rmdir(p.c_str());  // fails harmlessly unless empty
  }
}

}  // namespace

std::optional<std::string> overlay_unavailable_reason() {
  if (geteuid() != 0) return "not root: real overlay mounts need root (CAP_SYS_ADMIN)";
  std::ifstream fs("/proc/filesystems");
  if (!fs) return "cannot read /proc/filesystems";
  std::string line;
  bool overlay = false;
  while (std::getline(fs, line)) {
    auto tab = line.rfind('\t');
    if (line.substr(tab == std::string::npos ? 0 : tab + 1) == "overlay") overlay = true;
  }
  if (!overlay) return "no overlay in /proc/filesystems (modprobe overlay?)";
  return std::nullopt;
}

Sandbox* Sandbox::current() { return g_sandbox; }

Sandbox& Sandbox::enter() {
  if (g_sandbox) return *g_sandbox;
  if (geteuid() != 0) throw SandboxError("not root: the sandbox needs CAP_SYS_ADMIN to make a mount namespace");
  if (unshare(CLONE_NEWNS) != 0) {
    int e = errno;
    if (e == EINVAL)
      throw SandboxError(sys_error("unshare(CLONE_NEWNS) refused (the process already runs threads?)", e));
    throw SandboxError(sys_error("unshare(CLONE_NEWNS) not permitted", e));
  }
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    throw SandboxError(sys_error("making / private (MS_REC|MS_PRIVATE) failed", errno));
  reap_stale_scratch_dirs();
  const char* tmp = "/tmp";
  std::string templ = std::string(tmp) + "/ovlspec.XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back(0);
  if (!mkdtemp(buf.data())) throw SandboxError(sys_error("mkdtemp " + templ, errno));
  std::string dir(buf.data());
  if (mount("ovlspec-scratch", dir.c_str(), "tmpfs", 0, "mode=0755") != 0) {
    int e = errno;
    rmdir(dir.c_str());
    throw SandboxError(sys_error("mounting the tmpfs scratch on " + dir, e));
  }
  auto* sb = new Sandbox();
  sb->scratch_ = dir;
  std::snprintf(g_scratch_path, sizeof g_scratch_path, "%s", dir.c_str());
  g_sandbox = sb;
  std::atexit(cleanup_scratch);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
  }
  return *sb;
}

std::string Sandbox::make_dir(std::string_view hint) {
  std::string name;
  for (char c : hint) name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  if (name.size() > 60) name.resize(60);
  for (;;) {
    std::string dir = scratch_ + "/" + std::to_string(++counter_) + "-" + name;
    if (mkdir(dir.c_str(), 0755) == 0) return dir;
    if (errno != EEXIST) throw SandboxError(sys_error("mkdir " + dir, errno));
  }
}

void Sandbox::remove_tree(const std::string& dir) {
  if (dir.size() <= scratch_.size() || dir.compare(0, scratch_.size() + 1, scratch_ + "/") != 0)
    throw SandboxError("refusing to remove " + dir + ": not under the scratch " + scratch_);
  unmount_under(dir);
  auto slash = dir.rfind('/');
  int parent = open(dir.substr(0, slash).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0) return;
  remove_at(parent, dir.substr(slash + 1).c_str());
  close(parent);
}

void unmount_under(const std::string& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  std::vector<std::string> points;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string id, parent, devno, root, mp;
    ls >> id >> parent >> devno >> root >> mp;
    mp = unescape_mountinfo(mp);
    if (mp == dir || mp.compare(0, dir.size() + 1, dir + "/") == 0) points.push_back(mp);
  }
  // mountinfo lists older mounts first: unmount newest first.
  for (auto it = points.rbegin(); it != points.rend(); ++it) umount2(it->c_str(), MNT_DETACH);
}

std::string unescape_mountinfo(const std::string& s) {
  auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Sanitizers whose shadow memory RLIMIT_DATA counts (see fork_memory_limit_unsupported()).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define OVL_SHADOW_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define OVL_SHADOW_SANITIZER 1
#endif
#endif

std::optional<std::string> fork_memory_limit_unsupported() {
#ifdef OVL_SHADOW_SANITIZER
  return "this is a sanitizer build (ASan/TSan): its shadow memory counts against RLIMIT_DATA, so forked "
         "children run without a memory limit (exec'd daemons keep theirs)";
#else
  return std::nullopt;
#endif
}

namespace {

// VmData of this process in KiB (0 when unreadable). No allocation: safe after fork.
[[maybe_unused]] unsigned long long vm_data_kib() {  // unused in sanitizer builds
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[8192];
  std::size_t n = 0;
  for (;;) {
    ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += static_cast<std::size_t>(r);
    if (n == sizeof buf - 1) break;
  }
  close(fd);
  buf[n] = 0;
  const char* p = std::strstr(buf, "\nVmData:");
  if (!p) return 0;
  p += 8;
  while (*p == ' ' || *p == '\t') ++p;
  unsigned long long kib = 0;
  while (*p >= '0' && *p <= '9') kib = kib * 10 + static_cast<unsigned long long>(*p++ - '0');
  return kib;
}

// Sets RLIMIT_DATA to bytes, never above a limit already in force (limits only tighten: a child
// of a limited process stays within its parent's).
bool set_data_limit(unsigned long long bytes) {
  rlimit rl{};
  if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < bytes) bytes = rl.rlim_max;
  rl.rlim_cur = bytes;
  rl.rlim_max = bytes;
  return setrlimit(RLIMIT_DATA, &rl) == 0;
}

}  // namespace

bool limit_forked_memory(std::size_t mib) {
  if (mib == 0) return true;
#ifdef OVL_SHADOW_SANITIZER
  return true;
#else
  return set_data_limit(vm_data_kib() * 1024ULL + static_cast<unsigned long long>(mib) * 1024ULL * 1024ULL);
#endif
}

bool limit_exec_memory(std::size_t mib) {
  if (mib == 0) return true;
  return set_data_limit(static_cast<unsigned long long>(mib) * 1024ULL * 1024ULL);
}

std::string memory_limit_message(std::size_t mib) {
  return "memory limit of " + std::to_string(mib) + " MiB exceeded";
}

std::size_t parse_memory_limit_mib(const std::string& text) {
  const std::string expected = "expected a whole number of MiB from 16 to 1048576 (0 is not allowed), got \"" + text + "\"";
  if (text.empty() || text.size() > 7) throw std::invalid_argument(expected);
  std::size_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') throw std::invalid_argument(expected);
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  if (v < 16 || v > 1048576) throw std::invalid_argument(expected);
  return v;
}

namespace {

// The body of run_isolated/run_limited: fork, limits, fn, pipe back, time limit.
ChildResult run_child(const std::function<std::string()>& fn, const ChildLimits& limits, bool own_namespace) {
  using clock = std::chrono::steady_clock;
  const double timeout_seconds = limits.timeout_seconds;
  auto t0 = clock::now();
  ChildResult r;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    r.error = sys_error("pipe2", errno);
    return r;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    r.error = sys_error("fork", errno);
    close(fds[0]);
    close(fds[1]);
    return r;
  }
  if (pid == 0) {
    close(fds[0]);
    // Never run the parent's scratch cleanup from a child (it would detach the shared scratch).
    g_scratch_path[0] = 0;
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(111);
    std::string out;
    char tag = 'O';
    if (!limit_forked_memory(limits.memory_mib)) {
      tag = 'E';
      out = sys_error("the child could not set its memory limit (setrlimit RLIMIT_DATA)", errno);
    } else if (own_namespace &&
               (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)) {
      tag = 'E';
      out = sys_error("the isolated child could not enter its own mount namespace", errno);
    } else {
      try {
        out = fn();
      } catch (const std::bad_alloc&) {
        tag = 'M';
        out.clear();
      } catch (const std::exception& e) {
        tag = 'E';
        out = e.what();
      } catch (...) {
        tag = 'E';
        out = "unknown exception";
      }
    }
    // The tag byte first, so that even a failed allocation of `msg` cannot lose the verdict.
    while (write(fds[1], &tag, 1) < 0 && errno == EINTR) {
    }
    const char* p = out.data();
    std::size_t left = out.size();
    while (left > 0) {
      ssize_t n = write(fds[1], p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) _exit(112);
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string buf;
  char chunk[65536];
  bool eof = false;
  while (!eof) {
    double left = timeout_seconds - std::chrono::duration<double>(clock::now() - t0).count();
    if (left <= 0) {
      r.timed_out = true;
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    int pr = poll(&pfd, 1, static_cast<int>(left * 1000) + 1);
    if (pr < 0 && errno == EINTR) continue;
    if (pr == 0) continue;  // re-check the clock
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
    } else {
      buf.append(chunk, static_cast<std::size_t>(n));
    }
  }
  close(fds[0]);
  if (r.timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.seconds = std::chrono::duration<double>(clock::now() - t0).count();
  if (r.timed_out) {
    char text[96];
    std::snprintf(text, sizeof text, "timed out after %.3g s (child killed)", timeout_seconds);
    r.error = text;
    return r;
  }
  if (!buf.empty() && buf[0] == 'M') {
    r.memory_exceeded = true;
    r.error = memory_limit_message(limits.memory_mib);
    return r;
  }
  if (WIFSIGNALED(status)) {
    r.error = std::string("the isolated child died of signal ") + strsignal(WTERMSIG(status));
    return r;
  }
  if (buf.empty()) {
    r.error = "the isolated child exited (status " + std::to_string(WEXITSTATUS(status)) + ") without a result";
    return r;
  }
  r.ok = buf[0] == 'O';
  (r.ok ? r.output : r.error) = buf.substr(1);
  return r;
}

}  // namespace

ChildResult run_isolated(const std::function<std::string()>& fn, double timeout_seconds) {
  return run_child(fn, ChildLimits{timeout_seconds, kDefaultMemoryLimitMiB}, true);
}

ChildResult run_isolated(const std::function<std::string()>& fn, const ChildLimits& limits) {
  return run_child(fn, limits, true);
}

ChildResult run_limited(const std::function<std::string()>& fn, const ChildLimits& limits) {
  return run_child(fn, limits, false);
}

}  // namespace ovl
