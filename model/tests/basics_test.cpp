// Tests of the model's basic types: layer trees, paths, sha256, errno names, Observation JSON.
#include <gtest/gtest.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "ovl/errnos.hpp"
#include "ovl/node.hpp"
#include "ovl/observation.hpp"
#include "ovl/semantics.hpp"
#include "ovl/sha256.hpp"

namespace ovl {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  EXPECT_EQ(sha256_hex("ab", 3), sha256_hex(std::string("ab\0", 3)));
}

TEST(Layer, PutAndFind) {
  Layer l;
  l.put("/a/b/c", Node::file("x"));
  ASSERT_NE(l.find("/a/b"), nullptr);
  EXPECT_TRUE(l.find("/a/b")->is_dir());
  EXPECT_EQ(l.find("/a/b/c")->data, "x");
  EXPECT_EQ(l.find("/a/x"), nullptr);
  EXPECT_EQ(l.find("/a/b/c/d"), nullptr);
  EXPECT_EQ(l.count(), 4u);
  EXPECT_THROW(l.put("/a/b/c/d", Node::file("y")), std::invalid_argument);
  EXPECT_THROW(l.put("/a/../b", Node::file("y")), std::invalid_argument);
  Layer copy = l;
  copy.put("/a/b/c", Node::file("changed"));
  EXPECT_EQ(l.find("/a/b/c")->data, "x");
}

TEST(Errnos, RoundTrip) {
  EXPECT_EQ(errno_name(EPERM), "EPERM");
  EXPECT_EQ(errno_from_name("ESTALE"), ESTALE);
  EXPECT_EQ(errno_name(4095), "E4095");
  EXPECT_EQ(errno_from_name("E4095"), 4095);
  EXPECT_FALSE(errno_from_name("nonsense"));
}

TEST(KernelVersion, Parse) {
  EXPECT_EQ(KernelVersion::parse("6.18.44-fc-v669"), (KernelVersion{6, 18}));
  EXPECT_LT(*KernelVersion::parse("6.5"), *KernelVersion::parse("6.18"));
  EXPECT_FALSE(KernelVersion::parse("six"));
  EXPECT_FALSE(KernelVersion::parse("6"));
}

TEST(Observation, JsonRoundTripAndDiff) {
  Observation o;
  Entry root{.path = "/"};
  root.type = NodeType::Dir;
  root.mode = 0755;
  root.children = std::vector<std::string>{"foo"};
  Entry foo{.path = "/foo"};
  foo.type = NodeType::Reg;
  foo.size = 3;
  foo.content = sha256_hex("abc");
  o.entries = {foo, root};
  o.normalize();
  auto j = to_json(o);
  EXPECT_EQ(j["entries"][0]["mode"], "0755");
  Observation back = observation_from_json(j);
  EXPECT_EQ(back.entries, o.entries);
  EXPECT_TRUE(diff(o, back).empty());
  back.entries[1].content = sha256_hex("abd");
  auto d = diff(o, back);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].path, "/foo");
  EXPECT_EQ(d[0].field, "content");
  o.entries[1].unspecified = {"content"};
  EXPECT_TRUE(diff(o, back).empty());
  EXPECT_THROW(observation_from_json(nlohmann::json::parse(R"({"schema":"x"})")), std::invalid_argument);
}

}  // namespace
}  // namespace ovl
