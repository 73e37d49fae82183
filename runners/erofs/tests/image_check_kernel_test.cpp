// check-image on composefs stacks built by the generator, and the erofs target on a generated
// composefs batch.
#include <gtest/gtest.h>

#include "erofs_util.hpp"
#include "ovl/batch.hpp"
#include "ovl/composefs_gen.hpp"
#include "ovl/erofs_image.hpp"
#include "ovl/erofs_target.hpp"
#include "ovl/image_check.hpp"
#include "ovl/materialize.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

// Builds an EROFS image per regular lower of g and returns their paths (top first) and the
// object store directory.
std::pair<std::vector<std::string>, std::string> build_stack(const gen::GenCase& g, const std::string& base) {
  Case c = gen::to_case(g, "stack");
  std::vector<std::string> images;
  std::string objects;
  for (const auto& [name, layer] : c.layers) {
    materialize_layer(*layer, base, name);
    if (name == "O") {
      objects = base + "/O";
    } else {
      images.push_back(base + "/" + name + ".img");
      build_erofs_image(base + "/" + name, images.back());
    }
  }
  return {images, objects};
}

Semantics here() {
  Semantics s;
  s.kernel = ErofsTarget().level();
  return s;
}

TEST(CheckImage, SingleImageIsClean) {
  Sandbox& sb = Sandbox::enter();
  std::string base = sb.make_dir("check-image-one");
  gen::GenCase g = gen::composefs_case(3);
  auto [images, objects] = build_stack(g, base);
  ASSERT_EQ(images.size(), 1u);
  ImageCheckResult r = check_images(images, objects, "redirect_dir=on,metacopy=on", here());
  ASSERT_FALSE(r.check.targets.empty());
  EXPECT_EQ(r.check.targets[0].outcome.kind, TargetOutcome::Kind::Observed) << r.check.targets[0].outcome.reason;
  EXPECT_TRUE(r.check.targets[0].divergences.empty());
  EXPECT_TRUE(r.findings.empty()) << r.findings.front().path << ": " << r.findings.front().detail;
  EXPECT_FALSE(r.failed());
  EXPECT_GT(r.check.prediction.observation.entries.size(), 2u);
  sb.remove_tree(base);
}

// Two images where the lower one holds the object's path: the top file's data is captured.
TEST(CheckImage, TwoImagesCaptureFound) {
  Sandbox& sb = Sandbox::enter();
  std::string base = sb.make_dir("check-image-two");
  gen::GenCase g;
  g.options.metacopy = "on";
  g.options.redirect_dir = "on";
  std::string content = "the object";
  std::string obj = gen::object_path(content);
  gen::GenEntry f{"/etc/conf", NodeType::Reg, "", content.size(), 0, 0, {}};
  f.xattrs["trusted.overlay.metacopy"] = gen::metacopy_value(content);
  f.xattrs["trusted.overlay.redirect"] = obj;
  gen::GenEntry g2{"/usr/lib", NodeType::Reg, "", content.size(), 0, 0, {}};
  g2.xattrs = f.xattrs;
  g.layers.push_back({"I1", Role::Lower, {f, g2}});
  g.layers.push_back({"I2", Role::Lower, {{obj, NodeType::Reg, "not it", 6, 0, 0, {}}}});
  g.layers.push_back({"O", Role::DataOnly, {{obj, NodeType::Reg, content, content.size(), 0, 0, {}}}});
  auto [images, objects] = build_stack(g, base);
  ImageCheckResult r = check_images(images, objects, "redirect_dir=on,metacopy=on", here());
  ASSERT_EQ(r.check.targets.size(), 1u);
  EXPECT_TRUE(r.check.targets[0].divergences.empty());
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].kind, RedirectFinding::Kind::Capture);
  EXPECT_EQ(r.findings[0].path, "/etc/conf");
  EXPECT_EQ(r.findings[0].redirect, obj);
  EXPECT_EQ(r.findings[0].data_from, images[1] + ":" + obj);
  EXPECT_TRUE(r.failed());
  sb.remove_tree(base);
}

// The generator's stacked collisions: every finding is a capture or a reset, and there are some.
TEST(CheckImage, GeneratedStackedImages) {
  Sandbox& sb = Sandbox::enter();
  gen::ComposefsParams p;
  p.images = 2;
  p.collide = true;
  std::size_t captures = 0, dangling = 0;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    std::string base = sb.make_dir("check-image-gen");
    auto [images, objects] = build_stack(gen::composefs_case(seed, p), base);
    ImageCheckResult r = check_images(images, objects, "redirect_dir=on,metacopy=on", here());
    EXPECT_TRUE(r.check.targets.at(0).divergences.empty()) << "seed " << seed;
    for (const auto& f : r.findings) (f.kind == RedirectFinding::Kind::Capture ? captures : dangling)++;
    sb.remove_tree(base);
  }
  EXPECT_GT(captures + dangling, 0u);
}

// A generated composefs batch (one and two images) through the erofs target equals the model.
TEST(ErofsRun, ComposefsBatch) {
  ErofsTarget t;
  std::vector<gen::GenCase> cases;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    gen::ComposefsParams p;
    p.images = 1 + static_cast<int>(seed % 2);
    p.collide = seed % 2 == 0;
    cases.push_back(gen::composefs_case(seed, p));
  }
  std::string failures;
  for (const auto& g : cases) {
    Case c = gen::to_case(g, "composefs-" + std::to_string(g.seed));
    TargetOutcome out = t.run(c);
    ASSERT_EQ(out.kind, TargetOutcome::Kind::Observed) << out.reason;
    failures += erofs_test::divergences(c, out, t);
  }
  EXPECT_EQ(failures, "");
  EXPECT_GE(t.images_built(), 9u);
}

}  // namespace
}  // namespace ovl
