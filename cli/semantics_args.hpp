// The --kernel and --semantics flags shared by every command that runs the model.
#pragma once
#include <string>

#include <CLI/CLI.hpp>

#include "ovl/semantics.hpp"

namespace ovl::cli {

/// The values of --kernel X.Y and --semantics NAME[,NAME] as given on the command line.
struct SemanticsArgs {
  std::string kernel;                  // "" = the model's own level (or the running kernel's, see resolve)
  std::string semantics = "kernel";

  /// Adds both flags to a subcommand.
  void add_to(CLI::App& sub);
  /// The Semantics they name; `detected` is the level to use without --kernel.
  /// Throws BadInput naming the flag when a value is malformed.
  Semantics resolve(KernelVersion detected) const;
};

/// The running kernel's release as a feature level, capped at the newest level the model knows.
KernelVersion running_kernel_level();

}  // namespace ovl::cli
