// The batching transform (see batch.hpp for what it does and why it is sound).
#include "ovl/batch.hpp"

#include <map>
#include <set>
#include <stdexcept>

namespace ovl::gen {
namespace {

bool is_redirect_name(const std::string& name) {
  return name == "trusted.overlay.redirect" || name == "user.overlay.redirect";
}

bool is_opaque_name(const std::string& name) {
  return name == "trusted.overlay.opaque" || name == "user.overlay.opaque";
}

std::string first_component(const std::string& path) {
  std::size_t j = path.find('/', 1);
  return path.substr(1, j == std::string::npos ? std::string::npos : j - 1);
}

/// An absolute redirect with the components that stand at the root renamed.
std::string rename_absolute(const std::string& v, std::size_t k) {
  std::string out;
  int depth = 0;
  std::size_t i = 1;
  while (i <= v.size()) {
    std::size_t j = v.find('/', i);
    if (j == std::string::npos) j = v.size();
    std::string c = v.substr(i, j - i);
    out += "/";
    if (c.empty() || c == ".") {
      out += c;
    } else if (c == "..") {
      out += c;
      if (depth > 0) --depth;
      else depth = -1000;  // escaped the root: nothing after this is at the root any more
    } else {
      out += depth == 0 ? batch_name(c, k) : c;
      ++depth;
    }
    i = j + 1;
  }
  return out;
}

}  // namespace

std::optional<std::string> unbatchable_reason(const GenCase& g) {
  for (const auto& l : g.layers)
    for (const auto& e : l.entries)
      if (e.path != "/" && first_component(e.path).find('.') != std::string::npos)
        return "top-level name with '.' in layer " + l.name;
  return std::nullopt;
}

bool has_xwhiteout_marker(const GenCase& g) {
  for (const auto& l : g.layers)
    for (const auto& e : l.entries)
      for (const auto& [name, value] : e.xattrs)
        if (is_opaque_name(name) && value == "x") return true;
  return false;
}

bool flag_sensitive(const GenCase& g) {
  if (!has_xwhiteout_marker(g)) return false;
  // Directory paths with opaque=x, and the parents of files with an overlay.whiteout xattr, in
  // the regular lowers (readdir hides xattr whiteouts only there, R23). Redirected directories
  // merge other paths: then any marker and any such file count.
  std::set<std::string> marked, parents;
  bool redirects = false;
  for (const auto& l : g.layers) {
    if (l.role != Role::Lower) continue;
    for (const auto& e : l.entries) {
      for (const auto& [name, value] : e.xattrs) {
        if (e.type == NodeType::Dir && is_opaque_name(name) && value == "x") marked.insert(e.path);
        if (e.type == NodeType::Dir && is_redirect_name(name)) redirects = true;
        if (e.type == NodeType::Reg && (name == "trusted.overlay.whiteout" || name == "user.overlay.whiteout")) {
          std::size_t i = e.path.rfind('/');
          parents.insert(i == 0 ? "/" : e.path.substr(0, i));
        }
      }
    }
  }
  if (parents.empty()) return false;
  if (redirects) return true;
  for (const auto& p : parents)
    if (marked.count(p)) return true;
  return false;
}

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
      for (auto& [name, value] : e.xattrs) {
        if (!is_redirect_name(name) || value.empty()) continue;
        if (value.front() == '/') value = rename_absolute(value, k);
        else if (top_level && value.find('/') == std::string::npos && value != "." && value != "..")
          value = batch_name(value, k);
      }
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
  int markers = 0, sensitive = 0;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const GenCase& c = *cases[k];
    if (batch_key(c) != key) throw std::invalid_argument("make_batch: case " + std::to_string(k) + " has another key");
    if (auto why = unbatchable_reason(c))
      throw std::invalid_argument("make_batch: case " + std::to_string(k) + " is not batchable: " + *why);
    markers += has_xwhiteout_marker(c);
    sensitive += flag_sensitive(c);
    GenCase p = renamed(c, k);
    for (std::size_t i = 0; i < p.layers.size(); ++i)
      for (auto& e : p.layers[i].entries)
        if (e.path != "/") out.layers[i].entries.push_back(std::move(e));
  }
  if (sensitive > 0 && markers > 1)
    throw std::invalid_argument("make_batch: a case that reads xwhiteout flags shares the mount with another opaque=x case");
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
  std::vector<std::vector<std::size_t>> out;
  std::vector<int> markers;                                // per batch: opaque=x cases in it
  std::vector<bool> sensitive;                             // per batch: holds a flag-sensitive case
  std::map<std::string, std::vector<std::size_t>> open;    // key -> batches with room, oldest first
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (max_size <= 1 || unbatchable_reason(cases[i])) {
      out.push_back({i});
      markers.push_back(1);
      sensitive.push_back(true);
      continue;
    }
    bool marker = has_xwhiteout_marker(cases[i]);
    bool sens = flag_sensitive(cases[i]);
    auto fits = [&](std::size_t b) {
      if (!marker) return true;
      if (sens) return markers[b] == 0;
      return !sensitive[b];
    };
    auto& list = open[batch_key(cases[i])];
    std::size_t chosen = out.size();
    for (std::size_t b : list) {
      if (fits(b)) {
        chosen = b;
        break;
      }
    }
    if (chosen == out.size()) {
      out.push_back({});
      markers.push_back(0);
      sensitive.push_back(false);
      list.push_back(chosen);
    }
    out[chosen].push_back(i);
    markers[chosen] += marker;
    if (sens) sensitive[chosen] = true;
    if (out[chosen].size() >= max_size) std::erase(list, chosen);
  }
  return out;
}

}  // namespace ovl::gen
