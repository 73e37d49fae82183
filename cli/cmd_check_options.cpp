// `ovlspec check-options`: generated option inputs through the model and the running kernel
// (legacy mount(2) and fsopen/fsconfig), a summary table by rule, and the disagreements.
#include <cstdio>
#include <string>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "ovl/option_gen_kernel.hpp"

namespace ovl::cli {

void add_check_options(CLI::App& app, Action& run) {
  struct Args {
    std::size_t count = 1000;
    std::uint64_t seed = 20261129;
    std::string api = "both";
    std::size_t show = 20;
    bool unprivileged = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "check-options", "Hold the kernel's option parser to the model: generated option strings and fsconfig sequences");
  sub->add_option("--count", args->count, "inputs per mount API")->check(CLI::Range(1, 1000000));
  sub->add_option("--seed", args->seed, "generator seed (the same seed gives the same inputs)");
  sub->add_option("--api", args->api, "legacy, fsconfig or both")->check(CLI::IsMember({"legacy", "fsconfig", "both"}));
  sub->add_option("--show", args->show, "disagreements to print");
  sub->add_flag("--unprivileged", args->unprivileged,
                "mount from a user namespace (no CAP_SYS_ADMIN in the initial namespace)");
  sub->callback([args, &run] {
    run = [args]() -> int {
      if (auto why = overlay_unavailable_reason()) throw CannotRunHere(*why);
      const bool legacy = args->api != "fsconfig", fsconfig = args->api != "legacy";
      gen::OptionCheckReport rep;
      try {
        rep = gen::run_option_check(args->seed, args->count, legacy, fsconfig, args->show, args->unprivileged);
      } catch (const SandboxError& e) {
        throw CannotRunHere(e.what());
      } catch (const std::runtime_error& e) {  // the user-namespace child could not run
        throw CannotRunHere(e.what());
      }
      std::printf("%-40s %8s %8s %8s\n", "api rule", "inputs", "agree", "differ");
      for (const auto& [rule, c] : rep.by_rule)
        std::printf("%-40s %8zu %8zu %8zu\n", rule.c_str(), c.inputs, c.agree, c.inputs - c.agree);
      std::printf("%-40s %8zu %8zu %8zu\n", "total", rep.inputs, rep.inputs - rep.disagreements, rep.disagreements);
      for (const auto& f : rep.findings) std::printf("\n%s\n", f.c_str());
      std::printf("\nseed %llu, %zu inputs per API\n", static_cast<unsigned long long>(args->seed), args->count);
      return rep.disagreements ? kExitDivergence : kExitOk;
    };
  });
}

}  // namespace ovl::cli
