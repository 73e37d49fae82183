// case_path_info / case_layer_source / predict_case: option paths resolved against a case's layers.
#include "ovl/case_paths.hpp"

#include <cerrno>
#include <map>
#include <memory>

namespace ovl {

namespace {

/// The normalized components of a relative path, or nullopt when ".." leaves the scratch.
std::optional<std::vector<std::string>> components(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::string comp = path.substr(start, slash - start);
    if (comp == "..") {
      if (out.empty()) return std::nullopt;
      out.pop_back();
    } else if (!comp.empty() && comp != ".") {
      out.push_back(comp);
    }
    start = slash + 1;
  }
  return out;
}

/// The node a path names, with the errno of a failed walk.
const Node* resolve(const Case& c, const std::string& path, int& err, std::string& canonical) {
  err = ENOENT;
  if (path.empty() || path[0] == '/') return nullptr;  // the corpus uses relative layer paths only
  auto comps = components(path);
  if (!comps || comps->empty()) return nullptr;
  const Layer* layer = c.layer((*comps)[0]);
  if (!layer) return nullptr;
  const Node* n = &layer->root();
  canonical = (*comps)[0];
  for (std::size_t i = 1; i < comps->size(); ++i) {
    if (!n->is_dir()) {
      err = ENOTDIR;
      return nullptr;
    }
    n = n->child((*comps)[i]);
    if (!n) return nullptr;
    canonical += "/" + (*comps)[i];
  }
  err = 0;
  return n;
}

}  // namespace

PathInfo case_path_info(const Case& c, const std::string& path) {
  int err = 0;
  std::string canonical;
  const Node* n = resolve(c, path, err, canonical);
  if (!n) return PathInfo{err, false, ""};
  return PathInfo{0, n->is_dir(), canonical};
}

LayerSource case_layer_source(const Case& c) {
  auto cache = std::make_shared<std::map<std::string, std::shared_ptr<const Layer>>>();
  return [&c, cache](const std::string& path) -> std::shared_ptr<const Layer> {
    for (const auto& [name, layer] : c.layers)
      if (name == path) return layer;
    int err = 0;
    std::string canonical;
    const Node* n = resolve(c, path, err, canonical);
    if (!n || !n->is_dir()) return nullptr;
    auto it = cache->find(canonical);
    if (it != cache->end()) return it->second;
    auto layer = std::make_shared<Layer>();
    layer->root() = *n;
    cache->emplace(canonical, layer);
    return layer;
  };
}

Prediction predict_case(const Case& c, const Semantics& sem, const ModuleParams& module) {
  if (c.fsconfig) return predict(c, sem, module);
  PathProbe probe = [&c](const std::string& path) { return case_path_info(c, path); };
  return predict_options(c.options, case_layer_source(c), probe, sem, module);
}

}  // namespace ovl
