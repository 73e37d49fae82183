// The check of a stack against the kernel targets (check.hpp).
#include "ovl/check.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <map>
#include <memory>

#include "ovl/disk_layers.hpp"
#include "ovl/features.hpp"
#include "ovl/layer_reader.hpp"
#include "ovl/option_layout.hpp"
#include "ovl/probe.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

std::string api_name(MountApi api) { return api == MountApi::Legacy ? "kernel" : "kernel-fsconfig"; }

void add_divergences(CheckTarget& t, const Prediction& p) {
  if (t.outcome.kind == TargetOutcome::Kind::Observed)
    t.divergences = diff(p.observation, t.outcome.observation, {}, p.clauses);
}

}  // namespace

bool CheckResult::failed() const {
  for (const auto& t : targets)
    if (!t.divergences.empty() || t.outcome.kind == TargetOutcome::Kind::Error) return true;
  return false;
}

CheckResult check_options_on_disk(std::string_view options, const std::vector<MountApi>& apis, const Semantics& sem,
                                  const TargetOptions& topts) {
  CheckResult r;
  r.stack.name = "check";
  r.stack.options = std::string(options);
  DiskLayers disk;
  LayerSource layers = disk.source();
  PathProbe probe = disk_path_probe();
  // Read every layer the options name, so the reproducer and the candidates have them all.
  OptionLayout layout = layout_of_options(options);
  std::vector<const Layer*> regular;
  for (const auto& p : layout.lowers)
    if (auto l = layers(p)) regular.push_back(l.get());
  for (const auto& p : layout.data) layers(p);
  if (layout.upper)
    if (auto l = layers(*layout.upper)) regular.push_back(l.get());
  r.prediction = predict_options(options, layers, probe, sem, module_params());
  for (const auto& [path, layer] : disk.read()) r.stack.layers.emplace_back(path, layer);

  Sandbox& sb = Sandbox::enter();
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) throw SandboxError("getcwd failed");
  std::vector<std::string> candidates = candidate_paths(regular);
  for (MountApi api : apis) {
    CheckTarget t;
    t.name = api_name(api);
    std::string mp = sb.make_dir("check-" + t.name);
    MountSpec spec;
    spec.api = api;
    spec.options = std::string(options);
    spec.cwd = cwd;
    spec.mountpoint = mp;
    spec.candidates = candidates;
    t.outcome = mount_and_probe(spec, topts);
    sb.remove_tree(mp);
    add_divergences(t, r.prediction);
    r.targets.push_back(std::move(t));
  }
  return r;
}

CheckResult check_case(const Case& c, const std::vector<MountApi>& apis, const Semantics& sem, const TargetOptions& topts) {
  CheckResult r;
  r.stack = c;
  r.prediction = predict(c, sem, module_params());
  for (MountApi api : apis) {
    KernelTarget target(api, topts);
    CheckTarget t;
    t.name = target.name();
    t.outcome = target.run(c);
    add_divergences(t, r.prediction);
    r.targets.push_back(std::move(t));
  }
  return r;
}

}  // namespace ovl
