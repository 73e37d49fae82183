// `ovlspec`: argument handling and wiring only; the work is in model/, runners/, conformance/ …
#include <cstdio>
#include <exception>

#include "cli_errors.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace ovl::cli;
  CLI::App app{"ovlspec: the executable specification of Linux overlayfs lookup, and its conformance suite"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ovlspec 0.1.0");
  Action run;
  // Each subcommand registers itself here (one line per cmd_*.cpp).
  add_run(app, run);     // cmd_run.cpp
  add_report(app, run);  // cmd_report.cpp
  add_model(app, run);    // cmd_model.cpp
  add_explain(app, run);  // cmd_explain.cpp
  add_check_options(app, run);  // cmd_check_options.cpp
  add_prove(app, run);  // cmd_prove.cpp
  add_observe(app, run);  // cmd_observe.cpp
  add_check(app, run);    // cmd_check.cpp
  add_serve_fuse(app, run);  // cmd_serve_fuse.cpp
  add_fuzz(app, run);     // cmd_fuzz.cpp
  add_check_image(app, run);  // cmd_check_image.cpp
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  try {
    return run ? run() : kExitBadInput;
  } catch (const BadInput& e) {
    std::fprintf(stderr, "ovlspec: %s\n", e.what());
    return kExitBadInput;
  } catch (const CannotRunHere& e) {
    std::fprintf(stderr, "ovlspec: cannot run here: %s\n", e.what());
    return kExitEnvironment;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ovlspec: internal error: %s\n", e.what());
    return 70;
  }
}
