// Helpers for the model's tests: in-memory stacks built in a few lines, and trace collection
// (every clause a test's traces name must be a heading of spec/overlay-lookup.md).
#pragma once
#include <cerrno>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "ovl/errnos.hpp"
#include "ovl/model.hpp"
#include "ovl/sha256.hpp"

namespace ovl::test {

/// The clause ids of spec/overlay-lookup.md: every `### [id] Title` heading.
inline const std::set<std::string>& spec_clause_ids() {
  static const std::set<std::string> ids = [] {
    std::set<std::string> out;
    const std::string spec = std::string(OVLSPEC_SOURCE_DIR) + "/spec/";
    std::vector<std::string> files{spec + "overlay-lookup.md"};
    // Proposal clauses (proposal.*) may live in spec/proposals/*.md.
    if (std::filesystem::is_directory(spec + "proposals"))
      for (const auto& f : std::filesystem::directory_iterator(spec + "proposals"))
        if (f.path().extension() == ".md") files.push_back(f.path().string());
    static const std::regex heading(R"(^### \[([^\]]+)\])");
    for (const auto& file : files) {
      std::ifstream in(file);
      std::string line;
      std::smatch m;
      while (std::getline(in, line))
        if (std::regex_search(line, m, heading)) out.insert(m[1]);
    }
    return out;
  }();
  return ids;
}

/// Checks, as traces are produced, that each clause they name is a heading of the spec.
inline void record(const std::vector<TraceStep>& trace) {
  for (const auto& t : trace)
    EXPECT_TRUE(spec_clause_ids().count(t.clause)) << "trace names clause [" << t.clause
                                                   << "] which is not a heading of spec/overlay-lookup.md";
}

/// A stack under construction: layers by name, top first.
struct StackBuilder {
  Stack stack;
  std::vector<std::shared_ptr<Layer>> trees;

  Layer& add(std::string name, Role role) {
    auto l = std::make_shared<Layer>();
    trees.push_back(l);
    stack.layers.push_back(StackLayer{std::move(name), role, l});
    return *l;
  }
  Layer& upper(std::string name = "U") { return add(std::move(name), Role::Upper); }
  Layer& lower(std::string name) { return add(std::move(name), Role::Lower); }
  Layer& data(std::string name) { return add(std::move(name), Role::DataOnly); }
};

inline MountConfig config(bool metacopy = false, RedirectMode redirect = RedirectMode::Follow) {
  MountConfig c;
  c.metacopy = metacopy;
  c.redirect = redirect;
  return c;
}

/// A model whose every resolve/readdir/observe records its trace clauses.
struct Tested {
  Model model;
  Tested(const StackBuilder& b, MountConfig c = config(), Semantics s = {}) : model(b.stack, std::move(c), s) {}
  Resolution resolve(std::string_view path) const {
    Resolution r = model.resolve(path);
    record(r.trace);
    return r;
  }
  Listing ls(std::string_view path) const {
    Listing l = model.readdir(model.resolve(path));
    record(l.trace);
    record(model.resolve(path).trace);
    return l;
  }
  Observation observe(ObserveOptions o = {}) const {
    Observation obs = model.observe(o);
    for (const auto& e : obs.entries) record(model.resolve(e.path).trace);
    return obs;
  }
};

inline Node file(std::string bytes) { return Node::file(std::move(bytes)); }
inline Node dir() { return Node::dir(); }
inline Node with(Node n, const std::string& xattr, std::string value) {
  n.xattrs[xattr] = std::move(value);
  return n;
}
inline Node opaque_dir(std::string v, const std::string& p = "trusted.overlay.") { return with(Node::dir(), p + "opaque", std::move(v)); }
inline Node redirect_dir(std::string target, const std::string& p = "trusted.overlay.") {
  return with(Node::dir(), p + "redirect", std::move(target));
}
/// A metacopy file of st_size `size` (no data), optionally with a redirect.
inline Node metacopy(std::uint64_t size, std::string redirect = "", const std::string& p = "trusted.overlay.") {
  Node n = Node::file("");
  n.size = size;
  n.xattrs[p + "metacopy"] = "";
  if (!redirect.empty()) n.xattrs[p + "redirect"] = std::move(redirect);
  return n;
}
inline Node xwhiteout(const std::string& p = "trusted.overlay.") { return with(Node::file(""), p + "whiteout", ""); }
inline Node whiteout() { return Node::chardev(0, 0); }

inline std::string err(const Resolution& r) { return r.err ? errno_name(r.err) : "OK"; }
inline std::string open_err(const Resolution& r) { return r.open_err ? errno_name(r.open_err) : "OK"; }
inline std::string content(const Resolution& r) { return r.data ? r.data->data : std::string("<none>"); }

}  // namespace ovl::test
