// The erofs target: images really serve the lowers, and the corpus conforms through them.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "erofs_util.hpp"
#include "ovl/case_format.hpp"
#include "ovl/erofs_image.hpp"
#include "ovl/erofs_target.hpp"
#include "ovl/materialize.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

constexpr long kErofsMagic = 0xE0F5E1E2;

Case make_case(std::string name, std::string options, std::vector<std::pair<std::string, Layer>> layers) {
  Case c;
  c.name = std::move(name);
  c.options = std::move(options);
  for (auto& [n, l] : layers) c.layers.emplace_back(n, std::make_shared<Layer>(std::move(l)));
  return c;
}

// An image of a layer with escaped and user xattrs, a whiteout, a fifo and a sparse file keeps
// all of them when mounted.
TEST(ErofsImage, KeepsWhatOverlayReads) {
  Sandbox& sb = Sandbox::enter();
  std::string base = sb.make_dir("erofs-image");
  Layer l;
  Node f = Node::file("head");
  f.size = 5000;
  f.xattrs["trusted.overlay.overlay.escaped"] = std::string("v\0w", 3);
  f.xattrs["user.overlay.redirect"] = "/x";
  f.xattrs["user.plain"] = "p";
  l.put("/d/f", f);
  l.root().children["d"]->xattrs["trusted.overlay.opaque"] = "y";
  l.put("/wh", Node::chardev(0, 0));
  Node fifo;
  fifo.type = NodeType::Fifo;
  l.put("/fifo", fifo);
  materialize_layer(l, base, "L");
  build_erofs_image(base + "/L", base + "/L.img");
  ASSERT_EQ(mkdir((base + "/m").c_str(), 0755), 0);
  mount_erofs(base + "/L.img", base + "/m");
  struct statfs sf {};
  ASSERT_EQ(statfs((base + "/m").c_str(), &sf), 0);
  EXPECT_EQ(static_cast<long>(sf.f_type), kErofsMagic);
  char buf[64];
  ssize_t n = lgetxattr((base + "/m/d/f").c_str(), "trusted.overlay.overlay.escaped", buf, sizeof buf);
  ASSERT_EQ(n, 3);
  EXPECT_EQ(std::string(buf, 3), std::string("v\0w", 3));
  n = lgetxattr((base + "/m/d/f").c_str(), "user.overlay.redirect", buf, sizeof buf);
  ASSERT_EQ(n, 2);
  n = lgetxattr((base + "/m/d").c_str(), "trusted.overlay.opaque", buf, sizeof buf);
  ASSERT_EQ(n, 1);
  struct stat st {};
  ASSERT_EQ(lstat((base + "/m/wh").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, 0u);
  ASSERT_EQ(lstat((base + "/m/d/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 5000);
  sb.remove_tree(base);
}

TEST(ErofsImage, MkfsFailureIsAnError) {
  Sandbox& sb = Sandbox::enter();
  std::string base = sb.make_dir("erofs-bad");
  EXPECT_THROW(build_erofs_image(base + "/does-not-exist", base + "/x.img"), ErofsError);
  EXPECT_THROW(mount_erofs(base + "/no.img", base), ErofsError);
  sb.remove_tree(base);
}

TEST(ErofsTarget, LayerNames) {
  Case c = make_case("n", "lowerdir=./A:B/sub::D,upperdir=U,workdir=W", {{"A", Layer{}}, {"B", Layer{}}, {"D", Layer{}}, {"U", Layer{}}, {"W", Layer{}}});
  EXPECT_EQ(erofs_layer_names(c), (std::vector<std::string>{"A", "B"}));
  Case both = make_case("both", "lowerdir=A,upperdir=A,workdir=W", {{"A", Layer{}}, {"W", Layer{}}});
  ErofsTarget t;
  EXPECT_TRUE(t.cannot_run(both).has_value());
}

// The merged view of a metacopy file on an image with its data in a data-only directory.
TEST(ErofsTarget, DataOnlyRedirectConforms) {
  Layer a, d;
  Node m = Node::file("");
  m.size = 4;
  m.xattrs["trusted.overlay.metacopy"] = "";
  m.xattrs["trusted.overlay.redirect"] = "/objs/o1";
  a.put("/f", m);
  a.put("/dir/g", Node::file("gee"));
  a.put("/gone", Node::chardev(0, 0));
  Layer b;
  b.put("/gone", Node::file("hidden"));
  b.put("/dir/h", Node::file("aitch"));
  d.put("/objs/o1", Node::file("data"));
  Case c = make_case("dataonly", "lowerdir=A:B::D,metacopy=on,redirect_dir=on", {{"A", std::move(a)}, {"B", std::move(b)}, {"D", std::move(d)}});
  ErofsTarget t;
  TargetOutcome out = t.run(c);
  ASSERT_EQ(out.kind, TargetOutcome::Kind::Observed) << out.reason;
  EXPECT_EQ(erofs_test::divergences(c, out, t), "");
  const Entry* f = out.observation.find("/f");
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->err.has_value()) << *f->err;
  EXPECT_EQ(out.observation.find("/gone"), nullptr);
  ASSERT_NE(out.observation.find("/dir/h"), nullptr);
  EXPECT_EQ(t.images_built(), 2u);
  ASSERT_EQ(t.last_layer_fs_types().size(), 2u);
  for (unsigned long f : t.last_layer_fs_types()) EXPECT_EQ(f, kErofsSuperMagic);
}

std::filesystem::path corpus_dir() {
  if (const char* d = std::getenv("OVLSPEC_CORPUS")) return d;
  return std::filesystem::path(OVLSPEC_SOURCE_DIR) / "conformance" / "cases";
}

// Every corpus case the target can run conforms; the ones it cannot run are few and named.
TEST(ErofsRun, Corpus) {
  std::vector<Case> cases = load_corpus(corpus_dir());
  ASSERT_GT(cases.size(), 100u);
  ErofsTarget t;
  std::size_t ran = 0, skipped = 0, with_images = 0;
  std::string failures, skips;
  for (const Case& c : cases) {
    if (!c.semantics.empty()) continue;  // proposals: no kernel implements them
    TargetOutcome out = t.run(c);
    if (out.kind == TargetOutcome::Kind::Skipped) {
      ++skipped;
      skips += "  " + c.name + ": " + out.reason + "\n";
      continue;
    }
    if (out.kind == TargetOutcome::Kind::Error) {
      failures += c.name + ": harness error: " + out.reason + "\n";
      continue;
    }
    ++ran;
    if (!erofs_layer_names(c).empty()) ++with_images;
    std::string d = erofs_test::divergences(c, out, t);
    if (!d.empty()) failures += c.name + " (" + c.source_file + "):\n" + d;
  }
  std::printf("erofs corpus: %zu ran (%zu with images, %zu images built), %zu skipped\n%s", ran, with_images,
              t.images_built(), skipped, skips.c_str());
  EXPECT_EQ(failures, "");
  EXPECT_GT(with_images, 200u);
}

}  // namespace
}  // namespace ovl
