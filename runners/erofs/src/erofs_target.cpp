// The erofs target (erofs_target.hpp).
#include "ovl/erofs_target.hpp"

#include <sys/statfs.h>

#include <algorithm>
#include <chrono>

#include "ovl/erofs_image.hpp"
#include "ovl/features.hpp"
#include "ovl/kernel_target.hpp"
#include "ovl/materialize.hpp"
#include "ovl/option_layout.hpp"
#include "ovl/probe.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

OptionLayout layout_of(const Case& c) {
  return (c.options.empty() && c.fsconfig) ? layout_of_calls(*c.fsconfig) : layout_of_options(c.options);
}

// The case layer a layer path names: "./A" -> "A", "A/sub" -> "A" (the longest case layer name
// that is the path or a parent of it), or "" when it names none.
std::string layer_of_path(const Case& c, std::string path) {
  while (path.rfind("./", 0) == 0) path.erase(0, 2);
  std::string best;
  for (const auto& [name, layer] : c.layers) {
    if (path == name || (path.size() > name.size() && path.compare(0, name.size(), name) == 0 && path[name.size()] == '/'))
      if (name.size() > best.size()) best = name;
  }
  return best;
}

// mkfs.erofs 1.5 refuses a directory entry of 255 bytes ("Could not format the device").
constexpr std::size_t kMkfsMaxName = 254;

// The first entry name under n longer than mkfs.erofs can store ("" when none).
std::string too_long_name(const Node& n, const std::string& path) {
  for (const auto& [name, child] : n.children) {
    if (name.size() > kMkfsMaxName) return path + "/" + name.substr(0, 16) + "…";
    std::string deeper = too_long_name(*child, path + "/" + name);
    if (!deeper.empty()) return deeper;
  }
  return "";
}

// Whether a directory under n carries the overlay impure marker (either namespace).
bool has_impure_dir(const Node& n) {
  if (n.is_dir() && (n.xattr("trusted.overlay.impure") || n.xattr("user.overlay.impure"))) return true;
  for (const auto& [name, child] : n.children)
    if (has_impure_dir(*child)) return true;
  return false;
}

}  // namespace

std::vector<std::string> erofs_layer_names(const Case& c) {
  OptionLayout l = layout_of(c);
  std::vector<std::string> out;
  for (const auto& p : l.lowers) {
    std::string n = layer_of_path(c, p);
    if (!n.empty() && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  return out;
}

ErofsTarget::ErofsTarget(TargetOptions opts) : opts_(opts) {}

std::optional<std::string> ErofsTarget::unavailable() const {
  if (auto why = overlay_unavailable_reason()) return why;
  if (auto why = erofs_unavailable_reason()) return why;
  try {
    Sandbox::enter();
  } catch (const SandboxError& e) {
    return std::string("sandbox: ") + e.what();
  }
  return std::nullopt;
}

std::optional<std::string> ErofsTarget::cannot_run(const Case& c) const {
  for (const auto& s : c.semantics)
    if (!s.empty() && s != "kernel") return "written for the proposal '" + s + "', which no kernel implements";
  const KernelFeatures& f = kernel_features();
  if (c.min_kernel && f.level < *c.min_kernel)
    return "needs kernel " + c.min_kernel->str() + ", this kernel is compared at " + f.level.str() + " (" + f.release + ")";
  if (c.options.empty() && c.fsconfig) {
    for (const auto& call : *c.fsconfig)
      if (call.kind == FsconfigCall::Kind::Fd && !f.fd_layers) return "FSCONFIG_SET_FD layers need kernel 6.13";
  }
  OptionLayout l = layout_of(c);
  for (const auto& n : erofs_layer_names(c)) {
    if (l.upper && layer_of_path(c, *l.upper) == n)
      return "layer " + n + " is both a lower and the upper; a lower served from a read-only EROFS image cannot be written";
    if (l.work && layer_of_path(c, *l.work) == n)
      return "layer " + n + " is both a lower and the workdir; a lower served from a read-only EROFS image cannot be written";
    const Layer* layer = c.layer(n);
    if (layer) {
      std::string bad = too_long_name(layer->root(), "");
      if (!bad.empty()) return "layer " + n + ": mkfs.erofs 1.5 cannot store a 255-byte name (" + bad + ")";
    }
  }
  // readdir.impure: the kernel looks impure upper entries up only when every layer is on one
  // filesystem or xino is on (readdir.c:ovl_calc_d_ino); EROFS lowers put the upper on another
  // filesystem, and the model assumes one filesystem for all layers.
  if (l.upper && !erofs_layer_names(c).empty()) {
    const Layer* up = c.layer(layer_of_path(c, *l.upper));
    if (up && has_impure_dir(up->root()))
      return "an impure upper directory is read differently when the lowers are on another filesystem "
             "(ovl_calc_d_ino: no per-entry lookups without one filesystem or xino); the model assumes one filesystem";
  }
  return std::nullopt;
}

TargetOutcome ErofsTarget::run(const Case& c) {
  TargetOutcome out;
  if (auto why = unavailable()) {
    out.kind = TargetOutcome::Kind::Skipped;
    out.reason = *why;
    return out;
  }
  if (auto why = cannot_run(c)) {
    out.kind = TargetOutcome::Kind::Skipped;
    out.reason = *why;
    return out;
  }
  Sandbox& sb = Sandbox::enter();
  std::string base;
  double build_seconds = 0;
  try {
    base = sb.make_dir(c.name.empty() ? name() : c.name);
    MaterializedCase m = materialize_case(c, base);
    last_fs_types_.clear();
    std::size_t k = 0;
    for (const auto& n : erofs_layer_names(c)) {
      auto it = std::find_if(m.layer_dirs.begin(), m.layer_dirs.end(), [&](const auto& p) { return p.first == n; });
      if (it == m.layer_dirs.end()) continue;
      std::string image = base + "/image-" + std::to_string(k++) + ".erofs";
      auto t0 = std::chrono::steady_clock::now();
      build_erofs_image(it->second, image);
      build_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      ++images_;
      // Over the layer's own directory: the option string keeps naming it as written.
      mount_erofs(image, it->second);
      struct statfs sf {};
      last_fs_types_.push_back(statfs(it->second.c_str(), &sf) == 0 ? static_cast<unsigned long>(sf.f_type) : 0);
    }
    MountSpec spec;
    if (c.options.empty() && c.fsconfig) {
      spec.api = MountApi::Fsconfig;
      spec.calls = c.fsconfig;
    } else {
      spec.api = MountApi::Legacy;
      spec.options = c.options;
    }
    spec.cwd = m.layers_dir;
    spec.mountpoint = m.mountpoint;
    spec.candidates = candidate_paths(probe_layers(c));
    out = mount_and_probe(spec, opts_);
  } catch (const std::exception& e) {
    out.kind = TargetOutcome::Kind::Error;
    out.reason = std::string("building the EROFS stack: ") + e.what();
  }
  mkfs_seconds_ += build_seconds;
  out.seconds += build_seconds;
  if (!base.empty()) {
    try {
      sb.remove_tree(base);
    } catch (...) {
    }
  }
  return out;
}

KernelVersion ErofsTarget::level() const { return kernel_features().level; }

}  // namespace ovl
