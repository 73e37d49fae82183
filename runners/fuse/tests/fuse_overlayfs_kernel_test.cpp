// fuse-overlayfs 1.10: its capabilities, found by testing, and its known divergences from the
// spec asserted case by case, so that a change in its behaviour is noticed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "fuse_test_util.hpp"
#include "ovl/case_format.hpp"
#include "ovl/fuse_targets.hpp"
#include "ovl/fuse_daemon.hpp"
#include "ovl/gen_case.hpp"
#include "ovl/materialize.hpp"
#include "ovl/probe.hpp"
#include "ovl/sandbox.hpp"
#include "ovl/kernel_target.hpp"

namespace ovl {
namespace {

using fuse_test::divergences;
using fuse_test::kind_name;

// One known behaviour: a case, and the (path, field) divergences fuse-overlayfs shows from the
// model on it. The kernel is run too and must agree with the model, so that each listed
// divergence is fuse-overlayfs's, not the model's.
struct Known {
  const char* text;
  std::set<std::string> fields;  // "path field", e.g. "/d/x present"; empty: conforms
};

std::set<std::string> divergence_fields(const Observation& model, const Observation& target) {
  std::set<std::string> out;
  for (const auto& d : diff(model, target)) out.insert(d.path + " " + d.field);
  return out;
}

void expect_known(const Known& k) {
  Case c = parse_case(k.text, "known.ovl");
  SCOPED_TRACE(c.name);
  ASSERT_EQ(fuse_overlayfs_gap(c), std::nullopt);
  Prediction p = fuse_test::model_of(c);
  KernelTarget kernel(MountApi::Legacy);
  TargetOutcome kout = kernel.run(c);
  ASSERT_EQ(kout.kind, TargetOutcome::Kind::Observed) << kout.reason;
  EXPECT_EQ(divergence_fields(p.observation, kout.observation), std::set<std::string>{})
      << "the kernel itself diverges from the model here";
  auto t = make_fuse_overlayfs_target();
  TargetOutcome out = t->run(c);
  ASSERT_EQ(out.kind, TargetOutcome::Kind::Observed) << kind_name(out) << ": " << out.reason;
  EXPECT_EQ(divergence_fields(p.observation, out.observation), k.fields) << divergences(c, out);
}

// Where fuse-overlayfs 1.10 agrees with the kernel.
TEST(FuseOverlayfsKnown, Conforms) {
  expect_known({R"(case fo/chardev-whiteout-and-opaque
clause whiteout.chardev
clause opaque.y
mount lowerdir=A:B:C
layer A
  whiteout /gone
  dir /d opaque=y
  file /d/a
layer B
  file /gone
  file /d/b
  file /e/b
layer C
  file /d/c
  file /e/c
  symlink /l /e/c
)", {}});
  expect_known({R"(case fo/upper-over-lowers
clause lookup.sequence
mount lowerdir=A:B,upperdir=U,workdir=W
layer U
  file /f "upper"
  whiteout /g
layer W
layer A
  file /f "lower"
  file /g
  fifo /p
layer B
  file /h
)", {}});
}

// BUGS_FOUND.md #1: lookup goes on below a non-directory when the directory above holds a
// whiteout: /d/x (of B, below A's file /d) is found although readdir of /d does not list it.
TEST(FuseOverlayfsKnown, LookupPastNonDirectory) {
  expect_known({R"(case fo/lookup-past-non-directory
clause lookup.nondir-shadows
mount lowerdir=A:B,upperdir=U,workdir=W
layer U
  whiteout /d/w
layer W
layer A
  file /d
layer B
  file /d/x
)", {"/d/x present",
      // and #6: /d is not merged (the layer below has a file there), so the kernel lists /d/w
      "/d children", "/d/w present"}});
}

// BUGS_FOUND.md #2: opaque=y on a layer root hides the layers below (the kernel ignores it).
TEST(FuseOverlayfsKnown, RootOpaqueHonoured) {
  expect_known({R"(case fo/root-opaque
clause stack.root
mount lowerdir=A:B
layer A
  dir / opaque=y
  file /a
layer B
  file /b
)", {"/ children", "/b present"}});
}

// BUGS_FOUND.md #3: any opaque value starting with 'y' makes a directory opaque (kernel: only "y").
TEST(FuseOverlayfsKnown, OpaqueValueYes) {
  expect_known({R"(case fo/opaque-yes
clause opaque.value
mount lowerdir=A:B
layer A
  dir /d opaque=yes
  file /d/a
layer B
  file /d/b
)", {"/d children", "/d/b present"}});
}

// BUGS_FOUND.md #4: user.overlay.opaque is honoured without userxattr, and hidden from listxattr.
TEST(FuseOverlayfsKnown, UserOpaqueWithoutUserxattr) {
  expect_known({R"(case fo/user-opaque
clause xattr.namespace
mount lowerdir=A:B
layer A
  dir /d xattr user.overlay.opaque=y
  file /d/a
layer B
  file /d/b
)", {"/d children", "/d xattrs", "/d/b present"}});
}

// BUGS_FOUND.md #5: escaped xattrs (trusted.overlay.overlay.X) are hidden, not shown unescaped.
TEST(FuseOverlayfsKnown, EscapedXattrsHidden) {
  expect_known({R"(case fo/escaped-xattr
clause xattr.escaped
mount lowerdir=A:B
layer A
  file /f xattr trusted.overlay.overlay.bar=1
layer B
  file /g
)", {"/f xattrs"}});
}

// BUGS_FOUND.md #6: a whiteout in a directory that only one layer has is not listed (the
// kernel lists it: such a directory is read straight through).
TEST(FuseOverlayfsKnown, WhiteoutInSingleLayerDirNotListed) {
  expect_known({R"(case fo/single-layer-whiteout
clause readdir.whiteout-listed
mount lowerdir=A:B
layer A
  file /nm/f
  whiteout /nm/wo
layer B
  file /b
)", {"/nm children", "/nm/wo present"}});
}

// BUGS_FOUND.md #7: option strings the kernel refuses are mounted.
TEST(FuseOverlayfsKnown, AcceptsWhatTheKernelRefuses) {
  for (const char* opts : {"lowerdir=A:B,foo=bar", "lowerdir=A", "lowerdir=A:A", "lowerdir=A:B,index=yes"}) {
    Case c = parse_case(std::string("case fo/refused\nclause options.keys\nmount ") + opts + "\nlayer A\n  file /a\nlayer B\n  file /b\n", "x.ovl");
    SCOPED_TRACE(opts);
    Prediction p = fuse_test::model_of(c);
    ASSERT_FALSE(p.observation.mount.ok);
    TargetOutcome out = make_fuse_overlayfs_target()->run(c);
    ASSERT_EQ(out.kind, TargetOutcome::Kind::Observed) << out.reason;
    EXPECT_TRUE(out.observation.mount.ok);
  }
}

// BUGS_FOUND.md #8: option strings the kernel accepts are refused.
TEST(FuseOverlayfsKnown, RefusesWhatTheKernelAccepts) {
  for (const char* opts : {"lowerdir=A\\:x:B", "lowerdir=A:B,upperdir=U,workdir=W,fsync=strict"}) {
    Case c = parse_case(std::string("case fo/accepted\nclause options.keys\nmount ") + opts +
                            "\nlayer A:x\n  file /a\nlayer A\n  file /a\nlayer B\n  file /b\nlayer U\nlayer W\n",
                        "x.ovl");
    SCOPED_TRACE(opts);
    Prediction p = fuse_test::model_of(c);
    ASSERT_TRUE(p.observation.mount.ok) << p.observation.mount.message;
    TargetOutcome out = make_fuse_overlayfs_target()->run(c);
    ASSERT_EQ(out.kind, TargetOutcome::Kind::Observed) << out.reason;
    EXPECT_FALSE(out.observation.mount.ok);
  }
}

// Capabilities, found by running it (so a new fuse-overlayfs that gains one is noticed).
Observation observe_fuse_overlayfs(const Case& c, const std::string& options, std::string* said) {
  Sandbox& sb = Sandbox::enter();
  std::string base = sb.make_dir("fo-capability");
  MaterializedCase m = materialize_case(c, base);
  FuseDaemon d = FuseDaemon::spawn({"/usr/bin/fuse-overlayfs", "-f", "-o", options, m.mountpoint}, m.layers_dir, m.mountpoint);
  Observation o;
  o.mount.ok = d.wait_mounted(10);
  if (o.mount.ok) {
    ProbeOptions po;
    po.candidates = candidate_paths(probe_layers(c));
    o = probe(m.mountpoint, po);
    d.stop(2, {"/usr/bin/fusermount3", "-u", m.mountpoint});
  }
  *said = d.output();
  sb.remove_tree(base);
  return o;
}

TEST(FuseOverlayfsCapabilities, RedirectDirOtherThanOffRefused) {
  Case c = parse_case("case fo/r\nclause options.redirect-mode\nmount lowerdir=A:B\nlayer A\n  file /a\nlayer B\n  file /b\n", "x.ovl");
  for (const char* v : {"on", "follow", "nofollow"}) {
    std::string said;
    Observation o = observe_fuse_overlayfs(c, std::string("lowerdir=A:B,redirect_dir=") + v, &said);
    EXPECT_FALSE(o.mount.ok) << v;
    EXPECT_NE(said.find("redirect_dir=off"), std::string::npos) << said;
    EXPECT_EQ(fuse_overlayfs_gap(parse_case(std::string("case x\nclause options.redirect-mode\nmount lowerdir=A:B,redirect_dir=") + v +
                                                "\nlayer A\nlayer B\n", "x.ovl"))
                  .has_value(),
              true);
  }
  std::string said;
  EXPECT_TRUE(observe_fuse_overlayfs(c, "lowerdir=A:B,redirect_dir=off", &said).mount.ok) << said;
}

TEST(FuseOverlayfsCapabilities, DoubleColonReadAsColon) {
  Case c = parse_case("case fo/dc\nclause stack.data-only-invisible\nmount lowerdir=A::B\nlayer A\n  file /a\nlayer B\n  file /blob\n", "x.ovl");
  std::string said;
  Observation o = observe_fuse_overlayfs(c, "lowerdir=A::B", &said);
  ASSERT_TRUE(o.mount.ok) << said;
  EXPECT_NE(o.find("/blob"), nullptr) << "the data-only layer's files became visible";
  Prediction p = fuse_test::model_of(c);
  EXPECT_EQ(p.observation.find("/blob"), nullptr);
  ASSERT_TRUE(fuse_overlayfs_gap(c));
  EXPECT_NE(fuse_overlayfs_gap(c)->find("'::'"), std::string::npos);
}

TEST(FuseOverlayfsCapabilities, XattrWhiteoutsIgnored) {
  Case c = parse_case(R"(case fo/xwh
clause whiteout.xattr
mount lowerdir=A:B
layer A
  dir /d opaque=x
  file /d/w "" xattr trusted.overlay.whiteout=y
layer B
  file /d/w "lower"
)", "x.ovl");
  std::string said;
  Observation o = observe_fuse_overlayfs(c, "lowerdir=A:B", &said);
  ASSERT_TRUE(o.mount.ok) << said;
  const Entry* w = o.find("/d/w");
  ASSERT_NE(w, nullptr) << "fuse-overlayfs shows the xattr whiteout as a file";
  EXPECT_EQ(w->size, 0u);
  EXPECT_EQ(fuse_test::model_of(c).observation.find("/d/w"), nullptr);
  ASSERT_TRUE(fuse_overlayfs_gap(c));
}

TEST(FuseOverlayfsCapabilities, GapsNamed) {
  auto gap = [](const std::string& mount, const std::string& layers = "layer A\nlayer B\n") {
    return fuse_overlayfs_gap(parse_case("case x\nclause options.keys\nmount " + mount + "\n" + layers, "x.ovl"));
  };
  EXPECT_FALSE(gap("lowerdir=A:B"));
  EXPECT_FALSE(gap("lowerdir=A:B,redirect_dir=off,index=off,xino=off"));
  EXPECT_TRUE(gap("lowerdir=A:B,metacopy=on"));
  EXPECT_TRUE(gap("lowerdir=A:B,userxattr"));
  EXPECT_TRUE(gap("lowerdir=A:B,verity=on"));
  EXPECT_TRUE(gap("lowerdir=A:B", "layer A\n  file /f xattr trusted.overlay.redirect=/g\nlayer B\n"));
  EXPECT_TRUE(gap("lowerdir=A:B", "layer A\n  file /f xattr trusted.overlay.metacopy=\nlayer B\n"));
}

// Generated cases within what fuse-overlayfs implements: no data-only layers, no redirect,
// metacopy, verity or userxattr options, no redirect/metacopy/whiteout xattrs.
std::vector<Case> fuse_overlayfs_generated(std::uint64_t seed, std::size_t count) {
  gen::GenParams params;
  params.force_no_userxattr = true;
  params.data_layers = false;
  params.allow_refused_options = false;
  std::vector<Case> cases;
  std::size_t i = 0;
  for (auto g : gen::generate_cases(seed, count, params)) {
    g.options = gen::GenOptions{};
    for (auto& l : g.layers)
      for (auto& e : l.entries)
        std::erase_if(e.xattrs, [](const auto& kv) {
          return kv.first.find("overlay.redirect") != std::string::npos ||
                 kv.first.find("overlay.metacopy") != std::string::npos ||
                 kv.first.find("overlay.whiteout") != std::string::npos;
        });
    cases.push_back(gen::to_case(g, "gen-" + std::to_string(seed) + "-" + std::to_string(i++)));
  }
  return cases;
}

// Runs cases through fuse-overlayfs and prints what happened (the survey behind BUGS_FOUND.md).
void survey(const std::vector<Case>& cases, const char* what) {
  auto t = make_fuse_overlayfs_target();
  KernelTarget kernel(MountApi::Legacy);
  std::map<std::string, int> reasons;
  std::size_t pass = 0, fail = 0, skip = 0, err = 0;
  for (const Case& c : cases) {
    TargetOutcome out = t->run(c);
    if (out.kind == TargetOutcome::Kind::Skipped) {
      ++skip;
      reasons[out.reason.substr(0, 60)]++;
      continue;
    }
    if (out.kind == TargetOutcome::Kind::Error) {
      ++err;
      std::printf("ERROR %s: %s\n", c.name.c_str(), out.reason.c_str());
      continue;
    }
    std::string d = divergences(c, out);
    TargetOutcome k = kernel.run(c);
    std::string vs_kernel;
    if (k.kind == TargetOutcome::Kind::Observed)
      for (const auto& x : diff(k.observation, out.observation))
        vs_kernel += "  vs kernel: " + x.path + " " + x.field + ": kernel=" + x.model + " fuse-overlayfs=" + x.target + "\n";
    else
      vs_kernel = "  kernel: " + std::string(kind_name(k)) + " " + k.reason + "\n";
    d += vs_kernel;
    if (d.empty()) {
      ++pass;
    } else {
      ++fail;
      std::printf("FAIL %s (%s)\n%s", c.name.c_str(), c.options.c_str(), d.c_str());
      if (std::getenv("OVL_FUSE_SURVEY_CASES")) std::printf("%s\n", print_case(c).c_str());
    }
  }
  std::printf("%s: pass %zu fail %zu skip %zu error %zu\n", what, pass, fail, skip, err);
  EXPECT_EQ(err, 0u) << "harness errors (hangs, crashes) on fuse-overlayfs";
  EXPECT_GT(pass, 0u);
  for (const auto& [r, n] : reasons) std::printf("  skip %3d x %s\n", n, r.c_str());
}

TEST(FuseOverlayfsRun, Corpus) {
  survey(load_corpus(std::filesystem::path(OVLSPEC_SOURCE_DIR) / "conformance" / "cases"), "corpus");
}

TEST(FuseOverlayfsRun, Generated) {
  survey(fuse_overlayfs_generated(7, 300), "generated");
}

}  // namespace
}  // namespace ovl
