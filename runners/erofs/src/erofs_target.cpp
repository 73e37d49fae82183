// The erofs target (erofs_target.hpp).
#include "ovl/erofs_target.hpp"

#include <sys/statfs.h>

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "ovl/case_batch.hpp"
#include "ovl/erofs_image.hpp"
#include "ovl/features.hpp"
#include "ovl/kernel_target.hpp"
#include "ovl/materialize.hpp"
#include "ovl/option_layout.hpp"
#include "ovl/predict.hpp"
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

ErofsTarget::ErofsTarget(TargetOptions opts, ErofsOptions eopts) : opts_(opts), eopts_(eopts) {}

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
  return std::nullopt;
}

TargetOutcome ErofsTarget::run(const Case& c) {
  if (auto why = why_not(c)) return skipped(*why);
  return run_stack(c);
}

std::vector<TargetOutcome> ErofsTarget::run_many(const std::vector<const Case*>& cases) {
  if (!eopts_.batch || !opts_.share_mounts || unavailable()) return Target::run_many(cases);
  std::vector<TargetOutcome> out(cases.size());
  std::vector<const Case*> runnable;
  std::vector<std::size_t> where;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (auto why = cannot_run(*cases[i])) {
      out[i] = skipped(*why);
    } else {
      runnable.push_back(cases[i]);
      where.push_back(i);
    }
  }
  BatchRunOptions bo;
  bo.max_size = eopts_.max_batch;
  bo.vet = [this](const Case& batch, const std::vector<const Case*>& members) { return vet(batch, members); };
  auto got = run_batched(runnable, [this](const Case& c) { return run_stack(c); }, bo, &stats_);
  for (std::size_t k = 0; k < got.size(); ++k) out[where[k]] = std::move(got[k]);
  return out;
}

std::optional<std::string> ErofsTarget::vet(const Case& batch, const std::vector<const Case*>& members) const {
  if (auto why = cannot_run(batch)) return "the united case cannot run: " + *why;
  if (!eopts_.vet_with_model) return std::nullopt;
  Semantics sem;
  sem.kernel = level();
  sem.one_filesystem = layers_on_one_filesystem(batch);
  const ModuleParams mp = module_params();
  Prediction whole = predict(batch, sem, mp);
  for (std::size_t k = 0; k < members.size(); ++k) {
    Observation inside = gen::extract(whole.observation, k);
    Semantics alone_sem = sem;
    alone_sem.one_filesystem = layers_on_one_filesystem(*members[k]);
    Observation alone = predict(*members[k], alone_sem, mp).observation;
    if (to_json(inside) != to_json(alone))
      return "the model predicts " + members[k]->name + " differently inside the batch than alone";
  }
  return std::nullopt;
}

TargetOutcome ErofsTarget::run_stack(const Case& c) {
  double build_seconds = 0;
  // Each regular lower becomes an image mounted over the layer's own directory, so the option
  // string keeps naming it as written.
  auto images = [&](const MaterializedCase& m) {
    last_fs_types_.clear();
    std::size_t k = 0;
    for (const auto& n : erofs_layer_names(c)) {
      auto it = std::find_if(m.layer_dirs.begin(), m.layer_dirs.end(), [&](const auto& p) { return p.first == n; });
      if (it == m.layer_dirs.end()) continue;
      std::string image = m.base + "/image-" + std::to_string(k++) + ".erofs";
      auto t0 = std::chrono::steady_clock::now();
      build_erofs_image(it->second, image);
      build_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      ++images_;
      mount_erofs(image, it->second);
      struct statfs sf {};
      last_fs_types_.push_back(statfs(it->second.c_str(), &sf) == 0 ? static_cast<unsigned long>(sf.f_type) : 0);
    }
  };
  const MountApi api = (c.options.empty() && c.fsconfig) ? MountApi::Fsconfig : MountApi::Legacy;
  TargetOutcome out =
      materialize_mount_probe(c, api, opts_, c.name.empty() ? name() : c.name, "building the EROFS stack", images);
  mkfs_seconds_ += build_seconds;
  out.seconds += build_seconds;
  return out;
}

KernelVersion ErofsTarget::level() const { return kernel_features().level; }

bool ErofsTarget::layers_on_one_filesystem(const Case& c) const { return erofs_layer_names(c).empty(); }

}  // namespace ovl
