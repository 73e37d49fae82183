// The subcommands of `ovlspec`. Each adds itself to the app and sets `run` when chosen.
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

namespace ovl::cli {

/// What a chosen subcommand does; returns the exit code.
using Action = std::function<int()>;

// One function per subcommand, each in its own cmd_*.cpp; main.cpp calls each.

}  // namespace ovl::cli
