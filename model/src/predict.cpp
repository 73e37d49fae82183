// From a Case (or an option string plus layer trees) to the model's predicted Observation.
#include "ovl/predict.hpp"

#include <cerrno>
#include <map>
#include <tuple>

#include "ovl/errnos.hpp"
#include "observe_walk.hpp"

namespace ovl {

namespace {

/// R17 trap inodes: a layer root or the workdir that lies inside another layer (by the
/// probe's canonical paths) is a trap at that place of the outer layer.
void add_traps(Stack& stack, const MountConfig& cfg, const PathProbe& probe) {
  if (!probe) return;
  std::vector<std::string> canon;
  for (const auto& l : stack.layers) {
    PathInfo pi = probe(l.name);
    canon.push_back(pi.canonical.empty() ? l.name : pi.canonical);
  }
  std::vector<std::string> roots = canon;
  if (cfg.workdir) {
    PathInfo pi = probe(*cfg.workdir);
    roots.push_back(pi.canonical.empty() ? *cfg.workdir : pi.canonical);
  }
  for (std::size_t outer = 0; outer < canon.size(); ++outer) {
    if (stack.layers[outer].role == Role::DataOnly) continue;  // data layers are not looked up by name
    const std::string prefix = canon[outer] == "/" ? "/" : canon[outer] + "/";
    for (const auto& inner : roots)
      if (inner.size() > prefix.size() && inner.starts_with(prefix))
        stack.traps.emplace_back(static_cast<int>(outer), "/" + inner.substr(prefix.size()));
  }
}

Prediction finish(const MountResult& mr, const LayerSource& layers, const PathProbe& probe, const Semantics& sem,
                  const ObserveOptions& opts) {
  Prediction p;
  if (const auto* err = std::get_if<MountError>(&mr)) {
    p.observation.mount = MountStatus{false, errno_name(err->err), err->clause, err->message};
    return p;
  }
  const MountConfig& cfg = std::get<MountConfig>(mr);
  Stack stack;
  auto add = [&](const std::string& path, Role role) {
    auto tree = layers(path);
    if (!tree) throw std::invalid_argument("layer '" + path + "' named in the options has no tree");
    stack.layers.push_back(StackLayer{path, role, std::move(tree)});
  };
  if (cfg.upperdir) add(*cfg.upperdir, Role::Upper);
  for (const auto& l : cfg.lowers) add(l.path, l.role);
  add_traps(stack, cfg, probe);
  p.model.emplace(std::move(stack), cfg, sem);
  std::tie(p.observation, p.clauses) = detail::observe_with_clauses(*p.model, opts);
  return p;
}

/// A layer path as the case sees it: "A", "./A", "A/sub" (relative to the case's scratch).
/// Returns the node, or nullptr with err set; canonical is "A/sub" without "." and "..".
const Node* case_node(const Case& c, const std::string& path, int& err, std::string& canonical) {
  err = ENOENT;
  if (path.empty() || path[0] == '/') return nullptr;
  std::vector<std::string> comps;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string comp = path.substr(i, j - i);
    if (comp == "..") {
      if (comps.empty()) return nullptr;  // outside the scratch: nothing there
      comps.pop_back();
    } else if (!comp.empty() && comp != ".") {
      comps.push_back(std::move(comp));
    }
    i = j + 1;
  }
  if (comps.empty()) return nullptr;
  const Layer* layer = c.layer(comps[0]);
  if (!layer) return nullptr;
  const Node* n = &layer->root();
  canonical = comps[0];
  for (std::size_t k = 1; k < comps.size(); ++k) {
    if (!n->is_dir()) {
      err = ENOTDIR;
      return nullptr;
    }
    n = n->child(comps[k]);
    if (!n) return nullptr;
    canonical += "/" + comps[k];
  }
  err = 0;
  return n;
}

}  // namespace

Prediction predict(const Case& c, const Semantics& sem, const ModuleParams& module, const ObserveOptions& opts) {
  ParseContext ctx;
  ctx.module = module;
  ctx.semantics = sem;
  ctx.probe = [&c](const std::string& path) -> PathInfo {
    int err = 0;
    std::string canonical;
    const Node* n = case_node(c, path, err, canonical);
    if (!n) return PathInfo{err, false, ""};
    return PathInfo{0, n->is_dir(), canonical};
  };
  MountResult mr = c.fsconfig ? parse_fsconfig(*c.fsconfig, ctx) : parse_mount_options(c.options, ctx);
  auto subtrees = std::make_shared<std::map<std::string, std::shared_ptr<const Layer>>>();
  LayerSource src = [&c, subtrees](const std::string& path) -> std::shared_ptr<const Layer> {
    for (const auto& [name, layer] : c.layers)
      if (name == path) return layer;
    int err = 0;
    std::string canonical;
    const Node* n = case_node(c, path, err, canonical);
    if (!n || !n->is_dir()) return nullptr;
    auto& slot = (*subtrees)[canonical];
    if (!slot) {  // a subdirectory of a case layer used as a layer of its own
      auto layer = std::make_shared<Layer>();
      layer->root() = *n;
      slot = std::move(layer);
    }
    return slot;
  };
  return finish(mr, src, ctx.probe, sem, opts);
}

Prediction predict_options(std::string_view options, const LayerSource& layers, const PathProbe& probe,
                           const Semantics& sem, const ModuleParams& module, const ObserveOptions& opts) {
  ParseContext ctx;
  ctx.module = module;
  ctx.semantics = sem;
  ctx.probe = probe;
  return finish(parse_mount_options(options, ctx), layers, probe, sem, opts);
}

}  // namespace ovl
