// Daemon processes, their mounts and their forced cleanup (fuse_daemon.hpp).
#include "ovl/fuse_daemon.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "ovl/errnos.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void nap_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Parses one mountinfo line: "id parent major:minor root mountpoint opts ... - fstype source super".
bool parse_mountinfo_line(const std::string& line, MountInfoEntry& e) {
  std::istringstream ls(line);
  std::string id, parent, dev, root, mp;
  if (!(ls >> id >> parent >> dev >> root >> mp)) return false;
  e.mountpoint = unescape_mountinfo(mp);
  auto colon = dev.find(':');
  if (colon == std::string::npos) return false;
  e.major = static_cast<unsigned>(std::strtoul(dev.c_str(), nullptr, 10));
  e.minor = static_cast<unsigned>(std::strtoul(dev.c_str() + colon + 1, nullptr, 10));
  std::string w;
  while (ls >> w)
    if (w == "-") break;
  ls >> e.fstype;
  return true;
}

std::vector<MountInfoEntry> read_mountinfo(const std::string& file) {
  std::vector<MountInfoEntry> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    MountInfoEntry e;
    if (parse_mountinfo_line(line, e)) out.push_back(std::move(e));
  }
  return out;
}

bool is_fuse_type(const std::string& t) { return t == "fuse" || t.rfind("fuse.", 0) == 0 || t == "fuseblk"; }

// The newest FUSE mount at path, if any.
std::optional<MountInfoEntry> fuse_mount_at(const std::string& path) {
  std::optional<MountInfoEntry> found;
  for (auto& e : mounts_at(path))
    if (is_fuse_type(e.fstype)) found = e;
  return found;
}

void reset_child_signals() {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    signal(sig, SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace

std::vector<MountInfoEntry> mounts_at(const std::string& path) {
  std::vector<MountInfoEntry> out;
  for (auto& e : read_mountinfo("/proc/self/mountinfo"))
    if (e.mountpoint == path) out.push_back(std::move(e));
  return out;
}

std::vector<std::string> mounts_under_anywhere(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = opendir("/proc");
  if (!d) return out;
  while (dirent* de = readdir(d)) {
    if (!std::isdigit(static_cast<unsigned char>(de->d_name[0]))) continue;
    for (auto& e : read_mountinfo(std::string("/proc/") + de->d_name + "/mountinfo"))
      if (e.mountpoint == path || e.mountpoint.rfind(path + "/", 0) == 0)
        out.push_back(std::string(de->d_name) + " " + e.mountpoint);
  }
  closedir(d);
  return out;
}

std::optional<std::string> fusectl_dir() {
  for (auto& e : read_mountinfo("/proc/self/mountinfo"))
    if (e.fstype == "fusectl") return e.mountpoint;
  Sandbox* sb = Sandbox::current();
  if (!sb) return std::nullopt;  // never mount outside the sandbox
  std::string dir = sb->scratch() + "/fusectl";
  mkdir(dir.c_str(), 0755);
  if (mount("fusectl", dir.c_str(), "fusectl", 0, nullptr) != 0 && errno != EBUSY) return std::nullopt;
  return dir;
}

bool abort_fuse_connection(unsigned minor) {
  auto dir = fusectl_dir();
  if (!dir) return false;
  std::string file = *dir + "/" + std::to_string(minor) + "/abort";
  int fd = open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, "1", 1) == 1;
  close(fd);
  return ok;
}

std::string DaemonExit::describe() const {
  if (!exited) return "still running";
  std::string how;
  if (WIFEXITED(status)) {
    how = "exit status " + std::to_string(WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    how = std::string("killed by signal ") + strsignal(WTERMSIG(status));
  } else {
    how = "ended (status " + std::to_string(status) + ")";
  }
  if (out_of_memory)
    return memory_limit_message(memory_limit_mib) + " (" + how + ", peak RSS " + std::to_string(peak_rss_kib / 1024) + " MiB)";
  // Not recognisably out of memory, but a failure under a limit: say which, it may be the cause.
  if (memory_limit_mib > 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0)
    how += " under a memory limit of " + std::to_string(memory_limit_mib) + " MiB";
  return how;
}

void FuseDaemon::reaped(int status, long max_rss_kib) {
  exit_.exited = true;
  exit_.status = status;
  exit_.peak_rss_kib = max_rss_kib;
  exit_.memory_limit_mib = memory_mib_;
  if (memory_mib_ == 0) return;
  bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!exec_) {
    exit_.out_of_memory = WIFEXITED(status) && WEXITSTATUS(status) == kDaemonOutOfMemoryExit;
    return;
  }
  if (clean) return;
  drain_output();
  bool near_limit = static_cast<double>(max_rss_kib) >= 0.9 * 1024.0 * static_cast<double>(memory_mib_);
  bool said = out_.find("Cannot allocate memory") != std::string::npos || out_.find("ENOMEM") != std::string::npos ||
              out_.find("out of memory") != std::string::npos;
  exit_.out_of_memory = near_limit || said;
}

FuseDaemon FuseDaemon::fork_function(const std::function<int()>& body, std::string mountpoint,
                                     std::size_t memory_mib) {
  FuseDaemon d;
  d.mountpoint_ = std::move(mountpoint);
  d.memory_mib_ = fork_memory_limit_unsupported() ? 0 : memory_mib;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + errno_name(errno));
  if (pid == 0) {
    // Never run the parent's atexit or signal cleanup (it would unmount the shared scratch).
    reset_child_signals();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(111);
    if (!limit_forked_memory(memory_mib)) _exit(113);
    // A std::bad_alloc that escapes through libfuse's C frames ends in std::terminate.
    std::set_terminate([] {
      if (auto e = std::current_exception()) {
        try {
          std::rethrow_exception(e);
        } catch (const std::bad_alloc&) {
          static const char msg[] = "fuse daemon: out of memory under its memory limit\n";
          (void)!write(2, msg, sizeof msg - 1);
          _exit(kDaemonOutOfMemoryExit);
        } catch (const std::exception& ex) {
          std::fprintf(stderr, "fuse daemon: terminate after an uncaught exception: %s\n", ex.what());
        } catch (...) {
          std::fprintf(stderr, "fuse daemon: terminate after an uncaught exception\n");
        }
      }
      std::abort();
    });
    int rc = 1;
    try {
      rc = body();
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "fuse daemon: out of memory under its memory limit\n");
      rc = kDaemonOutOfMemoryExit;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fuse daemon: %s\n", e.what());
      rc = 1;
    } catch (...) {
      rc = 1;
    }
    std::fflush(stderr);
    _exit(rc);
  }
  d.pid_ = pid;
  return d;
}

FuseDaemon FuseDaemon::spawn(const std::vector<std::string>& argv, const std::string& cwd, std::string mountpoint,
                             std::size_t memory_mib) {
  if (argv.empty()) throw std::invalid_argument("FuseDaemon::spawn: empty argv");
  FuseDaemon d;
  d.mountpoint_ = std::move(mountpoint);
  d.exec_ = true;
  d.memory_mib_ = memory_mib;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + errno_name(errno));
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error(std::string("fork: ") + errno_name(e));
  }
  if (pid == 0) {
    reset_child_signals();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(111);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    if (!limit_exec_memory(memory_mib)) _exit(113);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  d.pid_ = pid;
  d.out_fd_ = fds[0];
  return d;
}

FuseDaemon::FuseDaemon(FuseDaemon&& o) noexcept
    : pid_(o.pid_), exec_(o.exec_), memory_mib_(o.memory_mib_), out_fd_(o.out_fd_), out_(std::move(o.out_)),
      mountpoint_(std::move(o.mountpoint_)), conn_(o.conn_), exit_(o.exit_) {
  o.pid_ = -1;
  o.out_fd_ = -1;
}

FuseDaemon::~FuseDaemon() {
  if (pid_ > 0 && !exit_.exited) kill_hard();
  if (out_fd_ >= 0) close(out_fd_);
}

void FuseDaemon::drain_output() {
  if (out_fd_ < 0) return;
  char buf[4096];
  for (;;) {
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) break;
    if (out_.size() < 65536) out_.append(buf, static_cast<std::size_t>(n));
  }
}

std::string FuseDaemon::output() {
  drain_output();
  return out_;
}

const DaemonExit& FuseDaemon::poll_exit() {
  if (pid_ > 0 && !exit_.exited) {
    int status = 0;
    rusage ru{};
    pid_t r = wait4(pid_, &status, WNOHANG, &ru);
    if (r == pid_) reaped(status, ru.ru_maxrss);
  }
  return exit_;
}

bool FuseDaemon::wait_mounted(double timeout_seconds) {
  auto t0 = Clock::now();
  for (;;) {
    if (auto m = fuse_mount_at(mountpoint_)) {
      conn_ = m->minor;
      return true;
    }
    drain_output();
    if (poll_exit().exited) {
      drain_output();
      return false;
    }
    if (since(t0) > timeout_seconds) return false;
    if (out_fd_ >= 0) {
      pollfd p{out_fd_, POLLIN, 0};
      poll(&p, 1, 1);
    } else {
      nap_ms(1);
    }
  }
}

std::string FuseDaemon::stop(double grace_seconds, const std::vector<std::string>& unmount_cmd) {
  std::string problem;
  if (poll_exit().exited) {
    problem = "the daemon had already ended (" + exit_.describe() + ")";
    if (fuse_mount_at(mountpoint_)) kill_hard();
    return problem;
  }
  // Unmount; right after mounting an unmount occasionally gives EBUSY: retry.
  for (int attempt = 0; attempt < 50 && fuse_mount_at(mountpoint_); ++attempt) {
    if (!unmount_cmd.empty()) {
      FuseDaemon u = spawn(unmount_cmd, "", "");
      auto t0 = Clock::now();
      while (!u.poll_exit().exited && since(t0) < 5) nap_ms(1);
      if (!u.exit_.exited) u.kill_hard();
    } else if (umount2(mountpoint_.c_str(), 0) != 0 && errno != EBUSY) {
      break;
    }
    if (fuse_mount_at(mountpoint_)) nap_ms(10);
  }
  if (fuse_mount_at(mountpoint_)) problem = "the mount could not be unmounted normally";
  auto t0 = Clock::now();
  while (!poll_exit().exited && since(t0) < grace_seconds) nap_ms(1);
  if (!exit_.exited) {
    problem += std::string(problem.empty() ? "" : "; ") + "the daemon did not exit after the unmount";
    kill_hard();
  }
  drain_output();
  return problem;
}

void FuseDaemon::kill_hard() {
  // The connection first: a stopped or hung daemon then no longer holds up anyone using the mount.
  std::optional<unsigned> conn = conn_;
  if (!conn)
    if (auto m = fuse_mount_at(mountpoint_)) conn = m->minor;
  if (conn) abort_fuse_connection(*conn);
  for (int i = 0; i < 8 && !mountpoint_.empty() && !mounts_at(mountpoint_).empty(); ++i)
    umount2(mountpoint_.c_str(), MNT_DETACH);
  if (pid_ > 0 && !poll_exit().exited) {
    kill(pid_, SIGTERM);
    auto t0 = Clock::now();
    while (!poll_exit().exited && since(t0) < 0.2) nap_ms(1);
    if (!exit_.exited) {
      kill(pid_, SIGKILL);
      int status = 0;
      rusage ru{};
      while (wait4(pid_, &status, 0, &ru) < 0 && errno == EINTR) {
      }
      reaped(status, ru.ru_maxrss);
    }
  }
  drain_output();
}

}  // namespace ovl
