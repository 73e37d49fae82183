// The seeded generator: determinism, validity, and that every feature the brief lists is drawn.
#include <gtest/gtest.h>

#include <set>

#include "ovl/gen_case.hpp"
#include "ovl/rc_gen.hpp"
#include "ovl/shrink.hpp"

namespace ovl::gen {
namespace {

TEST(Generate, DeterministicBySeed) {
  auto a = generate_cases(42, 300);
  auto b = generate_cases(42, 300);
  ASSERT_EQ(a.size(), 300u);
  EXPECT_TRUE(a == b);
  auto c = generate_cases(43, 300);
  EXPECT_FALSE(a == c);
  // case i replays alone from its own seed
  EXPECT_EQ(generate_case(case_seed(42, 17)), a[17]);
  EXPECT_EQ(a[17].seed, case_seed(42, 17));
}

TEST(Generate, ShapeRunsShareOptionsAndReplay) {
  GenParams p{.shape_run = 16};
  auto cs = generate_cases(99, 64, p);
  for (std::size_t i = 0; i < cs.size(); ++i) {
    EXPECT_EQ(option_string(cs[i]), option_string(cs[i - i % 16])) << i;
    EXPECT_EQ(generate_case_at(99, i, p), cs[i]);
  }
  std::set<std::string> shapes;
  for (std::size_t i = 0; i < cs.size(); i += 16) shapes.insert(option_string(cs[i]));
  EXPECT_GT(shapes.size(), 1u);
  EXPECT_FALSE(cs[0] == cs[1]);
}

TEST(Generate, CasesAreValid) {
  for (const auto& g : generate_cases(7, 2000)) {
    SCOPED_TRACE(describe(g));
    std::size_t lowers = g.count(Role::Lower), data = g.count(Role::DataOnly), upper = g.count(Role::Upper);
    EXPECT_GE(lowers, 1u);
    EXPECT_LE(lowers, 6u);
    EXPECT_LE(data, 3u);
    EXPECT_LE(upper, 1u);
    // roles in mount order: upper, lowers, data-only
    int last = -1;
    for (const auto& l : g.layers) {
      int r = l.role == Role::Upper ? 0 : l.role == Role::Lower ? 1 : 2;
      EXPECT_LE(last, r);
      last = r;
    }
    Case c = to_case(g);
    ASSERT_EQ(c.layers.size(), g.layers.size() + (g.has_upper() ? 1 : 0));
    if (g.has_upper()) {
      EXPECT_EQ(c.layers[1].first, kWorkLayer);
      EXPECT_EQ(c.layers[1].second->count(), 1u);
      c.layers.erase(c.layers.begin() + 1);
    }
    std::set<std::string> names;
    for (const auto& [name, layer] : c.layers) {
      EXPECT_TRUE(names.insert(name).second) << "duplicate layer " << name;
      EXPECT_NE(c.options.find(name), std::string::npos) << name << " not in " << c.options;
    }
    // every entry that has a directory parent chain in its layer is placed, with its content
    for (std::size_t i = 0; i < g.layers.size(); ++i) {
      const Layer& layer = *c.layers[i].second;
      for (const auto& e : g.layers[i].entries) {
        if (e.path == "/") continue;
        const Node* n = layer.find(e.path);
        if (!n) continue;  // dropped: a parent is a non-directory in this layer
        if (n->type == e.type && e.type == NodeType::Reg) {
          EXPECT_EQ(n->data, e.data);
          EXPECT_EQ(n->xattrs, e.xattrs);
        }
      }
    }
  }
}

TEST(Generate, UserXattrsOnlyOnFilesAndDirs) {
  for (const auto& g : generate_cases(12, 1000))
    for (const auto& l : g.layers)
      for (const auto& e : l.entries)
        if (e.type != NodeType::Dir && e.type != NodeType::Reg) {
          for (const auto& [k, v] : e.xattrs) EXPECT_NE(k.rfind("user.", 0), 0u) << l.name << " " << e.path << " " << k;
        }
}

TEST(Generate, ContentUniquePerLayerAndPath) {
  for (const auto& g : generate_cases(9, 300)) {
    std::set<std::string> seen;
    for (const auto& l : g.layers)
      for (const auto& e : l.entries)
        if (e.type == NodeType::Reg && !e.data.empty()) {
          EXPECT_TRUE(seen.insert(e.data).second) << e.data;
          EXPECT_EQ(e.data, l.name + ":" + e.path + "\n");
        }
  }
}

/// Counts of the features drawn over many cases.
struct Coverage {
  std::map<std::string, int> n;
  void add(const std::string& k) { ++n[k]; }
};

Coverage cover(const std::vector<GenCase>& cases) {
  Coverage cov;
  for (const auto& g : cases) {
    std::string P = g.prefix();
    std::string Q = g.options.userxattr ? "trusted.overlay." : "user.overlay.";
    cov.add("lowers=" + std::to_string(g.count(Role::Lower)));
    cov.add("data=" + std::to_string(g.count(Role::DataOnly)));
    if (g.has_upper()) cov.add("upper");
    if (g.options.userxattr) cov.add("userxattr");
    if (g.options.redirect_dir) cov.add("redirect_dir=" + *g.options.redirect_dir);
    if (g.options.metacopy) cov.add("metacopy=" + *g.options.metacopy);
    if (g.options.verity) cov.add("verity=" + *g.options.verity);
    // paths present in each layer, for "redirect target exists"
    std::vector<std::set<std::string>> paths(g.layers.size());
    for (std::size_t i = 0; i < g.layers.size(); ++i)
      for (const auto& e : g.layers[i].entries) paths[i].insert(e.path);
    for (std::size_t i = 0; i < g.layers.size(); ++i) {
      const auto& l = g.layers[i];
      for (const auto& e : l.entries) {
        cov.add(std::string("type=") + std::string(type_name(e.type)));
        if (e.path == "/" && !e.xattrs.empty()) cov.add("root-xattr");
        if (e.type == NodeType::Chr && e.rdev_major == 0 && e.rdev_minor == 0) cov.add("whiteout-chr");
        if (e.type == NodeType::Chr && e.rdev_major != 0) cov.add("chr-other");
        for (const auto& [k, v] : e.xattrs) {
          bool interp = k.rfind(P, 0) == 0, other = k.rfind(Q, 0) == 0;
          std::string rest = interp ? k.substr(P.size()) : other ? k.substr(Q.size()) : "";
          if (!interp && !other) cov.add("xattr-ordinary");
          if (other) cov.add("xattr-other-namespace");
          if (k.rfind("user.overlay.", 0) == 0) cov.add("ns=user");
          if (k.rfind("trusted.overlay.", 0) == 0) cov.add("ns=trusted");
          if (rest.rfind("overlay.", 0) == 0) cov.add("escaped");
          if (rest == "whiteout" && e.type == NodeType::Reg && e.data.empty()) cov.add("whiteout-xattr");
          if (rest == "opaque") cov.add("opaque=" + v);
          if (rest == "metacopy" && e.type == NodeType::Reg) {
            cov.add(v.size() >= 1 && v.size() <= 3 ? "metacopy-short" : "metacopy");
            cov.add(e.xattrs.count(P + "redirect") || e.xattrs.count(Q + "redirect") ? "metacopy+redirect"
                                                                                        : "metacopy-noredirect");
          }
          if (rest == "redirect" && l.role != Role::DataOnly) {
            bool valid = !v.empty() && (v[0] == '/' ? v.find("//") == std::string::npos && v.back() != '/'
                                                    : v.find('/') == std::string::npos);
            if (!valid) cov.add("redirect-bad");
            else if (v[0] == '/') cov.add(e.type == NodeType::Dir ? "redirect-dir-abs" : "redirect-file-abs");
            else cov.add(e.type == NodeType::Dir ? "redirect-dir-rel" : "redirect-file-rel");
            if (valid && v[0] == '/') {
              bool exists = false;
              for (std::size_t j = i + 1; j < g.layers.size(); ++j) exists |= paths[j].count(v) > 0;
              cov.add(exists ? "abs-target-exists" : "abs-target-missing");
              if (exists && e.type != NodeType::Dir) {
                for (std::size_t j = i + 1; j < g.layers.size(); ++j)
                  if (paths[j].count(v)) cov.add(g.layers[j].role == Role::DataOnly ? "target-in-data" : "target-in-lower");
              }
            }
          }
        }
      }
    }
  }
  return cov;
}

TEST(Generate, DrawsEveryFeature) {
  Coverage cov = cover(generate_cases(11, 3000));
  for (const char* k : {"lowers=1", "lowers=2", "lowers=3", "lowers=4", "lowers=5", "lowers=6", "data=0", "data=1",
                        "data=2", "data=3", "upper", "userxattr", "redirect_dir=on", "redirect_dir=off",
                        "redirect_dir=follow", "redirect_dir=nofollow", "metacopy=on", "metacopy=off", "verity=on",
                        "verity=require", "verity=off", "type=dir", "type=reg", "type=lnk", "type=chr", "type=blk",
                        "type=fifo", "type=sock", "whiteout-chr", "chr-other", "whiteout-xattr", "opaque=y",
                        "opaque=x", "opaque=n", "redirect-dir-abs", "redirect-dir-rel", "redirect-file-abs",
                        "redirect-bad", "metacopy+redirect", "metacopy-noredirect", "metacopy-short", "ns=user",
                        "ns=trusted", "escaped", "xattr-ordinary", "xattr-other-namespace", "root-xattr",
                        "target-in-data", "target-in-lower"}) {
    EXPECT_GE(cov.n[k], 10) << k;
  }
  // redirect targets are chosen mostly among existing paths
  EXPECT_GT(cov.n["abs-target-exists"], cov.n["abs-target-missing"]);
}

TEST(Generate, UserxattrUsesUserNamespaceMostly) {
  int user = 0, trusted = 0;
  for (const auto& g : generate_cases(5, 3000)) {
    if (!g.options.userxattr) continue;
    for (const auto& l : g.layers)
      for (const auto& e : l.entries)
        for (const auto& [k, v] : e.xattrs) {
          user += k.rfind("user.overlay.", 0) == 0;
          trusted += k.rfind("trusted.overlay.", 0) == 0;
        }
  }
  EXPECT_GT(user, 3 * trusted);
  EXPECT_GT(trusted, 0);
}

TEST(Generate, OptionsMostlyAccepted) {
  // R59 conflicts: userxattr with a redirect_dir other than nofollow or with metacopy=on;
  // metacopy=on with an explicit redirect_dir other than on (with an upper), or nofollow.
  int conflicts = 0, total = 0;
  for (const auto& g : generate_cases(3, 3000)) {
    const auto& o = g.options;
    ++total;
    bool bad = (o.userxattr && o.redirect_dir && *o.redirect_dir != "nofollow") ||
               (o.userxattr && o.metacopy == "on") ||
               (o.metacopy == "on" && o.redirect_dir && *o.redirect_dir != "on" &&
                (g.has_upper() || *o.redirect_dir == "nofollow"));
    conflicts += bad;
  }
  EXPECT_GT(conflicts, 0);
  EXPECT_LT(conflicts * 20, total);
}

TEST(Generate, RestrictionsHold) {
  GenParams p;
  p.force_no_userxattr = true;
  p.force_nofollow_nometacopy = true;
  p.data_layers = false;
  p.upper = false;
  for (const auto& g : generate_cases(1, 500, p)) {
    EXPECT_FALSE(g.options.userxattr);
    EXPECT_EQ(g.options.redirect_dir, "nofollow");
    EXPECT_EQ(g.options.metacopy, "off");
    EXPECT_EQ(g.count(Role::DataOnly), 0u);
    EXPECT_FALSE(g.has_upper());
  }
}

TEST(RcGen, ShrinkTreeIsTheShrinker) {
  auto shrinkable = case_gen()(rc::Random(1234), 60);
  GenCase g = shrinkable.value();
  auto expect = shrink_candidates(g);
  std::size_t i = 0;
  auto seq = shrinkable.shrinks();
  while (auto s = seq.next()) {
    ASSERT_LT(i, expect.size());
    EXPECT_EQ(s->value(), expect[i]);
    ++i;
  }
  EXPECT_EQ(i, expect.size());
  EXPECT_GT(i, 0u);
}

TEST(RcGen, SizeScalesEntries) {
  std::size_t small = 0, big = 0;
  for (int s = 0; s < 200; ++s) {
    small += case_gen()(rc::Random(s), 0).value().entry_count();
    big += case_gen()(rc::Random(s), 100).value().entry_count();
  }
  EXPECT_LT(small * 2, big);
}

}  // namespace
}  // namespace ovl::gen
