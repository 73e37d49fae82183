// generate_case: random layers, entries, xattrs and options, deterministic by seed.
//
// Names come from a three-letter alphabet so that paths collide across layers; redirect targets
// are chosen mostly among paths that exist in lower or data-only layers, so that merges through
// redirects, captures (R38/R39) and chains actually happen.
#include <algorithm>
#include <set>

#include "ovl/gen_case.hpp"
#include "rng.hpp"

namespace ovl::gen {
namespace {

const std::vector<std::string> kNames = {"a", "b", "c"};

std::string random_path(Rng& r, int max_depth) {
  int depth = 1 + static_cast<int>(r.weighted({45, 40, 15}));
  depth = std::min(depth, std::max(1, max_depth));
  std::string p;
  for (int i = 0; i < depth; ++i) p += "/" + r.pick(kNames);
  return p;
}

std::string parent_of(const std::string& p) {
  auto i = p.rfind('/');
  return i == 0 ? "/" : p.substr(0, i);
}

std::string base_of(const std::string& p) { return p.substr(p.rfind('/') + 1); }

/// The options: mostly a combination the kernel accepts (R59), sometimes one it refuses.
GenOptions random_options(Rng& r, const GenParams& prm, bool has_upper) {
  GenOptions o;
  o.userxattr = !prm.force_no_userxattr && r.chance(15);
  if (prm.force_nofollow_nometacopy) {
    o.redirect_dir = "nofollow";
    o.metacopy = "off";
    return o;
  }
  static const std::vector<std::optional<std::string>> kRedirect = {std::nullopt, "on", "off", "follow", "nofollow"};
  static const std::vector<std::optional<std::string>> kMetacopy = {std::nullopt, "on", "off"};
  static const std::vector<std::optional<std::string>> kVerity = {std::nullopt, "off", "on", "require"};
  o.redirect_dir = kRedirect[r.weighted({40, 15, 10, 15, 20})];
  o.metacopy = kMetacopy[r.weighted({35, 45, 20})];
  o.verity = kVerity[r.weighted({75, 5, 10, 10})];
  if (prm.allow_refused_options && r.chance(4)) return o;  // whatever came out, conflicts included
  // Resolve the conflicts the kernel refuses with EINVAL (R59), the way a user would.
  if (o.userxattr) {
    if (o.redirect_dir && *o.redirect_dir != "nofollow") o.redirect_dir = r.chance(50) ? std::optional<std::string>{} : "nofollow";
    if (o.metacopy == "on") o.metacopy = r.chance(50) ? std::optional<std::string>{} : "off";
  }
  if (o.metacopy == "on" && o.redirect_dir && *o.redirect_dir != "on") {
    bool conflict = has_upper || *o.redirect_dir == "nofollow";
    if (conflict) o.redirect_dir = r.chance(50) ? std::optional<std::string>{} : "on";
  }
  return o;
}

struct Builder {
  Rng& r;
  const GenParams& prm;
  GenCase& g;

  std::string ns() { return r.chance(85) ? g.prefix() : (g.options.userxattr ? "trusted.overlay." : "user.overlay."); }

  GenEntry make_entry(const GenLayer& l, const std::string& path, bool data_layer) {
    GenEntry e;
    e.path = path;
    std::size_t kind = data_layer ? r.weighted({10, 70, 5, 5, 5, 5, 0, 0, 0, 0})
                                  : r.weighted({30, 24, 12, 6, 6, 12, 2, 2, 3, 1});
    std::string content = l.name + ":" + path + "\n";
    switch (kind) {
      case 0: e.type = NodeType::Dir; break;
      case 1:
        e.type = NodeType::Reg;
        e.data = content;
        e.size = r.chance(10) ? 8192 : e.data.size();
        break;
      case 2: e.type = NodeType::Chr; break;  // 0/0 whiteout
      case 3:
        e.type = NodeType::Lnk;
        e.data = r.chance(50) ? "t-" + l.name + "-" + base_of(path) : "/" + r.pick(kNames);
        break;
      case 4:  // xattr whiteout (R22): size 0 with overlay.whiteout
        e.type = NodeType::Reg;
        e.xattrs[ns() + "whiteout"] = r.chance(80) ? "" : "y";
        break;
      case 5:  // metacopy file; its redirect is added later
        e.type = NodeType::Reg;
        e.data = content;
        e.size = r.chance(30) ? 4096 : e.data.size();
        e.xattrs[ns() + "metacopy"] = metacopy_value();
        break;
      case 6:
        e.type = NodeType::Chr;
        e.rdev_major = 1;
        e.rdev_minor = 3;
        break;
      case 7:
        e.type = NodeType::Blk;
        e.rdev_major = 7;
        e.rdev_minor = 0;
        break;
      case 8: e.type = NodeType::Fifo; break;
      default: e.type = NodeType::Sock; break;
    }
    return e;
  }

  std::string metacopy_value() {
    switch (r.weighted({78, 5, 8, 6, 3})) {
      case 0: return "";
      case 1: return std::string("\0\4\0\0", 4);  // header only, no digest
      case 2: {                                    // version 0, len 36, sha256 digest
        std::string v("\0\x24\0\x01", 4);
        for (int i = 0; i < 32; ++i) v += static_cast<char>(r.below(256));
        return v;
      }
      case 3: return std::string(static_cast<std::size_t>(1 + r.below(3)), 'm');  // 1-3 bytes: EIO (R42)
      default: return std::string("\x01\x04\0\0", 4);                           // bad version
    }
  }

  /// Paths of kind `type` (or any kind when nullopt) in the layers after index `below`.
  std::vector<std::string> paths_below(std::size_t below, std::optional<NodeType> type, bool data_only) {
    std::vector<std::string> out;
    for (std::size_t i = below + 1; i < g.layers.size(); ++i) {
      const auto& l = g.layers[i];
      if (data_only != (l.role == Role::DataOnly)) continue;
      for (const auto& e : l.entries) {
        if (e.path == "/") continue;
        if (!type || e.type == *type) out.push_back(e.path);
        // ancestors are directories too
        if (type == NodeType::Dir) {
          for (std::string p = parent_of(e.path); p != "/"; p = parent_of(p)) out.push_back(p);
        }
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  std::string bad_redirect() {
    static const std::vector<std::string> kBad = {"", "a/b", "//a", "/a/", "/", "/a//b"};
    return r.pick(kBad);
  }

  std::string dir_redirect(std::size_t li) {
    std::size_t kind = r.weighted({55, 25, 10, 6, 4});
    if (kind == 0) {
      auto targets = paths_below(li, NodeType::Dir, false);
      if (!targets.empty()) return r.pick(targets);
      kind = 2;
    }
    if (kind == 1) return r.pick(kNames);  // a sibling name: relative redirect (R30)
    if (kind == 2) return random_path(r, prm.max_depth);
    if (kind == 3) return bad_redirect();
    return r.chance(50) ? "/./" + r.pick(kNames) : "/../" + r.pick(kNames);
  }

  std::string file_redirect(std::size_t li) {
    std::size_t kind = r.weighted({50, 30, 8, 6, 3, 3});
    if (kind == 0) {
      auto targets = paths_below(li, NodeType::Reg, true);
      if (!targets.empty()) return r.pick(targets);
      kind = 1;
    }
    if (kind == 1) {
      auto targets = paths_below(li, NodeType::Reg, false);
      if (!targets.empty()) return r.pick(targets);
      kind = 2;
    }
    if (kind == 2) return random_path(r, prm.max_depth);
    if (kind == 3) return r.pick(kNames);
    if (kind == 4) return bad_redirect();
    return "/../" + r.pick(kNames);
  }

  void decorate(std::size_t li) {
    GenLayer& l = g.layers[li];
    bool data = l.role == Role::DataOnly;
    for (auto& e : l.entries) {
      if (e.type == NodeType::Dir && !data) {
        if (r.chance(20)) {
          std::size_t v = r.weighted({65, 18, 10});
          e.xattrs[ns() + "opaque"] = v == 0 ? "y" : v == 1 ? "x" : (r.chance(50) ? "n" : "yes");
        }
        if (r.chance(22)) e.xattrs[ns() + "redirect"] = dir_redirect(li);
      }
      if (e.type == NodeType::Reg && !data) {
        bool metacopy = e.xattrs.count(g.prefix() + "metacopy") || e.xattrs.count(
            (g.options.userxattr ? std::string("trusted.overlay.") : std::string("user.overlay.")) + "metacopy");
        if (metacopy && r.chance(65)) {
          // use the same namespace as the metacopy xattr most of the time
          std::string mns = e.xattrs.count(g.prefix() + "metacopy") ? g.prefix() : ns();
          e.xattrs[mns + "redirect"] = file_redirect(li);
        }
        if (!metacopy && r.chance(3)) e.xattrs[ns() + "whiteout"] = "";  // on a non-empty file: not a whiteout
      }
      if (data && r.chance(8)) e.xattrs[ns() + (r.chance(50) ? "redirect" : "metacopy")] = r.chance(50) ? "/a" : "";
      if (r.chance(4)) {  // escaped xattrs (R27, R48): passed through, shown unescaped
        static const std::vector<std::string> kEsc = {"opaque", "whiteout", "redirect", "metacopy", "foo"};
        std::string x = r.pick(kEsc);
        e.xattrs[ns() + "overlay." + x] = x == "opaque" ? "y" : x == "redirect" ? "/a" : "";
      }
      if (r.chance(2)) e.xattrs[ns() + "foo"] = "bar";                // private, hidden
      if (r.chance(3)) e.xattrs["user.note"] = "n";                   // ordinary
      if (r.chance(2)) e.xattrs[std::string(r.chance(50) ? "trusted." : "user.") + "overlayq"] = "q";
      if (e.type == NodeType::Dir && !data && r.chance(2)) e.xattrs[ns() + "whiteout"] = "";  // dir: not a whiteout
      // Linux keeps user.* xattrs on regular files and directories only (EPERM elsewhere).
      if (e.type != NodeType::Dir && e.type != NodeType::Reg)
        std::erase_if(e.xattrs, [](const auto& kv) { return kv.first.rfind("user.", 0) == 0; });
    }
  }
};

/// Now and then xattrs on a layer root (R2: ignored there, except opaque=x on a lower root).
/// Part of the shape, so that a run of cases shares them (layer roots are shared in a batch).
std::vector<std::pair<int, GenEntry>> random_root_xattrs(Rng& r, int regular_layers, bool userxattr) {
  std::vector<std::pair<int, GenEntry>> out;
  for (int i = 0; i < regular_layers; ++i) {
    if (!r.chance(4)) continue;
    std::string ns = (r.chance(85) == userxattr) ? "user.overlay." : "trusted.overlay.";
    GenEntry root;
    root.path = "/";
    root.type = NodeType::Dir;
    std::size_t v = r.weighted({40, 30, 30});
    if (v == 0) root.xattrs[ns + "opaque"] = "y";
    else if (v == 1) root.xattrs[ns + "opaque"] = "x";
    else root.xattrs[ns + "redirect"] = "/" + r.pick(kNames);
    out.emplace_back(i, std::move(root));
  }
  return out;
}

/// What the cases of one shape run share.
struct Shape {
  bool upper = false;
  int lowers = 1, data = 0;
  GenOptions options;
  std::vector<std::pair<int, GenEntry>> roots;  // layer index -> its root entry with xattrs
};

Shape random_shape(Rng& r, const GenParams& prm) {
  Shape s;
  s.upper = prm.upper && r.chance(50);
  s.lowers = 1 + static_cast<int>(r.weighted({15, 35, 25, 12, 8, 5}));
  s.lowers = std::clamp(s.lowers, 1, std::max(1, prm.max_lowers));
  s.data = prm.data_layers ? static_cast<int>(r.weighted({45, 30, 15, 10})) : 0;
  s.data = std::min(s.data, std::max(0, prm.max_data));
  // R5: without an upper at least two lowers (data-only included); refused now and then.
  if (!s.upper && s.lowers + s.data < 2 && !(prm.allow_refused_options && r.chance(3))) s.lowers = 2;
  s.options = random_options(r, prm, s.upper);
  s.roots = random_root_xattrs(r, s.lowers + (s.upper ? 1 : 0), s.options.userxattr);
  return s;
}

GenCase generate_with_shape(Rng& r, std::uint64_t seed, const GenParams& prm, const Shape& s) {
  GenCase g;
  g.seed = seed;
  if (s.upper) g.layers.push_back({"U", Role::Upper, {}});
  for (int i = 1; i <= s.lowers; ++i) g.layers.push_back({"L" + std::to_string(i), Role::Lower, {}});
  for (int i = 1; i <= s.data; ++i) g.layers.push_back({"D" + std::to_string(i), Role::DataOnly, {}});
  g.options = s.options;

  Builder b{r, prm, g};
  // Entries: bottom layer first so that redirects (added next, top down) can aim at lower paths.
  for (auto& l : g.layers) {
    bool is_data = l.role == Role::DataOnly;
    int n = is_data ? 1 + r.below(std::max(1, prm.max_entries)) : r.below(prm.max_entries + 1);
    std::set<std::string> seen;
    for (int k = 0; k < n; ++k) {
      std::string p = random_path(r, prm.max_depth);
      if (!seen.insert(p).second) continue;
      l.entries.push_back(b.make_entry(l, p, is_data));
    }
  }
  for (std::size_t li = 0; li < g.layers.size(); ++li) b.decorate(li);
  for (const auto& [li, root] : s.roots) {
    auto& es = g.layers[static_cast<std::size_t>(li)].entries;
    es.insert(es.begin(), root);
  }
  return g;
}

}  // namespace

GenCase generate_case(std::uint64_t seed, const GenParams& prm) {
  Rng r{seed};
  Shape s = random_shape(r, prm);
  return generate_with_shape(r, seed, prm, s);
}

GenCase generate_case_at(std::uint64_t seed, std::uint64_t index, const GenParams& prm) {
  std::uint64_t cs = case_seed(seed, index);
  if (prm.shape_run <= 1) return generate_case(cs, prm);
  Rng sr{case_seed(~seed, index / static_cast<std::uint64_t>(prm.shape_run))};
  Shape s = random_shape(sr, prm);
  Rng r{cs};
  return generate_with_shape(r, cs, prm, s);
}

}  // namespace ovl::gen
