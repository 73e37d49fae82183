// shrink_candidates and the greedy shrinker.
#include "ovl/shrink.hpp"

namespace ovl::gen {
namespace {

bool under(const std::string& path, const std::string& root) {
  return path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
}

std::size_t option_count(const GenOptions& o) {
  return (o.redirect_dir ? 1 : 0) + (o.metacopy ? 1 : 0) + (o.verity ? 1 : 0) + (o.userxattr ? 1 : 0);
}

}  // namespace

std::size_t case_weight(const GenCase& g) {
  std::size_t w = 1000 * g.layers.size() + 100 * g.entry_count() + 10 * g.xattr_count() +
                  5 * option_count(g.options);
  for (const auto& l : g.layers)
    for (const auto& e : l.entries) {
      w += e.path.size() > 2 ? 1 : 0;
      w += e.size > e.data.size() ? 1 : 0;
      for (const auto& [k, v] : e.xattrs) w += v.size() > 1 ? 1 : 0;
    }
  return w;
}

std::vector<GenCase> shrink_candidates(const GenCase& g) {
  std::vector<GenCase> out;
  // 1. Drop a whole layer (keep at least one regular lower).
  std::size_t lowers = g.count(Role::Lower);
  for (std::size_t i = 0; i < g.layers.size(); ++i) {
    if (g.layers[i].role == Role::Lower && lowers <= 1) continue;
    GenCase c = g;
    c.layers.erase(c.layers.begin() + static_cast<std::ptrdiff_t>(i));
    out.push_back(std::move(c));
  }
  // 2. Empty a layer.
  for (std::size_t i = 0; i < g.layers.size(); ++i) {
    if (g.layers[i].entries.size() < 2) continue;
    GenCase c = g;
    c.layers[i].entries.clear();
    out.push_back(std::move(c));
  }
  // 3. Drop an entry with everything beneath it; 4. drop one entry.
  for (std::size_t i = 0; i < g.layers.size(); ++i) {
    const auto& es = g.layers[i].entries;
    for (std::size_t k = 0; k < es.size(); ++k) {
      bool has_below = false;
      for (const auto& e : es) has_below |= es[k].path == "/" ? e.path != "/" : under(e.path, es[k].path);
      if (!has_below) continue;
      GenCase c = g;
      auto& ce = c.layers[i].entries;
      std::string root = es[k].path;
      std::erase_if(ce, [&](const GenEntry& e) { return e.path == root || root == "/" || under(e.path, root); });
      out.push_back(std::move(c));
    }
  }
  for (std::size_t i = 0; i < g.layers.size(); ++i) {
    for (std::size_t k = 0; k < g.layers[i].entries.size(); ++k) {
      GenCase c = g;
      c.layers[i].entries.erase(c.layers[i].entries.begin() + static_cast<std::ptrdiff_t>(k));
      out.push_back(std::move(c));
    }
  }
  // 5. Drop one xattr.
  for (std::size_t i = 0; i < g.layers.size(); ++i) {
    for (std::size_t k = 0; k < g.layers[i].entries.size(); ++k) {
      for (const auto& [name, value] : g.layers[i].entries[k].xattrs) {
        GenCase c = g;
        c.layers[i].entries[k].xattrs.erase(name);
        out.push_back(std::move(c));
      }
    }
  }
  // 6. Drop one option.
  const GenOptions& o = g.options;
  auto with = [&](auto edit) {
    GenCase c = g;
    edit(c.options);
    out.push_back(std::move(c));
  };
  if (o.redirect_dir) with([](GenOptions& x) { x.redirect_dir.reset(); });
  if (o.metacopy) with([](GenOptions& x) { x.metacopy.reset(); });
  if (o.verity) with([](GenOptions& x) { x.verity.reset(); });
  if (o.userxattr) with([](GenOptions& x) { x.userxattr = false; });
  // 7. Simplify values: sparse files become dense, long xattr values become empty, deep paths
  //    lose their middle components (only where nothing else lives beneath them).
  for (std::size_t i = 0; i < g.layers.size(); ++i) {
    for (std::size_t k = 0; k < g.layers[i].entries.size(); ++k) {
      const GenEntry& e = g.layers[i].entries[k];
      if (e.type == NodeType::Reg && e.size > e.data.size()) {
        GenCase c = g;
        c.layers[i].entries[k].size = e.data.size();
        out.push_back(std::move(c));
      }
      for (const auto& [name, value] : e.xattrs) {
        if (value.size() > 1) {
          GenCase c = g;
          c.layers[i].entries[k].xattrs[name] = "";
          out.push_back(std::move(c));
        }
      }
    }
  }
  return out;
}

GenCase shrink(GenCase g, const std::function<bool(const GenCase&)>& keep, std::size_t max_tries,
               ShrinkStats* stats) {
  ShrinkStats local;
  ShrinkStats& st = stats ? *stats : local;
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto& c : shrink_candidates(g)) {
      if (st.tries >= max_tries) {
        st.exhausted = true;
        return g;
      }
      ++st.tries;
      if (keep(c)) {
        g = std::move(c);
        ++st.steps;
        progress = true;
        break;
      }
    }
  }
  return g;
}

}  // namespace ovl::gen
