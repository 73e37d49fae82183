// Exit codes and the exceptions that map to them, shared by every subcommand.
#pragma once
#include <stdexcept>
#include <string>

namespace ovl::cli {

/// The process exit codes of every ovlspec command.
enum ExitCode : int {
  kExitOk = 0,           // everything conforms / the command did its job
  kExitDivergence = 1,   // a divergence (or a failed verdict) was found
  kExitBadInput = 2,     // malformed case file, option string, argument …
  kExitEnvironment = 3,  // this machine cannot do it (not root, no overlay …)
};

/// Bad input from the user: exit 2 with this message.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The environment cannot run the command: exit 3 with this message.
struct CannotRunHere : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ovl::cli
