// In-memory cases exercising the model's rules, shared by the kernel tests.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "ovl/case.hpp"

namespace ovl::test {

/// A small builder for Cases: layers by name, nodes by path.
class CaseBuilder {
 public:
  CaseBuilder(std::string name, std::string options) {
    c_.name = std::move(name);
    c_.options = std::move(options);
  }
  /// The layer named n (created on first use, in that order).
  Layer& layer(const std::string& n) {
    for (auto& [name, l] : c_.layers)
      if (name == n) return *std::const_pointer_cast<Layer>(l);
    auto l = std::make_shared<Layer>();
    c_.layers.emplace_back(n, l);
    return *l;
  }
  CaseBuilder& file(const std::string& l, const std::string& path, const std::string& data) {
    layer(l).put(path, Node::file(data));
    return *this;
  }
  /// An empty layer (e.g. the workdir, declared so that predict() knows it exists).
  CaseBuilder& empty(const std::string& l) {
    layer(l);
    return *this;
  }
  CaseBuilder& dir(const std::string& l, const std::string& path) {
    layer(l).put(path, Node::dir());
    return *this;
  }
  CaseBuilder& node(const std::string& l, const std::string& path, Node n) {
    layer(l).put(path, std::move(n));
    return *this;
  }
  CaseBuilder& xattr(const std::string& l, const std::string& path, const std::string& name, const std::string& value) {
    Node* n = const_cast<Node*>(layer(l).find(path));
    if (!n) throw std::invalid_argument("no node " + path + " in layer " + l);
    n->xattrs[name] = value;
    return *this;
  }
  CaseBuilder& clause(const std::string& id) {
    c_.clauses.push_back(id);
    return *this;
  }
  Case build() const { return c_; }

 private:
  Case c_;
};

/// A metacopy file: size bytes long, no data, with a metacopy xattr (and a redirect if given).
inline Node metacopy_file(std::uint64_t size, const std::string& redirect = "", const std::string& prefix = "trusted.overlay.") {
  Node n = Node::file("");
  n.size = size;
  n.xattrs[prefix + "metacopy"] = "";
  if (!redirect.empty()) n.xattrs[prefix + "redirect"] = redirect;
  return n;
}

/// A directory with one xattr.
inline Node dir_with(const std::string& name, const std::string& value) {
  Node n = Node::dir();
  n.xattrs[name] = value;
  return n;
}

/// The cases: one or more per rule family of the model.
std::vector<Case> rule_cases();

}  // namespace ovl::test
