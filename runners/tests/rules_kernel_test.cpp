// Every rule case through both kernel targets, diffed against ovl::predict(): no divergence.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ovl/features.hpp"
#include "ovl/kernel_target.hpp"
#include "ovl/predict.hpp"
#include "ovl/reproducer.hpp"
#include "ovl/sha256.hpp"
#include "rule_cases.hpp"

namespace ovl {
namespace {

struct Param {
  std::string case_name;
  MountApi api;
};

void PrintTo(const Param& p, std::ostream* os) {
  *os << p.case_name << (p.api == MountApi::Legacy ? " (mount(2))" : " (fsconfig)");
}

std::string param_name(const testing::TestParamInfo<Param>& p) {
  std::string n = p.param.case_name + (p.param.api == MountApi::Legacy ? "_legacy" : "_fsconfig");
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

std::vector<Param> params() {
  std::vector<Param> out;
  for (const auto& c : test::rule_cases())
    for (MountApi api : {MountApi::Legacy, MountApi::Fsconfig}) out.push_back({c.name, api});
  return out;
}

Case find_case(const std::string& name) {
  for (auto& c : test::rule_cases())
    if (c.name == name) return c;
  throw std::invalid_argument("no rule case " + name);
}

class RuleCase : public testing::TestWithParam<Param> {};

TEST_P(RuleCase, KernelAgreesWithModel) {
  Case c = find_case(GetParam().case_name);
  KernelTarget target(GetParam().api);
  ASSERT_EQ(target.unavailable(), std::nullopt);
  ASSERT_EQ(target.cannot_run(c), std::nullopt);
  TargetOutcome got = target.run(c);
  ASSERT_EQ(got.kind, TargetOutcome::Kind::Observed) << got.reason;
  Semantics sem;
  sem.kernel = target.level();
  Prediction p = predict(c, sem, module_params());
  auto divs = diff(p.observation, got.observation, {}, p.clauses);
  std::string report;
  for (const auto& d : divs) report += d.path + " " + d.field + ": model " + d.model + ", kernel " + d.target + "\n";
  EXPECT_TRUE(divs.empty()) << report << "kernel log: " << got.mount_log << "\nmodel: "
                            << to_json(p.observation).dump(1) << "\nkernel: " << to_json(got.observation).dump(1)
                            << "\nreproducer:\n" << write_reproducer(c, divs);
  // The walk saw something: a mounted case has its root.
  if (got.observation.mount.ok) {
    EXPECT_NE(got.observation.find("/"), nullptr);
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, RuleCase, testing::ValuesIn(params()), param_name);

// A model expectation changed on purpose is reported as a divergence of exactly that field.
TEST(WrongExpectation, IsReportedWithTheRightField) {
  Case c = find_case("whiteout-chardev");
  KernelTarget target(MountApi::Legacy);
  TargetOutcome got = target.run(c);
  ASSERT_EQ(got.kind, TargetOutcome::Kind::Observed) << got.reason;
  Semantics sem;
  Prediction p = predict(c, sem, module_params());
  ASSERT_TRUE(diff(p.observation, got.observation).empty());
  Observation wrong = p.observation;
  for (auto& e : wrong.entries)
    if (e.path == "/y") e.content = sha256_hex("not what B holds");
  auto divs = diff(wrong, got.observation, {}, p.clauses);
  ASSERT_EQ(divs.size(), 1u);
  EXPECT_EQ(divs[0].path, "/y");
  EXPECT_EQ(divs[0].field, "content");
  EXPECT_EQ(divs[0].target, sha256_hex("visible"));
  // A whiteout the model wrongly thinks visible: the kernel's ENOENT shows as errno.
  Observation wrong2 = p.observation;
  for (auto& e : wrong2.entries)
    if (e.path == "/d/gone") {
      e.err.reset();
      e.type = NodeType::Reg;
    }
  bool gone_seen = false;
  for (const auto& e : got.observation.entries) gone_seen = gone_seen || e.path == "/d/gone";
  if (!gone_seen) {
    // /d/gone is not listed: add the wrong entry, the kernel's side is then "absent".
    Entry e;
    e.path = "/d/gone";
    e.type = NodeType::Reg;
    wrong2.entries.push_back(e);
  }
  divs = diff(wrong2, got.observation);
  ASSERT_EQ(divs.size(), 1u);
  EXPECT_EQ(divs[0].path, "/d/gone");
  EXPECT_EQ(divs[0].field, gone_seen ? "errno" : "present");
}

}  // namespace
}  // namespace ovl
