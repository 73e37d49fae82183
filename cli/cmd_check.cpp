// `ovlspec check`: mount layer directories (or a .ovl case) with the real kernel, in the sandbox,
// and print every field where the kernel and the model differ, with a shell reproducer.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "ovl/check.hpp"
#include "ovl/divergence_table.hpp"
#include "ovl/features.hpp"
#include "ovl/layer_reader.hpp"
#include "ovl/materialize.hpp"
#include "ovl/reproducer.hpp"
#include "ovl/sandbox.hpp"
#if __has_include("ovl/case_format.hpp")
#include "ovl/case_format.hpp"
#define OVL_HAVE_CASE_FORMAT 1
#endif

namespace ovl::cli {
namespace {

// The reproducer for the first divergent target, or why there is none.
std::string reproducer_for(const CheckResult& r) {
  for (const auto& t : r.targets) {
    if (t.divergences.empty()) continue;
    try {
      return write_reproducer(r.stack, t.divergences);
    } catch (const MaterializeError& e) {
      return std::string("# no reproducer: ") + e.what() +
             "\n# (run check from the directory holding the layers, naming them relatively)\n";
    }
  }
  return "";
}

int report(const CheckResult& r, const Semantics& sem, bool json) {
  std::string repro = reproducer_for(r);
  std::size_t observed = 0;
  for (const auto& t : r.targets) observed += t.outcome.kind != TargetOutcome::Kind::Skipped;
  if (json) {
    nlohmann::json j;
    j["schema"] = "ovlspec.check/1";
    j["semantics"] = sem.name();
    j["model"] = to_json(r.prediction.observation);
    j["targets"] = nlohmann::json::array();
    for (const auto& t : r.targets) j["targets"].push_back(target_json(t, true));
    j["reproducer"] = repro.empty() ? nlohmann::json(nullptr) : nlohmann::json(repro);
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    const auto& m = r.prediction.observation;
    std::printf("model (%s): mount %s, %zu entries\n", sem.name().c_str(),
                m.mount.ok ? "ok" : ("refused " + m.mount.err).c_str(), m.entries.size());
    for (const auto& t : r.targets) std::fputs(target_report(t).c_str(), stdout);
    if (!repro.empty()) std::printf("\nreproducer (sh, as root):\n%s", repro.c_str());
  }
  if (observed == 0) throw CannotRunHere("no requested target could run here");
  return r.failed() ? kExitDivergence : kExitOk;
}

std::vector<MountApi> apis_of(const std::string& target) {
  if (target == "kernel") return {MountApi::Legacy};
  if (target == "kernel-fsconfig") return {MountApi::Fsconfig};
  return {MountApi::Legacy, MountApi::Fsconfig};
}

}  // namespace

void add_check(CLI::App& app, Action& run) {
  struct Args {
    std::string options, case_file, target = "all", kernel;
    bool json = false;
    double timeout = 30;
    std::string memory_limit;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "check", "Mount layer directories (or a .ovl case) with the real kernel in a sandbox and diff against the model");
  auto* o = sub->add_option("-o,--options", args->options,
                            "mount options naming layer directories relative to the current directory");
  auto* c = sub->add_option("--case", args->case_file, "a .ovl case file instead of -o");
  o->excludes(c);
  sub->add_option("--target", args->target, "kernel, kernel-fsconfig or all")
      ->check(CLI::IsMember({"kernel", "kernel-fsconfig", "all"}));
  sub->add_flag("--json", args->json, "print the result as JSON (schema ovlspec.check/1)");
  sub->add_option("--kernel", args->kernel, "compare the model at this kernel level (X.Y) instead of the detected one");
  sub->add_option("--timeout", args->timeout, "seconds each mount and probe may take")->check(CLI::PositiveNumber);
  sub->add_option("--memory-limit", args->memory_limit,
                  "memory each mount and probe child may allocate, in MiB (16..1048576; default 1024)");
  sub->callback([args, &run] {
    run = [args]() -> int {
      if (args->options.empty() && args->case_file.empty())
        throw BadInput("check: give the layers with -o OPTIONS or a case with --case FILE");
      TargetOptions topts;
      topts.case_timeout_seconds = args->timeout;
      if (!args->memory_limit.empty()) {
        try {
          topts.memory_limit_mib = parse_memory_limit_mib(args->memory_limit);
        } catch (const std::invalid_argument& e) {
          throw BadInput(std::string("check: --memory-limit: ") + e.what());
        }
      }
      if (auto why = overlay_unavailable_reason()) throw CannotRunHere(*why);
      Semantics sem;
      if (!args->kernel.empty()) {
        auto v = KernelVersion::parse(args->kernel);
        if (!v) throw BadInput("check: --kernel '" + args->kernel + "' is not a version such as 6.18");
        sem.kernel = *v;
      }
      try {
        Sandbox::enter();
        if (args->kernel.empty()) sem.kernel = kernel_features().level;
        if (!args->case_file.empty()) {
#ifdef OVL_HAVE_CASE_FORMAT
          Case cs;
          try {
            cs = parse_case_file(args->case_file);
          } catch (const std::exception& e) {
            throw BadInput(e.what());
          }
          return report(check_case(cs, apis_of(args->target), sem, topts), sem, args->json);
#else
          throw CannotRunHere("this build has no .ovl case parser (ovl_conformance)");
#endif
        }
        return report(check_options_on_disk(args->options, apis_of(args->target), sem, topts), sem, args->json);
      } catch (const SandboxError& e) {
        throw CannotRunHere(e.what());
      } catch (const LayerReadError& e) {
        throw BadInput(std::string("check: ") + e.what());
      }
    };
  });
}

}  // namespace ovl::cli
