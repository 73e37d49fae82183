// Composefs-layout generator: the layout is as composefs writes it, and the model shows what
// spec section 11 says (one image: every file reads its object; stacked images: captures).
#include <gtest/gtest.h>

#include <set>

#include "ovl/composefs_gen.hpp"
#include "ovl/predict.hpp"
#include "ovl/sha256.hpp"

namespace ovl::gen {
namespace {

std::string sha(std::string_view s) {
  Sha256 h;
  h.update(s);
  return h.hex();
}

Prediction model_of(const GenCase& g) {
  Semantics sem;
  sem.kernel = KernelVersion{6, 18};
  return predict(to_case(g, "composefs"), sem);
}

const GenLayer& layer(const GenCase& g, const std::string& name) {
  for (const auto& l : g.layers)
    if (l.name == name) return l;
  throw std::runtime_error("no layer " + name);
}

TEST(ComposefsGen, ObjectPathAndMetacopyValue) {
  std::string h = sha("hello");
  EXPECT_EQ(object_path("hello"), "/" + h.substr(0, 2) + "/" + h.substr(2));
  EXPECT_EQ(object_path("hello").size(), 1u + 2 + 1 + 62);
  std::string v = metacopy_value("hello");
  ASSERT_EQ(v.size(), 36u);
  EXPECT_EQ(v[0], '\0');
  EXPECT_EQ(static_cast<unsigned char>(v[1]), 36u);
  EXPECT_EQ(v[3], '\1');
  EXPECT_EQ(static_cast<unsigned char>(v[4]), std::stoi(h.substr(0, 2), nullptr, 16));
  auto names = fanout_names();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 256u);
  EXPECT_EQ(names.front(), "00");
  EXPECT_EQ(names.back(), "ff");
}

TEST(ComposefsGen, LayoutIsComposefs) {
  GenCase g = composefs_case(7);
  ASSERT_EQ(g.layers.size(), 2u);
  EXPECT_EQ(option_string(g).find("lowerdir=I1::O"), 0u) << option_string(g);
  const GenLayer& img = layer(g, "I1");
  const GenLayer& store = layer(g, "O");
  std::size_t whiteouts = 0, metacopies = 0;
  for (const auto& e : img.entries) {
    if (e.type == NodeType::Chr) ++whiteouts;
    if (e.path == "/") {
      EXPECT_EQ(e.xattrs.at("trusted.overlay.opaque"), "y");
    }
    if (e.xattrs.count("trusted.overlay.redirect")) {
      ++metacopies;
      const std::string& obj = e.xattrs.at("trusted.overlay.redirect");
      bool found = false;
      for (const auto& o : store.entries)
        if (o.path == obj) {
          found = true;
          EXPECT_EQ(object_path(o.data), obj);
          EXPECT_EQ(e.size, o.data.size());
          EXPECT_EQ(e.xattrs.at("trusted.overlay.metacopy"), metacopy_value(o.data));
        }
      EXPECT_TRUE(found) << obj;
    }
  }
  EXPECT_EQ(whiteouts, 256u);
  EXPECT_GT(metacopies, 0u);
}

// One image: every metacopy file reads its object (composefs.no-capture), over many seeds.
TEST(ComposefsGen, SingleImageNeverCaptures) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    GenCase g = composefs_case(seed);
    Prediction p = model_of(g);
    ASSERT_TRUE(p.observation.mount.ok) << describe(g);
    for (const auto& e : layer(g, "I1").entries) {
      auto r = e.xattrs.find("trusted.overlay.redirect");
      if (r == e.xattrs.end()) continue;
      const Entry* seen = p.observation.find(e.path);
      ASSERT_NE(seen, nullptr) << e.path;
      EXPECT_FALSE(seen->open_err.has_value()) << e.path << " " << *seen->open_err;
      for (const auto& o : layer(g, "O").entries)
        if (o.path == r->second) {
          EXPECT_EQ(seen->content, sha(o.data)) << e.path;
        }
    }
  }
}

// Stacked images with collisions: some file reads another image's bytes or fails (R38/R39).
TEST(ComposefsGen, StackedCollisionsCaptureOrReset) {
  ComposefsParams params;
  params.images = 2;
  params.collide = true;
  std::size_t captured = 0, failed = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    GenCase g = composefs_case(seed, params);
    Prediction p = model_of(g);
    ASSERT_TRUE(p.observation.mount.ok) << describe(g);
    for (const auto& e : layer(g, "I1").entries) {
      auto r = e.xattrs.find("trusted.overlay.redirect");
      if (r == e.xattrs.end()) continue;
      const Entry* seen = p.observation.find(e.path);
      if (!seen) continue;
      if (seen->open_err || seen->err) {  // reset: lstat EIO (R39); dangling: open error
        ++failed;
        continue;
      }
      for (const auto& o : layer(g, "O").entries)
        if (o.path == r->second && seen->content != sha(o.data)) ++captured;
    }
  }
  EXPECT_GT(captured, 0u);
  EXPECT_GT(failed, 0u);
}

}  // namespace
}  // namespace ovl::gen
