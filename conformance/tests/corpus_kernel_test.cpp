// Kernel test (label `kernel`, needs root): every corpus case's `expect` lines hold on the running
// kernel, mounted with the legacy mount(2) API (fsconfig cases with fsopen/fsconfig). Cases
// written for a proposal are not kernel cases and are left out.
// OVLSPEC_CORPUS overrides the corpus directory.
#include <gtest/gtest.h>

#include <cstdlib>

#include "ovl/case_format.hpp"
#include "ovl/kernel_target.hpp"

namespace ovl {
namespace {

std::filesystem::path corpus_dir() {
  if (const char* d = std::getenv("OVLSPEC_CORPUS")) return d;
  return std::filesystem::path(OVLSPEC_SOURCE_DIR) / "conformance" / "cases";
}

const std::vector<Case>& corpus() {
  static const std::vector<Case> cases = load_corpus(corpus_dir());
  return cases;
}

/// The kernel cases: those written for a proposal (Case::semantics) describe no kernel.
std::vector<std::size_t> indices() {
  std::vector<std::size_t> v;
  for (std::size_t i = 0; i < corpus().size(); ++i)
    if (corpus()[i].semantics.empty()) v.push_back(i);
  return v;
}

class CorpusOnKernel : public ::testing::TestWithParam<std::size_t> {};

TEST_P(CorpusOnKernel, ExpectationsHold) {
  const Case& c = corpus()[GetParam()];
  KernelTarget target(c.fsconfig ? MountApi::Fsconfig : MountApi::Legacy);
  if (auto why = target.unavailable()) FAIL() << "the kernel target is unavailable here: " << *why;
  if (c.min_kernel && target.level() < *c.min_kernel)
    GTEST_SKIP() << c.name << " needs kernel " << c.min_kernel->str() << ", this is " << target.level().str();
  TargetOutcome out = target.run(c);
  ASSERT_EQ(out.kind, TargetOutcome::Kind::Observed) << c.source_file << ": " << out.reason;
  std::vector<std::string> failures = check_expectations(c, out.observation);
  std::string all;
  for (const auto& f : failures) all += f + "\n";
  EXPECT_TRUE(failures.empty()) << all << "mount log: " << out.mount_log;
}

std::string case_test_name(const ::testing::TestParamInfo<std::size_t>& info) {
  std::string n = corpus()[info.param].name;
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusOnKernel, ::testing::ValuesIn(indices()), case_test_name);

}  // namespace
}  // namespace ovl
