// From a Case (or an option string plus layer trees) to the model's predicted Observation.
#include "ovl/predict.hpp"

#include <cerrno>

#include "ovl/errnos.hpp"

namespace ovl {

namespace {

Prediction finish(const MountResult& mr, const LayerSource& layers, const Semantics& sem, const ObserveOptions& opts) {
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
  p.model.emplace(std::move(stack), cfg, sem);
  p.observation = p.model->observe(opts);
  p.clauses = p.model->clause_map(opts);
  return p;
}

}  // namespace

Prediction predict(const Case& c, const Semantics& sem, const ModuleParams& module, const ObserveOptions& opts) {
  ParseContext ctx;
  ctx.module = module;
  ctx.semantics = sem;
  ctx.probe = [&c](const std::string& path) -> PathInfo {
    if (c.layer(path)) return PathInfo{0, true, path};
    return PathInfo{ENOENT, false, ""};
  };
  MountResult mr = c.fsconfig ? parse_fsconfig(*c.fsconfig, ctx) : parse_mount_options(c.options, ctx);
  LayerSource src = [&c](const std::string& path) -> std::shared_ptr<const Layer> {
    for (const auto& [name, layer] : c.layers)
      if (name == path) return layer;
    return nullptr;
  };
  return finish(mr, src, sem, opts);
}

Prediction predict_options(std::string_view options, const LayerSource& layers, const PathProbe& probe,
                           const Semantics& sem, const ModuleParams& module, const ObserveOptions& opts) {
  ParseContext ctx;
  ctx.module = module;
  ctx.semantics = sem;
  ctx.probe = probe;
  return finish(parse_mount_options(options, ctx), layers, sem, opts);
}

}  // namespace ovl
