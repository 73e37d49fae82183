// `ovlspec observe MOUNTPOINT [--json]`: what a mounted tree shows, as an Observation.
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "ovl/probe.hpp"

namespace ovl::cli {
namespace {

// One line per entry: path, type, mode, size, then what else the entry has.
void print_table(const Observation& o) {
  std::printf("%-40s %-5s %-5s %10s  %s\n", "path", "type", "mode", "size", "details");
  for (const auto& e : o.entries) {
    if (e.err) {
      std::printf("%-40s %-5s %-5s %10s  errno %s\n", e.path.c_str(), "-", "-", "-", e.err->c_str());
      continue;
    }
    char mode[8] = "-";
    if (e.mode) std::snprintf(mode, sizeof mode, "%04o", *e.mode);
    std::string size = e.size ? std::to_string(*e.size) : "-";
    std::string details;
    if (e.content) details += "sha256 " + e.content->substr(0, 16) + "…";
    if (e.open_err) details += "open " + *e.open_err;
    if (e.target) details += "-> " + *e.target;
    if (e.children) details += std::to_string(e.children->size()) + " children";
    if (e.readdir_err) details += "readdir " + *e.readdir_err;
    if (e.xattrs)
      for (const auto& x : *e.xattrs) details += " [" + x + "]";
    std::printf("%-40s %-5s %-5s %10s  %s\n", e.path.c_str(),
                e.type ? std::string(type_name(*e.type)).c_str() : "-", mode, size.c_str(), details.c_str());
  }
}

}  // namespace

void add_observe(CLI::App& app, Action& run) {
  struct Args {
    std::string mountpoint;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("observe", "Walk a mounted tree (any mount) and print what it shows");
  sub->add_option("MOUNTPOINT", args->mountpoint, "the directory to walk")->required();
  sub->add_flag("--json", args->json, "print the Observation as JSON (schema ovlspec.observation/1)");
  sub->callback([args, &run] {
    run = [args]() -> int {
      struct stat st {};
      if (stat(args->mountpoint.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw BadInput("observe: MOUNTPOINT '" + args->mountpoint + "' is not an existing directory");
      Observation o = probe(args->mountpoint);
      if (args->json) {
        std::printf("%s\n", to_json(o).dump(2).c_str());
      } else {
        print_table(o);
      }
      return kExitOk;
    };
  });
}

}  // namespace ovl::cli
