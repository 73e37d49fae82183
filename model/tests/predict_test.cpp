// predict(): option parsing, stack building, and the Observation of a Case.
#include <gtest/gtest.h>

#include "model_test_util.hpp"
#include "ovl/predict.hpp"

namespace ovl::test {
namespace {

Case make_case(std::string options) {
  Case c;
  c.name = "predict";
  c.options = std::move(options);
  auto a = std::make_shared<Layer>();
  a->put("/foo", metacopy(9, "/1e/de17"));
  a->put("/d/a", file("a"));
  auto b = std::make_shared<Layer>();
  b->put("/d/b", file("b"));
  auto d = std::make_shared<Layer>();
  d->put("/1e/de17", file("blob"));
  c.layers = {{"A", a}, {"B", b}, {"C", d}};
  return c;
}

TEST(Predict, BuildsTheStackFromTheOptions) {
  Prediction p = predict(make_case("lowerdir=B:A::C"), Semantics{});  // A lowest: R40 allows the data redirect
  ASSERT_TRUE(p.observation.mount.ok) << p.observation.mount.message;
  ASSERT_TRUE(p.model.has_value());
  ASSERT_EQ(p.model->stack().layers.size(), 3u);
  EXPECT_EQ(p.model->stack().layers[2].role, Role::DataOnly);
  EXPECT_EQ(p.model->stack().layers[0].name, "B");
  const Entry* foo = p.observation.find("/foo");
  ASSERT_NE(foo, nullptr);
  EXPECT_EQ(foo->content, sha256_hex("blob"));
  EXPECT_EQ(foo->size, 9u);
  EXPECT_EQ(foo->source, (Source{"C", "/1e/de17"}));
  EXPECT_EQ(p.observation.find("/d")->children, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(p.clauses.empty());
  for (const auto& [path, cl] : p.clauses)
    for (const auto& c : cl) EXPECT_TRUE(spec_clause_ids().count(c)) << path << " " << c;
}

TEST(Predict, ARefusedMountIsAnErrorStatus) {
  Prediction p = predict(make_case("lowerdir=A"), Semantics{});
  EXPECT_FALSE(p.observation.mount.ok);
  EXPECT_EQ(p.observation.mount.err, "EINVAL");
  EXPECT_FALSE(p.observation.mount.clause.empty());
  EXPECT_FALSE(p.model.has_value());
  EXPECT_TRUE(p.observation.entries.empty());
  Prediction missing = predict(make_case("lowerdir=A:Nope"), Semantics{});
  EXPECT_FALSE(missing.observation.mount.ok);
  EXPECT_EQ(missing.observation.mount.err, "ENOENT");
}

TEST(Predict, LayerPathsInsideCaseLayers) {
  Case c = make_case("lowerdir=./B:A/d,upperdir=U,workdir=W");
  auto u = std::make_shared<Layer>();
  c.layers.push_back({"U", u});
  c.layers.push_back({"W", std::make_shared<Layer>()});
  Prediction p = predict(c, Semantics{});
  ASSERT_TRUE(p.observation.mount.ok) << p.observation.mount.message;
  EXPECT_EQ(p.observation.find("/")->children, (std::vector<std::string>{"a", "d"}));
  EXPECT_EQ(p.observation.find("/a")->source, (Source{"A/d", "/a"}));
  Prediction notdir = predict(make_case("lowerdir=B:A/foo"), Semantics{});
  EXPECT_FALSE(notdir.observation.mount.ok);
  EXPECT_NE(notdir.observation.mount.err, "ENOENT");
  Prediction missing = predict(make_case("lowerdir=B:A/none"), Semantics{});
  EXPECT_EQ(missing.observation.mount.err, "ENOENT");
}

TEST(Predict, ALayerRootInsideAnotherLayerIsATrap) {  // [lookup.trap]
  Case c = make_case("lowerdir=A,upperdir=A/d,workdir=W");
  c.layers.push_back({"W", std::make_shared<Layer>()});
  Prediction p = predict(c, Semantics{});
  ASSERT_TRUE(p.observation.mount.ok) << p.observation.mount.message;
  ASSERT_NE(p.observation.find("/d"), nullptr);
  EXPECT_EQ(p.observation.find("/d")->err, "ELOOP");
  EXPECT_EQ(p.observation.find("/")->children, (std::vector<std::string>{"a", "d", "foo"}));
  ASSERT_EQ(p.model->stack().traps.size(), 1u);
  EXPECT_EQ(p.model->stack().traps[0], (std::pair<int, std::string>{1, "/d"}));
}

TEST(Predict, OptionsWithLayerSource) {
  Case c = make_case("");
  LayerSource src = [&c](const std::string& p) -> std::shared_ptr<const Layer> {
    for (const auto& [n, l] : c.layers)
      if (n == p) return l;
    return nullptr;
  };
  PathProbe probe = [&c](const std::string& p) { return c.layer(p) ? PathInfo{0, true, p} : PathInfo{ENOENT, false, ""}; };
  Prediction p = predict_options("lowerdir=B:A", src, probe, Semantics{});
  ASSERT_TRUE(p.observation.mount.ok);
  // A metacopy file without data-only layers under metacopy=off: EPERM, even in the lowest layer.
  EXPECT_EQ(p.observation.find("/foo")->err, "EPERM");
  Prediction q = predict(make_case("lowerdir=A:B::C"), Semantics{});  // A above B: R40 EPERM
  EXPECT_EQ(q.observation.find("/foo")->err, "EPERM");
  Prediction r = predict(make_case("lowerdir=A:B::C,metacopy=on"), Semantics{});
  EXPECT_EQ(r.observation.find("/foo")->content, sha256_hex("blob"));
}

}  // namespace
}  // namespace ovl::test
