// same_case: structural equality of two cases (for the printer round trip).
#include <algorithm>

#include "ovl/case_format.hpp"

namespace ovl {

namespace {

bool same_node(const Node& a, const Node& b, const std::string& path, std::string& why) {
  auto differ = [&](const std::string& what) {
    why = path + ": " + what + " differs";
    return false;
  };
  if (a.type != b.type) return differ("type");
  if (a.mode != b.mode) return differ("mode");
  if (a.uid != b.uid || a.gid != b.gid) return differ("owner");
  if (a.type == NodeType::Reg && (a.size != b.size || a.data != b.data)) return differ("content or size");
  if (a.type == NodeType::Lnk && a.target != b.target) return differ("symlink target");
  if ((a.type == NodeType::Chr || a.type == NodeType::Blk) && (a.rdev_major != b.rdev_major || a.rdev_minor != b.rdev_minor))
    return differ("device number");
  if (a.xattrs != b.xattrs) return differ("xattrs");
  if (a.children.size() != b.children.size()) return differ("children");
  for (auto ia = a.children.begin(), ib = b.children.begin(); ia != a.children.end(); ++ia, ++ib) {
    if (ia->first != ib->first) return differ("children");
    if (!same_node(*ia->second, *ib->second, join_path(path, ia->first), why)) return false;
  }
  return true;
}

bool same_fsconfig(const std::optional<std::vector<FsconfigCall>>& a, const std::optional<std::vector<FsconfigCall>>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  if (a->size() != b->size()) return false;
  for (std::size_t i = 0; i < a->size(); ++i)
    if ((*a)[i].kind != (*b)[i].kind || (*a)[i].key != (*b)[i].key || (*a)[i].value != (*b)[i].value) return false;
  return true;
}

Expectation normalized(Expectation e) {
  e.line = 0;
  if (e.entry) {
    if (e.entry->children) std::sort(e.entry->children->begin(), e.entry->children->end());
    if (e.entry->xattrs) std::sort(e.entry->xattrs->begin(), e.entry->xattrs->end());
  }
  return e;
}

bool same_expectation(const Expectation& a0, const Expectation& b0) {
  Expectation a = normalized(a0), b = normalized(b0);
  return a.entry == b.entry && a.mount == b.mount && a.absent == b.absent && a.content_text == b.content_text;
}

}  // namespace

bool same_case(const Case& a, const Case& b, std::string* why) {
  std::string w;
  auto differ = [&](const std::string& what) {
    if (why) *why = what;
    return false;
  };
  if (a.name != b.name) return differ("name");
  if (a.description != b.description) return differ("description");
  if (a.clauses != b.clauses) return differ("clauses");
  if (a.options != b.options) return differ("options");
  if (!same_fsconfig(a.fsconfig, b.fsconfig)) return differ("fsconfig");
  if (a.semantics != b.semantics) return differ("semantics");
  if (a.min_kernel != b.min_kernel) return differ("min_kernel");
  if (a.layers.size() != b.layers.size()) return differ("number of layers");
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    if (a.layers[i].first != b.layers[i].first) return differ("layer name #" + std::to_string(i));
    if (!same_node(a.layers[i].second->root(), b.layers[i].second->root(), "/", w))
      return differ("layer " + a.layers[i].first + ": " + w);
  }
  if (a.expects.size() != b.expects.size()) return differ("number of expectations");
  for (std::size_t i = 0; i < a.expects.size(); ++i)
    if (!same_expectation(a.expects[i], b.expects[i])) return differ("expectation #" + std::to_string(i));
  return true;
}

}  // namespace ovl
