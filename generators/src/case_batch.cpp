// The batching transform on Cases (case_batch.hpp).
#include "ovl/case_batch.hpp"

#include <map>
#include <stdexcept>

#include "batch_core.hpp"

namespace ovl::gen {
namespace {

// Room left for the ".k" suffix under NAME_MAX.
constexpr std::size_t kMaxBatchedName = 250;

void flatten(const Node& n, const std::string& path, std::vector<detail::FlatEntry>& out) {
  // Role: a Case does not say it without parsing the options; every layer counts as a regular
  // lower, which only makes more cases setters or readers (fewer batches).
  out.push_back({Role::Lower, path, n.type, &n.xattrs});
  for (const auto& [name, child] : n.children) flatten(*child, join_path(path, name), out);
}

std::vector<detail::FlatEntry> flat(const Case& c) {
  std::vector<detail::FlatEntry> out;
  for (const auto& [name, layer] : c.layers)
    if (layer) flatten(layer->root(), "/", out);
  return out;
}

/// The layer-blind xwhiteouts rule for a Case (see batch_core.hpp).
detail::LayerFlags case_flags(const Case& c) {
  auto f = flat(c);
  return detail::coarse_layer_flags(detail::has_xwhiteout_marker(f), detail::flag_sensitive(f));
}

// Renames the redirect values of n and everything below it as case k (n stands at the root when
// top_level).
void rename_redirects(Node& n, std::size_t k, bool top_level) {
  for (auto& [name, value] : n.xattrs)
    if (detail::is_redirect_name(name)) value = detail::rename_redirect(value, k, top_level);
  for (auto& [name, child] : n.children) rename_redirects(*child, k, false);
}

}  // namespace

std::optional<std::string> unbatchable_reason(const Case& c) {
  if (c.fsconfig) return "the case mounts through an fsconfig sequence";
  if (c.options.find('/') != std::string::npos)
    return "the options name a path with '/', which renaming top-level names would move";
  for (const auto& [lname, layer] : c.layers) {
    if (!layer) continue;
    const Node& root = layer->root();
    for (const auto& [name, value] : root.xattrs) {
      if (detail::is_opaque_name(name) && value == "x")
        return "the root of layer " + lname + " is marked opaque=x: reading \"/\" looks up top-level entries";
      if ((name == "trusted.overlay.impure" || name == "user.overlay.impure") && value == "y")
        return "the root of layer " + lname + " is impure: reading \"/\" looks up top-level entries";
    }
    for (const auto& [name, child] : root.children) {
      if (name.find('.') != std::string::npos) return "top-level name with '.' in layer " + lname;
      if (name.size() > kMaxBatchedName) return "a top-level name in layer " + lname + " is too long to rename";
    }
  }
  return std::nullopt;
}

std::string batch_key(const Case& c) {
  std::string key = c.options + "\n";
  for (const auto& s : c.semantics) key += "semantics " + s + "\n";
  for (const auto& [name, layer] : c.layers) {
    key += "layer " + name;
    if (layer) {
      const Node& r = layer->root();
      key += " " + std::to_string(r.mode) + " " + std::to_string(r.uid) + ":" + std::to_string(r.gid);
      for (const auto& [x, v] : r.xattrs) key += " " + x + "=" + std::to_string(v.size()) + ":" + v;
    }
    key += "\n";
  }
  return key;
}

Case renamed(const Case& c, std::size_t k) {
  Case out = c;
  out.layers.clear();
  for (const auto& [lname, layer] : c.layers) {
    auto l = std::make_shared<Layer>();
    if (layer) {
      Node& root = l->root();
      const Node& src = layer->root();
      root.type = src.type;
      root.mode = src.mode;
      root.uid = src.uid;
      root.gid = src.gid;
      root.xattrs = src.xattrs;
      for (const auto& [name, child] : src.children)
      {
        auto copy = std::make_unique<Node>(*child);
        rename_redirects(*copy, k, true);
        root.children.emplace(batch_name(name, k), std::move(copy));
      }
    }
    out.layers.emplace_back(lname, std::move(l));
  }
  return out;
}

Case make_case_batch(const std::vector<const Case*>& cases, const std::string& name) {
  if (cases.empty()) throw std::invalid_argument("make_case_batch: no cases");
  const Case& first = *cases.front();
  const std::string key = batch_key(first);
  detail::LayerFlagSet flags;
  Case out;
  out.name = name;
  out.options = first.options;
  out.semantics = first.semantics;
  out.min_kernel = first.min_kernel;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const Case& c = *cases[k];
    if (batch_key(c) != key) throw std::invalid_argument("make_case_batch: case " + c.name + " has another key");
    if (auto why = unbatchable_reason(c))
      throw std::invalid_argument("make_case_batch: case " + c.name + " is not batchable: " + *why);
    flags.add(case_flags(c));
    if (c.min_kernel && (!out.min_kernel || *out.min_kernel < *c.min_kernel)) out.min_kernel = c.min_kernel;
    Case p = renamed(c, k);
    if (k == 0) {
      out.layers = std::move(p.layers);
      continue;
    }
    for (std::size_t i = 0; i < p.layers.size(); ++i) {
      Node& dst = out.layers[i].second->root();
      for (auto& [n, child] : p.layers[i].second->root().children) dst.children.emplace(n, std::move(child));
    }
  }
  if (flags.conflict)
    throw std::invalid_argument("make_case_batch: a case that reads xwhiteouts flags shares the mount with another case that sets them");
  return out;
}

std::vector<std::vector<std::size_t>> plan_case_batches(const std::vector<const Case*>& cases, std::size_t max_size) {
  return detail::plan_first_fit(
      cases.size(), max_size, [&](std::size_t i) { return !unbatchable_reason(*cases[i]); },
      [&](std::size_t i) { return batch_key(*cases[i]); }, [&](std::size_t i) { return case_flags(*cases[i]); });
}

}  // namespace ovl::gen
