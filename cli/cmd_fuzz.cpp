// `ovlspec fuzz`: generated cases through the kernel targets (batched into shared mounts),
// diffed against the model; every new kind of divergence is shrunk and written as a .ovl case,
// a shell reproducer and a results.jsonl record. The work is in generators/fuzz.hpp.
#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "fuzz_state.hpp"
#include "ovl/case_format.hpp"
#include "ovl/features.hpp"
#include "ovl/fuzz.hpp"
#include "ovl/fuzz_target.hpp"
#include "ovl/reproducer.hpp"
#include "ovl/result.hpp"
#include "ovl/results_file.hpp"
#include "ovl/run_targets.hpp"
#include "ovl/sandbox.hpp"

namespace ovl::cli {
namespace {

std::string file_stem(const std::string& group, std::size_t n) {
  std::string s = std::to_string(n) + "-";
  for (char c : group) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
  return s;
}

/// The minimal case with the target's answers as `expect` lines for every divergent path: the
/// .ovl file then records what the target did (a regression case once the finding is settled).
Case case_with_expectations(const gen::Finding& f) {
  Case c = f.minimal_case;
  if (f.group != "unclassified" && f.group != "batching") c.clauses = {f.group};
  c.description = {"Found by ovlspec fuzz --seed " + std::to_string(f.seed) + " (case " + std::to_string(f.index) +
                       ") on target " + f.target + ": " + f.group + ".",
                   "The expect lines are what the target showed; the model disagrees."};
  std::vector<std::string> done;
  for (const auto& d : f.divergences) {
    if (std::find(done.begin(), done.end(), d.path) != done.end()) continue;
    done.push_back(d.path);
    Expectation x;
    if (d.path.empty()) {
      x.mount = f.target_observation.mount;
      x.mount->clause.clear();
      x.mount->message.clear();
    } else if (const Entry* e = f.target_observation.find(d.path)) {
      x.entry = *e;
      x.entry->source.reset();
    } else {
      x.entry = Entry{.path = d.path};
      x.absent = true;
    }
    c.expects.push_back(std::move(x));
  }
  return c;
}

std::string kernel_release() {
  struct utsname u {};
  return uname(&u) == 0 ? u.release : "unknown";
}

}  // namespace

void add_fuzz(CLI::App& app, Action& run) {
  struct Args {
    std::uint64_t seed = 1;
    std::size_t cases = 0;
    double minutes = 0;
    std::vector<std::string> targets;
    std::string kernel;
    std::string out = "fuzz-results";
    std::size_t batch = 64;
    std::size_t shrink_tries = 500;
    std::size_t jobs = 0;
    std::string resume;
    std::string memory_limit;
    double timeout = 30;
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "fuzz", "Generated cases against the kernel targets; divergences shrunk to minimal reproducers");
  sub->add_option("--seed", a->seed, "seed of the generated cases (the same seed gives the same run)")
      ->capture_default_str();
  sub->add_option("--cases", a->cases, "stop after N cases (default 10000 unless --minutes is given)");
  sub->add_option("--minutes", a->minutes, "stop after M minutes")->check(CLI::PositiveNumber);
  sub->add_option("--target", a->targets, "target to fuzz (repeatable; default: kernel): kernel, kernel-fsconfig, model");
  sub->add_option("--kernel", a->kernel, "run the model at this kernel feature level X.Y (default: the target's own)");
  sub->add_option("--out", a->out, "directory for results.jsonl and findings/*.ovl, *.sh")->capture_default_str();
  sub->add_option("--batch", a->batch, "most cases per mount (1 = one mount per case)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  sub->add_option("--shrink-tries", a->shrink_tries, "most shrink candidates tried per finding")->capture_default_str();
  sub->add_option("--jobs", a->jobs, "worker threads, each with its own mounts (default: one per CPU, at most 8)")
      ->check(CLI::Range(1, 64));
  sub->add_option("--resume", a->resume,
                  "continue the interrupted fuzz run in DIR (its fuzz-state.json gives the seed, targets, level and "
                  "batch; finished cases are not run again, findings are not reported twice)");
  sub->add_option("--memory-limit", a->memory_limit,
                  "MiB each mount child may allocate (16..1048576; default 1024); over it, the batch is an error");
  sub->add_option("--timeout", a->timeout, "time limit per mount (a batch of cases) in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_flag("--quiet", a->quiet, "no progress line");
  sub->callback([a, &run, sub] {
    run = [a, sub]() -> int {
      // Settings an interrupted run fixed: given again, they must be the same.
      std::optional<FuzzState> resumed;
      if (!a->resume.empty()) {
        resumed = load_fuzz_state(a->resume);
        const FuzzSettings& was = resumed->settings;
        auto differs = [&](const char* opt, bool d) {
          if (sub->count(opt) && d)
            throw BadInput(std::string("fuzz: ") + opt + ": differs from the interrupted run in " + a->resume +
                           " (leave it out to keep that run's value)");
        };
        differs("--seed", a->seed != was.seed);
        differs("--target", a->targets != was.targets);
        differs("--batch", a->batch != was.batch);
        differs("--kernel", a->kernel != was.kernel);
        differs("--out", a->out != a->resume);
        a->seed = was.seed;
        a->targets = was.targets;
        a->batch = was.batch;
        a->kernel = was.kernel;
        a->out = a->resume;
        if (!sub->count("--shrink-tries")) a->shrink_tries = was.shrink_tries;
        if (!sub->count("--cases") && !sub->count("--minutes")) {
          a->cases = was.cases;
          a->minutes = was.minutes;
        }
      }
      if (a->targets.empty()) a->targets = {"kernel"};
      std::optional<KernelVersion> level;
      if (!a->kernel.empty()) {
        level = KernelVersion::parse(a->kernel);
        if (!level) throw BadInput("fuzz: --kernel: expected a kernel level such as 6.1, got \"" + a->kernel + "\"");
      }
      std::size_t cases = a->cases;
      if (cases == 0 && a->minutes <= 0) cases = 10000;
      if (cases == 0 && a->cases == 0 && a->minutes <= 0) throw BadInput("fuzz: --cases: expected at least 1");

      TargetRegistry registry = builtin_targets();
      TargetContext ctx;
      ctx.module = module_params();
      ctx.options.case_timeout_seconds = a->timeout;
      if (!a->memory_limit.empty()) {
        try {
          ctx.options.memory_limit_mib = parse_memory_limit_mib(a->memory_limit);
        } catch (const std::invalid_argument& e) {
          throw BadInput(std::string("fuzz: --memory-limit: ") + e.what());
        }
      }
      std::size_t jobs = a->jobs;
      if (jobs == 0) jobs = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
      // One instance of every target per worker thread (owned[w * targets + t]).
      std::vector<std::unique_ptr<Target>> owned;
      for (std::size_t w = 0; w < jobs; ++w) {
        for (const auto& name : a->targets) {
          const auto* e = registry.find(name);
          if (!e) {
            std::string known;
            for (const auto& n : registry.names()) known += (known.empty() ? "" : ", ") + n;
            throw BadInput("fuzz: --target: unknown target \"" + name + "\"; expected one of " + known);
          }
          auto t = e->make(ctx);
          if (auto why = t->unavailable()) throw CannotRunHere("fuzz: target " + name + ": " + *why);
          owned.push_back(std::move(t));
        }
      }
      // Enter the sandbox now, before anything could start a thread.
      if (std::any_of(a->targets.begin(), a->targets.end(), [](const std::string& n) { return n != "model"; })) {
        try {
          Sandbox::enter();
        } catch (const SandboxError& e) {
          throw CannotRunHere(std::string("fuzz: ") + e.what());
        }
      }
      Semantics sem;
      sem.kernel = level ? *level : owned.front()->level();
      if (resumed && sem.name() != resumed->settings.semantics)
        throw BadInput("fuzz: --resume: the interrupted run predicted with " + resumed->settings.semantics +
                       ", this kernel gives " + sem.name());
      std::vector<std::vector<gen::FuzzTarget>> workers(jobs);
      for (std::size_t i = 0; i < owned.size(); ++i) workers[i / a->targets.size()].push_back(gen::fuzz_target(*owned[i]));

      std::filesystem::path out = a->out;
      std::error_code ec;
      std::filesystem::create_directories(out / "findings", ec);
      if (ec) throw BadInput("fuzz: --out: cannot create \"" + (out / "findings").string() + "\": " + ec.message());
      RunHeader h;
      h.ovlspec_version = ovlspec_version();
      h.kernel_release = kernel_release();
      h.date = utc_timestamp_now();
      h.command = "fuzz";
      h.seed = a->seed;
      for (std::size_t t = 0; t < a->targets.size(); ++t) h.targets.push_back({owned[t]->name(), true, "", sem.kernel.str()});
      FuzzState state;
      state.settings = {a->seed, a->targets, a->kernel, sem.name(), a->batch, a->shrink_tries, cases, a->minutes};
      // Resuming: the results already written name the findings and errors not to write again
      // (a finding written after the last checkpoint is found again when its chunk is rerun).
      std::set<std::string> written_names;
      std::size_t written = 0;
      std::optional<gen::FuzzCheckpoint> from;
      std::unique_ptr<ResultsWriter> writer_owner;
      const auto results_path = out / "results.jsonl";
      if (resumed && std::filesystem::exists(results_path)) {
        std::size_t dropped = drop_torn_tail(results_path);
        ResultsFile before;
        try {
          before = read_results(results_path);
        } catch (const ResultsParseError& e) {
          throw BadInput(std::string("fuzz: --resume: ") + e.what());
        }
        from = resumed->checkpoint;
        for (const auto& r : before.results) {
          written_names.insert(r.case_name);
          if (r.verdict != Verdict::Fail) continue;
          ++written;
          // "fuzz/<group>/<seed>-<index>" on target T: the group T|group is reported.
          auto slash = r.case_name.find('/', 5);
          if (r.case_name.rfind("fuzz/", 0) == 0 && slash != std::string::npos) {
            std::string key = r.target + "|" + r.case_name.substr(5, slash - 5);
            if (from->seen.insert(key).second) ++from->progress.findings;
          }
        }
        std::fprintf(stderr, "fuzz: resuming %s at case %llu: %zu results kept%s\n", a->resume.c_str(),
                     static_cast<unsigned long long>(from->next), before.results.size(),
                     dropped ? " (a torn last line dropped)" : "");
        writer_owner = std::make_unique<ResultsWriter>(results_path, ResultsWriter::Append{});
      } else {
        if (resumed) from = resumed->checkpoint;
        writer_owner = std::make_unique<ResultsWriter>(results_path, h);
      }
      ResultsWriter& writer = *writer_owner;
      // A state from the start, so that a run killed before its first chunk ends can resume too.
      if (!resumed) save_fuzz_state(out, state);

      gen::FuzzOptions o;
      o.seed = a->seed;
      o.cases = cases;
      o.minutes = a->minutes;
      o.batch = a->batch;
      o.max_shrink_tries = a->shrink_tries;
      o.resume = from;
      if (!a->quiet) {
        o.progress = [](const gen::FuzzProgress& p) {
          std::fprintf(stderr, "\rfuzz: %zu cases, %.0f cases/s, %zu mounts, %zu divergent, %zu findings, %zu errors   ",
                       p.cases, p.cases_per_second(), p.mounts, p.divergent, p.findings, p.errors);
        };
      }
      o.on_finding = [&](const gen::Finding& f) {
        if (written_names.count(f.minimal_case.name)) return;  // written before the interruption
        std::string stem = file_stem(f.group, ++written);
        Case c = case_with_expectations(f);
        Result r;
        r.case_name = c.name;
        r.clauses = c.clauses;
        r.target = f.target;
        r.semantics = sem.name();
        r.verdict = Verdict::Fail;
        r.divergences = f.divergences;
        r.model_observation = f.model_observation;
        r.target_observation = f.target_observation;
        r.seed = f.seed;
        r.origin = "fuzz";
        r.reason = f.group + " (first seen in generated case " + std::to_string(f.index) + ")";
        try {
          std::ofstream(out / "findings" / (stem + ".ovl")) << print_case(c);
          r.source_file = (out / "findings" / (stem + ".ovl")).string();
        } catch (const std::exception& e) {
          std::ofstream(out / "findings" / (stem + ".ovl.error")) << e.what() << "\n" << gen::describe(f.minimal);
        }
        try {
          r.reproducer = write_reproducer(f.minimal_case, f.divergences);
          std::ofstream(out / "findings" / (stem + ".sh")) << r.reproducer;
          std::filesystem::permissions(out / "findings" / (stem + ".sh"), std::filesystem::perms::owner_exec,
                                       std::filesystem::perm_options::add, ec);
        } catch (const std::exception& e) {
          r.reproducer = std::string("# no reproducer: ") + e.what() + "\n";
        }
        writer.append(r);
      };
      // After every chunk: its harness failures as results, then the state a resume starts from.
      o.on_checkpoint = [&](const gen::FuzzCheckpoint& c) {
        std::size_t number = c.progress.errors - c.new_errors.size();
        for (const auto& e : c.new_errors) {
          Result r;
          r.case_name = "fuzz/error/" + std::to_string(++number);
          if (written_names.count(r.case_name)) continue;
          r.target = a->targets.size() == 1 ? a->targets.front() : "";
          r.semantics = sem.name();
          r.verdict = Verdict::Error;
          r.reason = e;
          r.seed = a->seed;
          r.origin = "fuzz";
          writer.append(r);
        }
        state.checkpoint = c;
        state.checkpoint.new_errors.clear();
        save_fuzz_state(out, state);
      };
      gen::FuzzReport rep = gen::fuzz_on_workers(o, gen::model_oracle(sem, ctx.module), workers);
      const auto& p = rep.progress;
      std::fprintf(stderr, "%sfuzz: seed %llu, model %s: %zu cases in %.1f s (%.0f cases/s, %zu jobs), %zu mounts, "
                           "%zu divergent, %zu findings, %zu errors\n",
                   a->quiet ? "" : "\n", static_cast<unsigned long long>(a->seed), sem.name().c_str(), p.cases, p.seconds,
                   p.cases_per_second(), jobs, p.mounts, p.divergent, p.findings, p.errors);
      for (const auto& f : rep.findings)
        std::printf("%-44s %-16s %6zu cases; minimal: %zu layers, %zu entries (%zu shrink steps)\n", f.group.c_str(),
                    f.target.c_str(), f.occurrences, f.minimal.layers.size(), f.minimal.entry_count(), f.shrink.steps);
      for (const auto& [g, n] : rep.groups)
        if (std::none_of(rep.findings.begin(), rep.findings.end(), [&name = g](const auto& f) { return f.group == name; }))
          std::printf("%-44s %-16s %6zu cases (not shrunk: finding limit)\n", g.c_str(), "", n);
      for (const auto& e : rep.errors) std::printf("error: %s\n", e.c_str());
      std::printf("results: %s\n", (out / "results.jsonl").string().c_str());
      return (p.divergent || p.errors) ? kExitDivergence : kExitOk;
    };
  });
}

}  // namespace ovl::cli
