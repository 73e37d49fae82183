// `ovlspec model -o OPTS`: what the layer directories named in the options look like when
// mounted, predicted by the model without root and without mounting.
#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "ovl/disk_layers.hpp"
#include "ovl/errnos.hpp"
#include "ovl/features.hpp"
#include "ovl/predict.hpp"
#include "semantics_args.hpp"

namespace ovl::cli {
namespace {

std::string describe(const Entry& e) {
  if (e.err) return "errno " + *e.err;
  std::string out(type_name(*e.type));
  if (e.size) out += "  size " + std::to_string(*e.size);
  if (e.content) out += "  sha256 " + e.content->substr(0, 12);
  if (e.open_err) out += "  open " + *e.open_err;
  if (e.target) out += "  -> " + *e.target;
  if (e.children) out += "  " + std::to_string(e.children->size()) + " children";
  if (e.readdir_err) out += "  readdir " + *e.readdir_err;
  if (e.xattrs)
    for (const auto& x : *e.xattrs) out += "  " + x;
  return out;
}

void print_table(const Observation& o) {
  if (!o.mount.ok) {
    std::printf("mount refused: %s [%s] %s\n", o.mount.err.c_str(), o.mount.clause.c_str(), o.mount.message.c_str());
    return;
  }
  for (const auto& e : o.entries) {
    std::string src = e.source ? "  (" + e.source->layer + ":" + e.source->path + ")" : "";
    std::printf("%-32s %s%s\n", e.path.c_str(), describe(e).c_str(), src.c_str());
  }
}

}  // namespace

/// Predicts the observation of the mount the options describe, from the layers on disk.
Prediction predict_from_disk(const std::string& options, const Semantics& sem) {
  DiskLayers disk;
  try {
    return predict_options(options, disk.source(), disk_path_probe(), sem, module_params());
  } catch (const LayerReadError& e) {
    throw BadInput(e.what());
  }
}

void add_model(CLI::App& app, Action& run) {
  struct Args {
    std::string options;
    bool json = false;
    SemanticsArgs sem;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand("model", "Predict what the layer directories named in -o look like when mounted");
  sub->add_option("-o,--options", args->options, "mount options, e.g. 'lowerdir=A:B::C,metacopy=on'")->required();
  sub->add_flag("--json", args->json, "print the ovlspec.observation/1 JSON");
  args->sem.add_to(*sub);
  sub->callback([args, &run] {
    run = [args] {
      Semantics sem = args->sem.resolve(running_kernel_level());
      Prediction p = predict_from_disk(args->options, sem);
      if (args->json)
        std::printf("%s\n", to_json(p.observation).dump(2).c_str());
      else
        print_table(p.observation);
      return int(kExitOk);
    };
  });
}

}  // namespace ovl::cli
