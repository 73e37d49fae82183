// The subcommands of `ovlspec`. Each adds itself to the app and sets `run` when chosen.
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

namespace ovl::cli {

/// What a chosen subcommand does; returns the exit code.
using Action = std::function<int()>;

// One function per subcommand, each in its own cmd_*.cpp; main.cpp calls each.
/// `run` (cmd_run.cpp) and `report` (cmd_report.cpp).
void add_run(CLI::App& app, Action& run);
void add_report(CLI::App& app, Action& run);
/// `model` (cmd_model.cpp) and `explain` (cmd_explain.cpp).
void add_model(CLI::App& app, Action& run);
void add_explain(CLI::App& app, Action& run);
/// `check-options` (cmd_check_options.cpp).
void add_check_options(CLI::App& app, Action& run);
/// `prove` (cmd_prove.cpp).
void add_prove(CLI::App& app, Action& run);

/// `observe` (cmd_observe.cpp).
void add_observe(CLI::App& app, Action& run);
/// `check` (cmd_check.cpp).
void add_check(CLI::App& app, Action& run);
/// `serve-fuse` (cmd_serve_fuse.cpp).
void add_serve_fuse(CLI::App& app, Action& run);
/// `fuzz` (cmd_fuzz.cpp).
void add_fuzz(CLI::App& app, Action& run);
/// `check-image` (cmd_check_image.cpp).
void add_check_image(CLI::App& app, Action& run);

}  // namespace ovl::cli
