// The per-case flow of the FUSE targets (fuse_case.hpp).
#include "fuse_case.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <new>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "ovl/child_wire.hpp"
#include "ovl/kernel_target.hpp"
#include "ovl/probe.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {

std::optional<std::string> fuse_unavailable_reason() {
  if (geteuid() != 0) return "not root: mounting FUSE filesystems in the sandbox needs root";
  struct stat st {};
  if (stat("/dev/fuse", &st) != 0 || !S_ISCHR(st.st_mode)) return "no /dev/fuse character device";
  std::ifstream fs("/proc/filesystems");
  std::string line;
  bool fuse = false;
  while (std::getline(fs, line))
    if (line.size() >= 5 && line.compare(line.size() - 5, 5, "\tfuse") == 0) fuse = true;
  if (!fuse) return "no fuse in /proc/filesystems (modprobe fuse?)";
  try {
    Sandbox::enter();
  } catch (const SandboxError& e) {
    return std::string("sandbox: ") + e.what();
  }
  return std::nullopt;
}

namespace fuse_detail {
namespace {

using Clock = std::chrono::steady_clock;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TargetOutcome error(std::string reason) {
  TargetOutcome out;
  out.kind = TargetOutcome::Kind::Error;
  out.reason = std::move(reason);
  return out;
}

/// What the probe child sent back.
struct ProbeChild {
  bool ok = false;
  std::string output;  // the Observation as JSON (ok)
  std::string error;   // why not
};

// Probes in a forked child under a time limit. run_isolated() is not enough here: a child blocked
// on a FUSE request the daemon has already read waits uninterruptibly, so SIGKILL alone cannot end
// it. At the limit the daemon's connection is aborted first (the request fails), then the child
// is killed and reaped.
ProbeChild probe_in_child(const std::string& mnt, const ProbeOptions& po, double timeout, std::size_t memory_mib,
                          FuseDaemon& d) {
  ProbeChild r;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    r.error = "pipe2 failed";
    return r;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    r.error = "fork failed";
    return r;
  }
  if (pid == 0) {
    close(fds[0]);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);  // not the sandbox's cleanup
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(111);
    std::string msg;
    try {
      if (!limit_forked_memory(memory_mib)) throw std::runtime_error("setrlimit RLIMIT_DATA failed");
      msg = "O" + to_wire(to_json(probe(mnt, po)));
    } catch (const std::bad_alloc&) {
      msg = "M";
    } catch (const std::exception& e) {
      msg = std::string("E") + e.what();
    }
    const char* p = msg.data();
    std::size_t n = msg.size();
    while (n > 0) {
      ssize_t w = write(fds[1], p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) _exit(112);
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    _exit(0);
  }
  close(fds[1]);
  auto t0 = Clock::now();
  std::string buf;
  bool timed_out = false;
  char chunk[65536];
  for (;;) {
    double left = timeout - std::chrono::duration<double>(Clock::now() - t0).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int pr = poll(&p, 1, static_cast<int>(left * 1000) + 1);
    if (pr <= 0) continue;
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  if (timed_out) d.kill_hard();  // abort the connection: a blocked request returns ENOTCONN
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    r.error = "the probe did not finish within the case time limit (daemon hung?)";
    return r;
  }
  if (buf.empty()) {
    r.error = WIFSIGNALED(status) ? std::string("the probe child died of signal ") + strsignal(WTERMSIG(status))
                                  : "the probe child exited without a result";
    return r;
  }
  if (buf[0] == 'M') {
    r.error = "the probe child: " + memory_limit_message(memory_mib);
    return r;
  }
  r.ok = buf[0] == 'O';
  (r.ok ? r.output : r.error) = buf.substr(1);
  if (!r.ok) r.error = "the probe failed: " + r.error;
  return r;
}

// The first path at which the target answered ENOMEM (a daemon out of memory under its limit
// says so this way; the model never predicts ENOMEM).
std::optional<std::string> enomem_path(const Observation& obs) {
  for (const auto& e : obs.entries)
    if (e.err == "ENOMEM" || e.open_err == "ENOMEM" || e.readdir_err == "ENOMEM") return e.path;
  return std::nullopt;
}

// Everything after materializing: daemon, probe, stop.
TargetOutcome mount_probe_stop(const Case& c, const MaterializedCase& m, const FuseTargetOptions& o,
                               const Launch& launch, Clock::time_point t0) {
  const double limit = o.base.case_timeout_seconds;
  auto left = [&] { return limit - std::chrono::duration<double>(Clock::now() - t0).count(); };
  FuseDaemon d = launch.start(m);
  if (!d.wait_mounted(std::max(0.0, left()))) {
    const DaemonExit& ex = d.poll_exit();
    std::string said = trim(d.output());
    if (!ex.exited) {
      d.kill_hard();
      return error("the daemon did not mount within the case time limit of " + std::to_string(limit) + " s");
    }
    if (launch.exit_before_mount_is_refusal && !ex.out_of_memory) {
      TargetOutcome out;
      out.observation.mount.ok = false;
      out.observation.mount.err = "refused (" + ex.describe() + ")";
      out.observation.mount.message = said;
      out.mount_log = said;
      return out;
    }
    return error("the daemon ended before mounting (" + ex.describe() + ")" + (said.empty() ? "" : ": " + said));
  }
  if (o.after_mount) o.after_mount(d.pid());

  ProbeOptions po;
  po.candidates = candidate_paths(probe_layers(c));
  Observation obs;
  if (o.base.isolate) {
    ProbeChild pc = probe_in_child(m.mountpoint, po, std::max(0.01, left()), o.base.memory_limit_mib, d);
    if (!pc.ok) {
      d.kill_hard();
      return error(pc.error + "; daemon " + d.poll_exit().describe() + ", connection aborted and mount detached");
    }
    try {
      obs = observation_from_json(from_wire(pc.output));
    } catch (const std::exception& e) {
      d.kill_hard();
      return error(std::string("unreadable probe result: ") + e.what());
    }
  } else {
    try {
      obs = probe(m.mountpoint, po);
    } catch (const std::exception& e) {
      d.kill_hard();
      return error(std::string("the probe failed: ") + e.what());
    }
  }
  if (d.poll_exit().exited) {
    std::string said = trim(d.output());
    d.kill_hard();
    return error("the daemon died during the case (" + d.poll_exit().describe() + ")" + (said.empty() ? "" : ": " + said));
  }
  std::vector<std::string> unmount_cmd = launch.unmount_cmd;
  for (auto& a : unmount_cmd)
    if (a == kMountpointArg) a = m.mountpoint;
  std::string problem = d.stop(o.unmount_grace_seconds, unmount_cmd);
  if (!problem.empty()) return error("stopping the daemon: " + problem);
  if (o.base.memory_limit_mib > 0)
    if (auto where = enomem_path(obs))
      return error(memory_limit_message(o.base.memory_limit_mib) + ": the daemon answered ENOMEM at " + *where);
  TargetOutcome out;
  out.observation = std::move(obs);
  out.observation.mount.ok = true;
  out.mount_log = trim(d.output());
  return out;
}

}  // namespace

TargetOutcome run_fuse_case(const Case& c, const std::string& target_name, const FuseTargetOptions& o,
                            const Launch& launch) {
  auto t0 = Clock::now();
  TargetOutcome out;
  Sandbox& sb = Sandbox::enter();
  std::string base;
  try {
    base = sb.make_dir((c.name.empty() ? std::string("case") : c.name) + "-" + target_name);
    MaterializedCase m = materialize_case(c, base);
    try {
      out = mount_probe_stop(c, m, o, launch, t0);
    } catch (const std::exception& e) {
      out = error(std::string("running the daemon: ") + e.what());
    }
  } catch (const std::exception& e) {
    out = error(std::string("materializing the case: ") + e.what());
  }
  if (!base.empty()) {
    try {
      sb.remove_tree(base);
    } catch (...) {
    }
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return out;
}

}  // namespace fuse_detail
}  // namespace ovl
