// The per-case flow of the FUSE targets (fuse_case.hpp).
#include "fuse_case.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include <nlohmann/json.hpp>

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
    if (launch.exit_before_mount_is_refusal) {
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
    const std::string mnt = m.mountpoint;
    ChildResult r = run_isolated([&] { return to_json(probe(mnt, po)).dump(); }, std::max(0.01, left()));
    if (!r.ok) {
      d.kill_hard();
      std::string why = r.timed_out ? "the probe did not finish within the case time limit of " + std::to_string(limit) +
                                          " s (daemon hung?)"
                                    : "the probe failed: " + r.error;
      return error(why + "; daemon " + d.poll_exit().describe() + ", connection aborted and mount detached");
    }
    try {
      obs = observation_from_json(nlohmann::json::parse(r.output));
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
