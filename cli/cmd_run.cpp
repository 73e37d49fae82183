// `ovlspec run`: every corpus case (and a seeded generated batch) through every available
// target, compared with the model; results.jsonl and the four reports in --out.
#include <sys/utsname.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "ovl/case_format.hpp"
#include "ovl/run.hpp"

#if __has_include("ovl/features.hpp")
#include "ovl/features.hpp"
#define OVL_CLI_HAVE_MODULE_PARAMS 1
#endif
#if __has_include("ovl/sandbox.hpp")
#include "ovl/sandbox.hpp"
#define OVL_CLI_HAVE_SANDBOX 1
#endif
#if __has_include("ovl/gen_case.hpp")
#include "ovl/gen_case.hpp"
#define OVL_CLI_HAVE_GENERATOR 1
#endif

namespace ovl::cli {
namespace {

// Every target `ovlspec run` can use: the built-in ones, then one line per target of a library
// that ovl_conformance does not link (FUSE, EROFS …).
TargetRegistry all_targets() {
  TargetRegistry r = builtin_targets();
  return r;
}

// A path below the current directory if it exists there, else below the source tree.
std::filesystem::path default_source_path(const char* rel) {
  if (std::filesystem::exists(rel)) return rel;
  return std::filesystem::path(OVLSPEC_SOURCE_DIR) / rel;
}

std::string kernel_release() {
  struct utsname u {};
  return uname(&u) == 0 ? u.release : "unknown";
}

#ifdef OVL_CLI_HAVE_GENERATOR
// n generated cases; shape_run > 1: in runs of that many with one shape (GenParams::shape_run).
std::vector<RunCase> generated_cases(std::uint64_t seed, std::size_t n, int shape_run) {
  std::vector<RunCase> out;
  std::size_t i = 0;
  gen::GenParams params;
  params.shape_run = shape_run;
  for (const auto& g : gen::generate_cases(seed, n, params)) {
    Case c = gen::to_case(g, "generated/" + std::to_string(seed) + "-" + std::to_string(i++));
    out.push_back({std::move(c), "generated", g.seed});
  }
  return out;
}
#endif

}  // namespace

void add_run(CLI::App& app, Action& run) {
  struct Args {
    std::vector<std::string> targets;
    std::string out = "results";
    std::string resume;
    std::string kernel;
    std::string cases;
    std::string spec;
    std::size_t generated = 0;
    int shape_run = 1;
    std::uint64_t seed = 1;
    double timeout = 30;
    std::string memory_limit;
    bool list = false;
    bool no_share = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "run", "Run the case corpus through every available target and write the conformance reports");
  sub->add_option("--target", args->targets,
                  "a target to run (repeatable; default: every target; the model always runs); see --list-targets");
  sub->add_option("--out", args->out, "directory for results.jsonl, junit.xml, ktap.txt, summary.md, index.html")
      ->capture_default_str();
  sub->add_option("--resume", args->resume,
                  "continue the interrupted run whose results.jsonl is in DIR (give the same other arguments); "
                  "finished case x target results are kept, not run again");
  sub->add_option("--kernel", args->kernel, "compare every target at this kernel feature level (X.Y) instead of its own");
  sub->add_option("--cases", args->cases, "the case corpus directory (default: conformance/cases)");
  sub->add_option("--generated", args->generated, "also run N cases from the seeded generator")->capture_default_str();
  sub->add_option("--seed", args->seed, "seed of the generated cases")->capture_default_str();
  sub->add_option("--shape-run", args->shape_run,
                  "generated cases come in runs of N with one shape (options, layer counts), so that a target "
                  "sharing mounts (erofs) can unite them; 1: every case draws its own")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->add_option("--spec", args->spec, "the spec text the HTML report quotes (default: spec/overlay-lookup.md)");
  sub->add_option("--timeout", args->timeout, "time limit per case and target, in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--memory-limit", args->memory_limit,
                  "memory each child of a case may allocate, in MiB (16..1048576; default 1024): the "
                  "mount and probe children, FUSE daemons, the prediction of a large case");
  sub->add_flag("--no-share", args->no_share,
                "one case per mount: targets that can share a mount between cases with equal options (erofs) do not");
  sub->add_flag("--list-targets", args->list, "list the targets this build knows and exit");
  sub->callback([args, &run] {
    run = [args]() -> int {
      SuiteConfig cfg;
      cfg.registry = all_targets();
      if (args->list) {
        for (const auto& e : cfg.registry.entries()) {
          auto t = e.make({});
          auto why = t->unavailable();
          std::printf("%-18s %s%s\n", e.name.c_str(), e.summary.c_str(),
                      why ? (" [unavailable here: " + *why + "]").c_str() : "");
        }
        return kExitOk;
      }
      cfg.targets = args->targets;
      for (const auto& t : cfg.targets)
        if (!cfg.registry.find(t)) {
          std::string known;
          for (const auto& n : cfg.registry.names()) known += (known.empty() ? "" : ", ") + n;
          throw BadInput("run: --target: unknown target \"" + t + "\"; expected one of " + known);
        }
      if (!args->kernel.empty()) {
        auto v = KernelVersion::parse(args->kernel);
        if (!v) throw BadInput("run: --kernel: expected a kernel level such as 6.18, got \"" + args->kernel + "\"");
        cfg.kernel = *v;
      }
      cfg.out_dir = args->out;
      if (!args->resume.empty()) {
        cfg.out_dir = args->resume;
        cfg.resume = true;
      }
      cfg.cases_dir = args->cases.empty() ? default_source_path("conformance/cases") : std::filesystem::path(args->cases);
      if (!std::filesystem::is_directory(cfg.cases_dir))
        throw BadInput("run: --cases: \"" + cfg.cases_dir.string() + "\" is not a directory");
      cfg.spec_file = args->spec.empty() ? default_source_path("spec/overlay-lookup.md") : std::filesystem::path(args->spec);
      if (!std::filesystem::is_regular_file(cfg.spec_file))
        throw BadInput("run: --spec: \"" + cfg.spec_file.string() + "\" is not a readable file");
      cfg.target_options.case_timeout_seconds = args->timeout;
      cfg.target_options.share_mounts = !args->no_share;
#ifdef OVL_CLI_HAVE_SANDBOX
      if (!args->memory_limit.empty()) {
        try {
          cfg.target_options.memory_limit_mib = parse_memory_limit_mib(args->memory_limit);
        } catch (const std::invalid_argument& e) {
          throw BadInput(std::string("run: --memory-limit: ") + e.what());
        }
      }
      if (auto why = fork_memory_limit_unsupported()) std::fprintf(stderr, "ovlspec run: note: %s\n", why->c_str());
#endif
      cfg.generated = args->generated;
      cfg.seed = args->seed;
#ifdef OVL_CLI_HAVE_GENERATOR
      cfg.generator = [shape_run = args->shape_run](std::uint64_t seed, std::size_t n) {
        return generated_cases(seed, n, shape_run);
      };
#else
      if (cfg.generated > 0) throw CannotRunHere("run: --generated needs the case generator, not in this build");
#endif
#ifdef OVL_CLI_HAVE_MODULE_PARAMS
      cfg.module = module_params();
#endif
      cfg.ovlspec_version = ovlspec_version();
      cfg.kernel_release = kernel_release();
      SuiteOutcome o;
      try {
        o = run_suite(cfg, std::cerr, std::cout);
      } catch (const CaseParseError& e) {
        throw BadInput(e.what());
      } catch (const std::invalid_argument& e) {
        throw BadInput(std::string("run: ") + e.what());
      }
      for (const auto& m : o.missing_targets)
        std::fprintf(stderr, "ovlspec: cannot run here: target %s (reported as skipped)\n", m.c_str());
      return o.exit_code;
    };
  });
}

}  // namespace ovl::cli
