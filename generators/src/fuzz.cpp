// The fuzz engine: generate, batch, run, diff, group, shrink.
#include "ovl/fuzz.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "ovl/batch.hpp"

namespace ovl::gen {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void drop_sources(Observation& o) {
  for (auto& e : o.entries) e.source.reset();
}

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
  return out;
}

}  // namespace

std::vector<std::string> divergence_groups(const std::vector<Divergence>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) {
    std::string g = (d.clauses.empty() ? std::string("unclassified") : d.clauses.back()) + " " + d.field;
    if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  }
  return out;
}

Oracle model_oracle(const Semantics& sem, const ModuleParams& module) {
  return [sem, module](const Case& c) { return predict(c, sem, module); };
}

FuzzTarget model_target(const Semantics& sem, const ModuleParams& module, std::string name) {
  return FuzzTarget{std::move(name), [sem, module](const Case& c) {
                      TargetRun r;
                      r.observation = predict(c, sem, module).observation;
                      drop_sources(r.observation);
                      r.observation.mount.clause.clear();
                      return r;
                    }};
}

std::vector<Divergence> run_and_diff(const Case& c, const Oracle& oracle, const FuzzTarget& target,
                                     const DiffOptions& opts, Observation* model_out, Observation* target_out,
                                     std::string* error) {
  Prediction p = oracle(c);
  TargetRun r = target.run(c);
  if (model_out) *model_out = p.observation;
  if (target_out) *target_out = r.observation;
  if (!r.ok) {
    if (error) *error = r.error;
    return {};
  }
  return diff(p.observation, r.observation, opts, p.clauses);
}

namespace {

/// One fuzz run's state.
class Fuzzer {
 public:
  Fuzzer(const FuzzOptions& o, const Oracle& oracle, const std::vector<FuzzTarget>& targets)
      : o_(o), oracle_(oracle), targets_(targets) {}

  FuzzReport run() {
    t0_ = Clock::now();
    last_progress_ = t0_;
    std::uint64_t next = 0;
    while (!done(next)) {
      std::size_t n = o_.chunk;
      if (o_.cases) n = std::min<std::size_t>(n, o_.cases - next);
      if (o_.minutes > 0) n = std::min<std::size_t>(n, std::max<std::size_t>(o_.batch, 64));
      std::vector<GenCase> cases;
      cases.reserve(n);
      for (std::size_t i = 0; i < n; ++i) cases.push_back(generate_case_at(o_.seed, next + i, o_.gen));
      run_chunk(cases, next);
      next += n;
    }
    report_.progress.seconds = since(t0_);
    if (o_.progress) o_.progress(report_.progress);
    for (auto& f : report_.findings) f.occurrences = report_.groups[f.group];
    return std::move(report_);
  }

 private:
  bool done(std::uint64_t next) const {
    if (o_.cases && next >= o_.cases) return true;
    if (o_.minutes > 0 && since(t0_) >= o_.minutes * 60) return true;
    return !o_.cases && o_.minutes <= 0;
  }

  void tick() {
    if (o_.progress && since(last_progress_) >= 1.0) {
      last_progress_ = Clock::now();
      report_.progress.seconds = since(t0_);
      o_.progress(report_.progress);
    }
  }

  void error(const std::string& what) {
    ++report_.progress.errors;
    if (report_.errors.size() < 20) report_.errors.push_back(what);
  }

  void run_chunk(const std::vector<GenCase>& cases, std::uint64_t base) {
    // The model's predictions, once per case.
    std::vector<Prediction> predictions;
    std::vector<Case> built;
    predictions.reserve(cases.size());
    built.reserve(cases.size());
    for (const auto& g : cases) {
      built.push_back(to_case(g));
      predictions.push_back(oracle_(built.back()));
    }
    auto plan = plan_batches(cases, o_.batch);
    std::vector<bool> divergent(cases.size(), false);
    for (const auto& target : targets_) {
      for (const auto& b : plan) {
        std::vector<Observation> observed(b.size());
        std::vector<bool> ok(b.size(), true);
        if (b.size() == 1) {
          TargetRun r = target.run(built[b[0]]);
          ++report_.progress.mounts;
          if (!r.ok) {
            error(target.name + ": case " + std::to_string(base + b[0]) + ": " + r.error);
            ok[0] = false;
          }
          observed[0] = std::move(r.observation);
        } else {
          std::vector<const GenCase*> members;
          for (std::size_t i : b) members.push_back(&cases[i]);
          Case whole = to_case(make_batch(members), "fuzz/batch");
          TargetRun r = target.run(whole);
          ++report_.progress.mounts;
          if (!r.ok) {
            error(target.name + ": batch of " + std::to_string(b.size()) + " from case " + std::to_string(base + b[0]) +
                  ": " + r.error);
            std::fill(ok.begin(), ok.end(), false);
          }
          for (std::size_t k = 0; k < b.size(); ++k) observed[k] = extract(r.observation, k);
        }
        for (std::size_t k = 0; k < b.size(); ++k) {
          if (!ok[k]) continue;
          std::size_t i = b[k];
          auto ds = diff(predictions[i].observation, observed[k], o_.diff, predictions[i].clauses);
          if (ds.empty()) continue;
          bool batched = b.size() > 1;
          if (batched) {
            // Confirm alone: a divergence that only shows in a batch is the transform's fault.
            std::string err;
            auto alone = run_and_diff(built[i], oracle_, target, o_.diff, nullptr, nullptr, &err);
            ++report_.progress.mounts;
            if (!err.empty()) {
              error(target.name + ": case " + std::to_string(base + i) + " alone: " + err);
              continue;
            }
            if (alone.empty()) {
              for (const auto& d : ds) {
                Divergence bd = d;
                bd.clauses = {"batching"};
                record(cases[i], base + i, target, {bd}, /*shrink=*/false);
              }
              divergent[i] = true;
              continue;
            }
            ds = alone;
          }
          divergent[i] = true;
          record(cases[i], base + i, target, ds, true);
        }
        tick();
      }
    }
    report_.progress.cases += cases.size();
    report_.progress.divergent += static_cast<std::size_t>(std::count(divergent.begin(), divergent.end(), true));
    tick();
  }

  void record(const GenCase& g, std::uint64_t index, const FuzzTarget& target, const std::vector<Divergence>& ds,
              bool shrinkable) {
    for (const auto& group : divergence_groups(ds)) {
      std::string key = target.name + "|" + group;
      std::size_t& count = report_.groups[group];
      ++count;
      if (!seen_.insert(key).second) continue;
      ++report_.progress.findings;
      if (report_.findings.size() >= o_.max_findings) continue;
      Finding f;
      f.group = group;
      f.target = target.name;
      f.seed = o_.seed;
      f.index = index;
      f.original = g;
      f.minimal = g;
      if (shrinkable) {
        auto keep = [&](const GenCase& c) {
          ++report_.progress.mounts;
          auto d = run_and_diff(to_case(c), oracle_, target, o_.diff);
          auto gs = divergence_groups(d);
          return std::find(gs.begin(), gs.end(), group) != gs.end();
        };
        f.minimal = shrink(g, keep, o_.max_shrink_tries, &f.shrink);
      }
      f.minimal_case = to_case(f.minimal, "fuzz/" + sanitize(group) + "/" + std::to_string(o_.seed) + "-" +
                                               std::to_string(index));
      std::string err;
      f.divergences = run_and_diff(f.minimal_case, oracle_, target, o_.diff, &f.model_observation,
                                   &f.target_observation, &err);
      if (!shrinkable) f.divergences = ds;
      if (o_.on_finding) o_.on_finding(f);
      report_.findings.push_back(std::move(f));
    }
  }

  const FuzzOptions& o_;
  const Oracle& oracle_;
  const std::vector<FuzzTarget>& targets_;
  FuzzReport report_;
  std::set<std::string> seen_;
  Clock::time_point t0_, last_progress_;
};

}  // namespace

FuzzReport fuzz(const FuzzOptions& opts, const Oracle& oracle, const std::vector<FuzzTarget>& targets) {
  return Fuzzer(opts, oracle, targets).run();
}

}  // namespace ovl::gen
