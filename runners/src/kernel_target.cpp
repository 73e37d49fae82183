// The kernel targets (kernel_target.hpp).
#include "ovl/child_wire.hpp"
#include "ovl/kernel_target.hpp"

#include <sys/mount.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "ovl/disk_layers.hpp"
#include "ovl/errnos.hpp"
#include "ovl/features.hpp"
#include "ovl/isolated_many.hpp"
#include "ovl/kernel_mount.hpp"
#include "ovl/materialize.hpp"
#include "ovl/option_layout.hpp"
#include "ovl/probe.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

// The work of one mount, in whichever process runs it: JSON {observation, log}.
nlohmann::json mount_probe_unmount(const MountSpec& spec) {
  if (chdir(spec.cwd.c_str()) != 0)
    throw std::runtime_error("chdir " + spec.cwd + ": " + errno_name(errno));
  MountAttempt a;
  if (spec.api == MountApi::Legacy) {
    a = mount_legacy(spec.options, spec.mountpoint);
  } else {
    a = mount_fsconfig(spec.calls ? *spec.calls : fsconfig_calls_for(spec.options), spec.mountpoint);
  }
  Observation o;
  std::string log = a.log;
  if (!a.ok) {
    o.mount.ok = false;
    o.mount.err = errno_name(a.err);
    o.mount.message = a.message;
    if (a.failed_call != "mount") log += (log.empty() ? "" : "\n") + ("failed call: " + a.failed_call);
  } else {
    ProbeOptions po;
    po.candidates = spec.candidates;
    try {
      o = probe(spec.mountpoint, po);
    } catch (...) {
      unmount(spec.mountpoint);
      throw;
    }
    o.mount.ok = true;
    // Lazy: the probe closed every descriptor, so nothing holds the mount; a plain umount2
    // would wait for an RCU grace period (0.4-2 ms here) for nothing.
    if (int e = detach(spec.mountpoint)) throw std::runtime_error("unmount " + spec.mountpoint + ": " + errno_name(e));
  }
  return {{"observation", to_json(o)}, {"log", log}};
}

}  // namespace

std::vector<FsconfigCall> fsconfig_calls_for(std::string_view legacy_options) {
  // The option engineer's translation (ovl::to_fsconfig) for strings the model accepts; it needs
  // a MountConfig, so paths are checked against the real directories (relative to the cwd).
  ParseContext ctx;
  ctx.module = module_params();
  ctx.probe = disk_path_probe();
  MountResult r = parse_mount_options(legacy_options, ctx);
  if (const auto* cfg = std::get_if<MountConfig>(&r)) return to_fsconfig(*cfg, legacy_options);
  // A string the model refuses: the light translation, so the kernel gives its own error.
  return fsconfig_from_legacy(legacy_options);
}

std::vector<const Layer*> probe_layers(const Case& c) {
  OptionLayout l = c.fsconfig ? layout_of_calls(*c.fsconfig) : layout_of_options(c.options);
  std::vector<const Layer*> out;
  for (const auto& [name, layer] : c.layers) {
    bool data = std::find(l.data.begin(), l.data.end(), name) != l.data.end();
    bool regular = std::find(l.lowers.begin(), l.lowers.end(), name) != l.lowers.end() || (l.upper && *l.upper == name);
    if (regular || !data) out.push_back(layer.get());
  }
  return out;
}

namespace {

/// The outcome of a mount child's result (the JSON of mount_probe_unmount, or why it failed).
TargetOutcome outcome_of(const ChildResult& r) {
  TargetOutcome out;
  out.seconds = r.seconds;
  if (!r.ok) {
    out.kind = TargetOutcome::Kind::Error;
    out.reason = r.error;
    return out;
  }
  try {
    auto j = from_wire(r.output);
    out.observation = observation_from_json(j.at("observation"));
    out.mount_log = j.at("log").get<std::string>();
    out.kind = TargetOutcome::Kind::Observed;
  } catch (const std::exception& e) {
    out.kind = TargetOutcome::Kind::Error;
    out.reason = std::string("unreadable result from the mount child: ") + e.what();
  }
  return out;
}

}  // namespace

TargetOutcome mount_and_probe(const MountSpec& spec, const TargetOptions& opts) {
  if (opts.isolate) {
    ChildResult r = run_isolated([&] { return to_wire(mount_probe_unmount(spec)); },
                                 ChildLimits{opts.case_timeout_seconds, opts.memory_limit_mib});
    if (!r.ok) unmount_under(spec.mountpoint);  // nothing should be left: the child's namespace held the mount
    return outcome_of(r);
  }
  ChildResult r;  // in process (benchmarks): the same result, without a child
  auto t0 = std::chrono::steady_clock::now();
  try {
    r.output = to_wire(mount_probe_unmount(spec));
    r.ok = true;
  } catch (const std::exception& e) {
    r.error = e.what();
    unmount_under(spec.mountpoint);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return outcome_of(r);
}

MountSpec mount_spec_for(const Case& c, MountApi api, const MaterializedCase& m) {
  MountSpec spec;
  spec.api = api;
  spec.options = c.options;
  if (api == MountApi::Fsconfig && c.fsconfig) spec.calls = c.fsconfig;
  if (api == MountApi::Legacy && c.options.empty() && c.fsconfig) spec.calls = c.fsconfig;
  spec.cwd = m.layers_dir;
  spec.mountpoint = m.mountpoint;
  spec.candidates = candidate_paths(probe_layers(c));
  return spec;
}

namespace {

/// Mounts a tmpfs on base (an empty sandbox dir) and materializes c in it; on failure the tmpfs
/// is detached again. A tmpfs of its own: detaching it frees the whole tree at once instead of
/// one unlink per entry (a tenth of a fuzz run's time went to unlinking).
MaterializedCase materialize_on_tmpfs(const Case& c, const std::string& base) {
  if (mount("ovlspec-case", base.c_str(), "tmpfs", 0, "mode=0755") != 0)
    throw std::runtime_error("mounting a tmpfs on " + base + ": " + errno_name(errno));
  try {
    return materialize_case(c, base);
  } catch (...) {
    umount2(base.c_str(), MNT_DETACH);
    throw;
  }
}

}  // namespace

TargetOutcome materialize_mount_probe(const Case& c, MountApi api, const TargetOptions& opts,
                                      const std::string& dir_hint, const std::string& what_fails,
                                      const std::function<void(const MaterializedCase&)>& prepare) {
  TargetOutcome out;
  Sandbox& sb = Sandbox::enter();
  std::string base;
  try {
    base = sb.make_dir(dir_hint);
    MaterializedCase m = materialize_on_tmpfs(c, base);  // remove_tree detaches the tmpfs
    if (prepare) prepare(m);
    out = mount_and_probe(mount_spec_for(c, api, m), opts);
  } catch (const std::exception& e) {
    out.kind = TargetOutcome::Kind::Error;
    out.reason = what_fails + ": " + e.what();
  }
  if (!base.empty()) {
    try {
      sb.remove_tree(base);
    } catch (...) {
    }
  }
  return out;
}

KernelTarget::KernelTarget(MountApi api, TargetOptions opts) : api_(api), opts_(opts) {}

std::string KernelTarget::name() const { return api_ == MountApi::Legacy ? "kernel" : "kernel-fsconfig"; }

std::optional<std::string> KernelTarget::unavailable() const {
  if (auto why = overlay_unavailable_reason()) return why;
  try {
    Sandbox::enter();
  } catch (const SandboxError& e) {
    return std::string("sandbox: ") + e.what();
  }
  const KernelFeatures& f = kernel_features();
  if (api_ == MountApi::Fsconfig && !f.new_mount_api)
    return "fsopen(\"overlay\") does not work on this kernel (" + f.release + ")";
  return std::nullopt;
}

std::optional<std::string> KernelTarget::cannot_run(const Case& c) const {
  for (const auto& s : c.semantics)
    if (!s.empty() && s != "kernel") return "written for the proposal '" + s + "', which no kernel implements";
  const KernelFeatures& f = kernel_features();
  if (c.min_kernel && f.level < *c.min_kernel)
    return "needs kernel " + c.min_kernel->str() + ", this kernel is compared at " + f.level.str() + " (" + f.release + ")";
  if (api_ == MountApi::Legacy && c.fsconfig && c.options.empty())
    return "the case is an fsconfig sequence; the legacy mount(2) API cannot express it";
  if (api_ == MountApi::Fsconfig && c.fsconfig) {
    for (const auto& call : *c.fsconfig)
      if (call.kind == FsconfigCall::Kind::Fd && !f.fd_layers) return "FSCONFIG_SET_FD layers need kernel 6.13";
  }
  if (api_ == MountApi::Fsconfig && !c.fsconfig && !f.lowerdir_plus)
    return "lowerdir+/datadir+ need kernel 6.7";
  if (api_ == MountApi::Fsconfig && !c.fsconfig && c.options.size() > 4095)
    return "the option string is longer than mount(2)'s one page; fsconfig has no such limit, so the "
           "case means something else through this API";
  return std::nullopt;
}

TargetOutcome KernelTarget::run(const Case& c) {
  if (auto why = why_not(c)) return skipped(*why);
  return materialize_mount_probe(c, api_, opts_, c.name.empty() ? name() : c.name, "materializing the case");
}

std::vector<TargetOutcome> KernelTarget::run_many(const std::vector<const Case*>& cases) {
  if (!opts_.isolate || cases.size() < 2) return Target::run_many(cases);
  std::vector<TargetOutcome> out(cases.size());
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (auto why = why_not(*cases[i]))
      out[i] = skipped(*why);
    else
      todo.push_back(i);
  }
  if (todo.empty()) return out;
  // The directories are made here; the child mounts a tmpfs on each, so everything written
  // into them lives in the child's namespace and dies with it: here they stay empty.
  Sandbox& sb = Sandbox::enter();
  std::vector<std::string> dirs;
  try {
    for (std::size_t i : todo) dirs.push_back(sb.make_dir(cases[i]->name.empty() ? name() : cases[i]->name));
  } catch (const std::exception& e) {
    for (const auto& d : dirs) rmdir(d.c_str());
    for (std::size_t i : todo) {
      out[i].kind = TargetOutcome::Kind::Error;
      out[i].reason = std::string("materializing the case: ") + e.what();
    }
    return out;
  }
  auto results = run_isolated_many(
      todo.size(),
      [&](std::size_t k) {
        const Case& c = *cases[todo[k]];
        const std::string& base = dirs[k];
        MaterializedCase m;
        try {
          m = materialize_on_tmpfs(c, base);
        } catch (const std::exception& e) {
          throw std::runtime_error(std::string("materializing the case: ") + e.what());
        }
        std::string text = to_wire(mount_probe_unmount(mount_spec_for(c, api_, m)));
        umount2(base.c_str(), MNT_DETACH);
        return text;
      },
      ChildLimits{opts_.case_timeout_seconds, opts_.memory_limit_mib});
  for (std::size_t k = 0; k < todo.size(); ++k) {
    out[todo[k]] = outcome_of(results[k]);
    if (rmdir(dirs[k].c_str()) != 0) {
      try {
        sb.remove_tree(dirs[k]);
      } catch (...) {
      }
    }
  }
  return out;
}

KernelVersion KernelTarget::level() const { return kernel_features().level; }

}  // namespace ovl
