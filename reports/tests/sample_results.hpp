// A small results set for the report tests: a pass, a fail with divergences, a skip, an error.
#pragma once
#include "ovl/results_file.hpp"

namespace ovl {

inline Observation testing_observation(const std::string& foo_content) {
  Observation o;
  Entry root;
  root.path = "/";
  root.type = NodeType::Dir;
  root.mode = 0755;
  root.children = std::vector<std::string>{"foo"};
  Entry foo;
  foo.path = "/foo";
  foo.type = NodeType::Reg;
  foo.size = 4;
  foo.content = foo_content;
  o.entries = {root, foo};
  return o;
}

inline ResultsFile testing_sample_results() {
  ResultsFile f;
  f.header.ovlspec_version = "0.1.0";
  f.header.kernel_release = "6.18.44-test";
  f.header.date = "2026-11-29T09:41:20Z";
  f.header.command = "run";
  f.header.targets = {{"model", true, "", "6.18"},
                      {"kernel", true, "", "6.18"},
                      {"fuse-overlayfs", false, "fuse-overlayfs is not installed", ""}};
  f.header.seed = 42;

  Result pass;
  pass.case_name = "whiteout/chardev-hides-lower";
  pass.source_file = "conformance/cases/whiteout/chardev.ovl";
  pass.clauses = {"whiteout.chardev", "lookup.negative"};
  pass.target = "kernel";
  pass.semantics = "kernel-6.18";
  pass.verdict = Verdict::Pass;
  pass.seconds = 0.0012;

  Result fail;
  fail.case_name = "data-only/capture-by-regular-lower";
  fail.source_file = "conformance/cases/data-only/capture.ovl";
  fail.clauses = {"data.redirect.order"};
  fail.target = "kernel";
  fail.semantics = "kernel-6.18";
  fail.verdict = Verdict::Fail;
  fail.divergences = {{"/foo", "content", "aaaa<&>\"", "bbbb", {"data.redirect.order", "metacopy.data"}}};
  fail.failed_expectations = {"conformance/cases/data-only/capture.ovl:9: /foo content: expected sha256(\"x\"), got bbbb"};
  fail.model_observation = testing_observation("aaaa<&>\"");
  fail.target_observation = testing_observation("bbbb");
  fail.reproducer = "#!/bin/sh\nset -e\nd=$(mktemp -d)\nmkdir \"$d/A\"\necho '<b>&amp;</b>'\n";
  fail.seconds = 0.004;

  Result skip = pass;
  skip.target = "fuse-overlayfs";
  skip.semantics = "kernel-6.18";
  skip.verdict = Verdict::Skip;
  skip.reason = "fuse-overlayfs is not installed";
  skip.seconds = 0;

  Result error = fail;
  error.case_name = "redirect/gen-7";
  error.source_file = "";
  error.clauses = {};
  error.verdict = Verdict::Error;
  error.reason = "timeout after 30 s";
  error.divergences = {};
  error.failed_expectations = {};
  error.model_observation.reset();
  error.target_observation.reset();
  error.reproducer = "";
  error.seed = 18446744073709551615ull;
  error.origin = "generated";

  f.results = {pass, fail, skip, error};
  return f;
}

}  // namespace ovl
