// Running the witness of a SAT theorem through a target (the kernel) to confirm it.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "ovl/smt_theorems.hpp"
#include "ovl/target.hpp"

namespace ovl::smt {

/// What one target made of one witness.
struct Confirmation {
  std::string target;    // "kernel", "kernel-fsconfig"
  std::string status;    // "confirmed", "NOT confirmed", "skipped", "error"
  std::string detail;    // what was observed, or why it was skipped / failed
};

/// Runs the row's witness case through the target and compares what it shows with the witness's
/// expectation (the mount status for syntax witnesses, the entry of the path for lookup witnesses).
Confirmation confirm_witness(const TheoremRow& row, Target& target);

/// The kernel targets ("kernel" through mount(2), "kernel-fsconfig").
std::vector<std::unique_ptr<Target>> kernel_targets();

}  // namespace ovl::smt
