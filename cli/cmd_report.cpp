// `ovlspec report DIR`: re-renders junit.xml, ktap.txt, summary.md and index.html from
// DIR/results.jsonl alone (after an interrupted run, or with a newer spec text).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "ovl/report_writers.hpp"
#include "ovl/tally.hpp"

namespace ovl::cli {

void add_report(CLI::App& app, Action& run) {
  struct Args {
    std::string dir;
    std::string spec;
    std::string out;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("report", "Render the reports of a run again from its results.jsonl");
  sub->add_option("DIR", args->dir, "the directory holding results.jsonl")->required();
  sub->add_option("--spec", args->spec, "the spec text the HTML report quotes (default: spec/overlay-lookup.md)");
  sub->add_option("--out", args->out, "write the reports here instead of DIR");
  sub->callback([args, &run] {
    run = [args]() -> int {
      std::filesystem::path dir = args->dir;
      if (!std::filesystem::is_directory(dir)) throw BadInput("report: DIR \"" + args->dir + "\" is not a directory");
      ResultsFile f;
      try {
        f = read_results(dir / "results.jsonl");
      } catch (const ResultsParseError& e) {
        throw BadInput(std::string("report: ") + e.what());
      }
      std::filesystem::path spec_path = args->spec;
      if (spec_path.empty()) {
        spec_path = std::filesystem::exists("spec/overlay-lookup.md")
                        ? std::filesystem::path("spec/overlay-lookup.md")
                        : std::filesystem::path(OVLSPEC_SOURCE_DIR) / "spec/overlay-lookup.md";
      }
      SpecText spec;
      try {
        spec = load_spec_text(spec_path);
      } catch (const std::runtime_error& e) {
        throw BadInput(std::string("report: --spec: ") + e.what());
      }
      std::filesystem::path out = args->out.empty() ? dir : std::filesystem::path(args->out);
      if (!std::filesystem::is_directory(out)) throw BadInput("report: --out \"" + out.string() + "\" is not a directory");
      write_reports(f, out, spec);
      Tally t = tally(f);
      std::printf("%zu results: %d pass, %d fail, %d skip, %d error\n", f.results.size(), t.total.pass, t.total.fail,
                  t.total.skip, t.total.error);
      for (const char* name : kReportFiles) std::printf("wrote %s\n", (out / name).c_str());
      return t.total.fail || t.total.error ? kExitDivergence : kExitOk;
    };
  });
}

}  // namespace ovl::cli
