// A Case: named layer trees, the mount options, and optional hand-written expectations.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ovl/node.hpp"
#include "ovl/observation.hpp"
#include "ovl/options.hpp"
#include "ovl/semantics.hpp"

namespace ovl {

/// One `expect` line: the fields given must equal the target's (others are not checked).
struct Expectation {
  int line = 0;              // line in the case file, for error messages
  std::optional<Entry> entry;          // a path expectation
  std::optional<MountStatus> mount;    // `expect mount ok` / `expect mount EINVAL`
  bool absent = false;                 // `expect /p absent`: no entry for the path
  std::optional<std::string> content_text;  // content="…" as written (entry->content is its sha256)
};

/// A conformance case: the unit every target runs.
struct Case {
  std::string name;                          // "data-only/capture-by-regular-lower"
  std::vector<std::string> clauses;          // clause ids it exercises
  std::string options;                       // legacy mount(2) option string
  std::optional<std::vector<FsconfigCall>> fsconfig;  // set: mount through this sequence instead
  std::vector<std::string> semantics;        // proposals this case is written for ("" = kernel)
  std::optional<KernelVersion> min_kernel;   // the case needs at least this kernel
  std::vector<std::pair<std::string, std::shared_ptr<Layer>>> layers;  // by name, in file order
  std::vector<Expectation> expects;
  std::string source_file;                   // where it was read from, if anywhere
  std::vector<std::string> description;      // leading `#` comment lines of the file, without "# "

  const Layer* layer(std::string_view name) const;
};

}  // namespace ovl
