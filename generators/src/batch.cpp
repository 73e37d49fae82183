// The batching transform (see batch.hpp for what it does and why it is sound).
#include "ovl/batch.hpp"

#include <map>
#include <set>
#include <stdexcept>

#include "batch_core.hpp"

namespace ovl::gen {
namespace {

using detail::first_component;

// The entries of g as the shared flag analysis reads them.
std::vector<detail::FlatEntry> flat(const GenCase& g) {
  std::vector<detail::FlatEntry> out;
  for (const auto& l : g.layers)
    for (const auto& e : l.entries) out.push_back({l.role, e.path, e.type, &e.xattrs});
  return out;
}

// The flag analysis sees only entries the case really has: to_case drops an entry under a
// non-directory, and a marker on such an entry decides nothing (found by the fuzzer: an
// opaque=x under a symlink counted as the case's own marker, seed 20261129, case 733822).
detail::LayerFlags layer_flags(const GenCase& g) {
  const Case placed = to_case(g);
  std::vector<detail::FlatEntry> f;
  std::vector<int> layer_of;
  for (std::size_t i = 0; i < g.layers.size(); ++i) {
    const Layer* layer = nullptr;
    for (const auto& [name, l] : placed.layers)
      if (name == g.layers[i].name) layer = l.get();
    for (const auto& e : g.layers[i].entries) {
      const Node* n = layer ? layer->find(e.path) : nullptr;
      if (!n || n->type != e.type) continue;
      f.push_back({g.layers[i].role, e.path, e.type, &e.xattrs});
      layer_of.push_back(static_cast<int>(i));
    }
  }
  return detail::layer_flags(f, layer_of, g.prefix() + "opaque");
}

}  // namespace

std::optional<std::string> unbatchable_reason(const GenCase& g) {
  for (const auto& l : g.layers)
    for (const auto& e : l.entries)
      if (e.path != "/" && first_component(e.path).find('.') != std::string::npos)
        return "top-level name with '.' in layer " + l.name;
  return std::nullopt;
}

bool has_xwhiteout_marker(const GenCase& g) { return detail::has_xwhiteout_marker(flat(g)); }

bool flag_sensitive(const GenCase& g) { return detail::flag_sensitive(flat(g)); }

XwhiteoutLayers xwhiteout_layers(const GenCase& g) {
  auto f = layer_flags(g);
  return {f.sets, f.reads};
}

namespace {

}  // namespace

std::string batch_key(const GenCase& g) {
  std::string key = option_string(g);
  for (const auto& l : g.layers)
    for (const auto& e : l.entries)
      if (e.path == "/" && e.type == NodeType::Dir)
        for (const auto& [name, value] : e.xattrs) key += "|" + l.name + ":" + name + "=" + value;
  return key;
}

std::string batch_name(const std::string& name, std::size_t k) { return name + "." + std::to_string(k); }

GenCase renamed(const GenCase& g, std::size_t k) {
  GenCase out = g;
  for (auto& l : out.layers) {
    for (auto& e : l.entries) {
      if (e.path == "/") continue;
      std::string top = first_component(e.path);
      bool top_level = e.path.size() == top.size() + 1;
      e.path = "/" + batch_name(top, k) + e.path.substr(top.size() + 1);
      for (auto& [name, value] : e.xattrs)
        if (detail::is_redirect_name(name)) value = detail::rename_redirect(value, k, top_level);
    }
  }
  return out;
}

GenCase make_batch(const std::vector<const GenCase*>& cases) {
  if (cases.empty()) throw std::invalid_argument("make_batch: no cases");
  GenCase out = *cases.front();
  for (auto& l : out.layers) {
    std::erase_if(l.entries, [](const GenEntry& e) { return e.path != "/"; });
  }
  std::string key = batch_key(*cases.front());
  detail::LayerFlagSet flags;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const GenCase& c = *cases[k];
    if (batch_key(c) != key) throw std::invalid_argument("make_batch: case " + std::to_string(k) + " has another key");
    if (auto why = unbatchable_reason(c))
      throw std::invalid_argument("make_batch: case " + std::to_string(k) + " is not batchable: " + *why);
    flags.add(layer_flags(c));
    GenCase p = renamed(c, k);
    for (std::size_t i = 0; i < p.layers.size(); ++i)
      for (auto& e : p.layers[i].entries)
        if (e.path != "/") out.layers[i].entries.push_back(std::move(e));
  }
  if (flags.conflict)
    throw std::invalid_argument("make_batch: a case that reads xwhiteouts flags shares the mount with another case that sets them");
  return out;
}

Observation extract(const Observation& batch, std::size_t k) {
  Observation out;
  out.mount = batch.mount;
  std::string suffix = "." + std::to_string(k);
  auto strip = [&](const std::string& top) -> std::optional<std::string> {
    if (top.size() <= suffix.size() || top.compare(top.size() - suffix.size(), suffix.size(), suffix) != 0)
      return std::nullopt;
    std::string n = top.substr(0, top.size() - suffix.size());
    if (n.find('.') != std::string::npos) return std::nullopt;
    return n;
  };
  auto restore = [&](const std::string& path) -> std::optional<std::string> {
    if (path == "/") return path;
    std::string top = first_component(path);
    auto n = strip(top);
    if (!n) return std::nullopt;
    return "/" + *n + path.substr(top.size() + 1);
  };
  for (const auto& e : batch.entries) {
    auto p = restore(e.path);
    if (!p) continue;
    Entry c = e;
    c.path = *p;
    if (e.path == "/" && c.children) {
      std::vector<std::string> kids;
      for (const auto& name : *c.children)
        if (auto n = strip(name)) kids.push_back(*n);
      c.children = kids;
    }
    if (c.source) {
      if (auto sp = restore(c.source->path)) c.source->path = *sp;
    }
    out.entries.push_back(std::move(c));
  }
  out.normalize();
  return out;
}

std::vector<std::vector<std::size_t>> plan_batches(const std::vector<GenCase>& cases, std::size_t max_size) {
  return detail::plan_first_fit(
      cases.size(), max_size, [&](std::size_t i) { return !unbatchable_reason(cases[i]); },
      [&](std::size_t i) { return batch_key(cases[i]); }, [&](std::size_t i) { return layer_flags(cases[i]); });
}

}  // namespace ovl::gen
