// `ovlspec explain -o OPTS PATH`: the step-by-step resolution of one path, layer by layer,
// with the clause behind every step.
#include <cstdio>
#include <memory>
#include <string>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "ovl/errnos.hpp"
#include "ovl/predict.hpp"
#include "semantics_args.hpp"

namespace ovl::cli {

Prediction predict_from_disk(const std::string& options, const Semantics& sem);  // cmd_model.cpp

void add_explain(CLI::App& app, Action& run) {
  struct Args {
    std::string options, path;
    SemanticsArgs sem;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand("explain", "Explain how the model resolves one path, step by step, with clause ids");
  sub->add_option("-o,--options", args->options, "mount options, e.g. 'lowerdir=A:B::C,metacopy=on'")->required();
  sub->add_option("path", args->path, "absolute path inside the mount, e.g. /dir/file")->required();
  args->sem.add_to(*sub);
  sub->callback([args, &run] {
    run = [args] {
      if (args->path.empty() || args->path[0] != '/')
        throw BadInput("explain: PATH '" + args->path + "' must be absolute (start with /)");
      Semantics sem = args->sem.resolve(running_kernel_level());
      Prediction p = predict_from_disk(args->options, sem);
      std::printf("semantics: %s\n", sem.name().c_str());
      if (!p.model) {
        const auto& m = p.observation.mount;
        std::printf("mount refused: %s\n  [%s] %s\n", m.err.c_str(), m.clause.c_str(), m.message.c_str());
        return int(kExitOk);
      }
      Resolution r;
      try {
        r = p.model->resolve(args->path);
      } catch (const std::invalid_argument& e) {
        throw BadInput(std::string("explain: ") + e.what());
      }
      int n = 0;
      for (const auto& step : r.trace) std::printf("%3d. [%s] %s\n", ++n, step.clause.c_str(), step.text.c_str());
      if (r.err) {
        std::printf("=> %s: %s\n", args->path.c_str(), errno_name(r.err).c_str());
      } else {
        const auto& layers = p.model->stack().layers;
        auto where = [&](const LayerPath& lp) {
          return lp.layer >= 0 && std::size_t(lp.layer) < layers.size() ? layers[lp.layer].name + ":" + lp.path
                                                                          : std::string("?");
        };
        std::printf("=> %s: %s, attributes from %s", args->path.c_str(), std::string(type_name(r.type)).c_str(),
                    where(r.meta_at).c_str());
        if (r.type == NodeType::Reg) {
          if (r.open_err)
            std::printf(", open fails with %s", errno_name(r.open_err).c_str());
          else if (r.data_at)
            std::printf(", data from %s", where(*r.data_at).c_str());
        }
        if (r.type == NodeType::Dir && r.merged.size() > 1) {
          std::printf(", merges");
          for (const auto& m : r.merged) std::printf(" %s", where(m).c_str());
        }
        std::printf("\n");
      }
      return int(kExitOk);
    };
  });
}

}  // namespace ovl::cli
