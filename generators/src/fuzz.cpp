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

std::string group_of(const Divergence& d, const Prediction& p) {
  auto clauses_of = [&](const std::string& path) -> const std::vector<std::string>* {
    for (const auto& [q, c] : p.clauses)
      if (q == path) return &c;
    return nullptr;
  };
  auto last = [](const std::vector<std::string>* c) -> std::string { return c && !c->empty() ? c->back() : ""; };
  std::vector<std::string> ancestors;  // "/" first, parent last
  if (!d.path.empty() && d.path != "/") {
    for (std::size_t i = d.path.rfind('/'); i != std::string::npos && i > 0; i = d.path.rfind('/', i - 1))
      ancestors.insert(ancestors.begin(), d.path.substr(0, i));
    ancestors.insert(ancestors.begin(), "/");
  }
  // An ancestor whose own answer the spec leaves open (R16 …) explains everything below it.
  for (const auto& q : ancestors) {
    const Entry* e = p.observation.find(q);
    if (e && !e->unspecified.empty()) {
      if (auto c = last(clauses_of(q)); !c.empty()) return c;
    }
  }
  if (!d.clauses.empty()) return d.clauses.back();
  for (auto it = ancestors.rbegin(); it != ancestors.rend(); ++it)
    if (auto c = last(clauses_of(*it)); !c.empty()) return c;
  return "unclassified";
}

std::vector<std::string> divergence_groups(const std::vector<Divergence>& ds, const Prediction& p) {
  std::vector<std::string> out;
  for (const auto& d : ds) {
    std::string g = group_of(d, p);
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
                                     std::string* error, std::vector<std::string>* groups) {
  Prediction p = oracle(c);
  TargetRun r = target.run(c);
  if (model_out) *model_out = p.observation;
  if (target_out) *target_out = r.observation;
  if (!r.ok) {
    if (error) *error = r.error;
    return {};
  }
  auto ds = diff(p.observation, r.observation, opts, p.clauses);
  if (groups) *groups = divergence_groups(ds, p);
  return ds;
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

  /// Runs one planned batch on a target: the Observation of each member, or nullopt where the
  /// harness failed. The root directory is the one object batch members share; when its
  /// listing fails in the batch (one member's entry can make a whole merged readdir fail),
  /// every member runs alone instead.
  std::vector<std::optional<Observation>> run_batch(const std::vector<GenCase>& cases, const std::vector<Case>& built,
                                                    const std::vector<std::size_t>& b, std::uint64_t base,
                                                    const FuzzTarget& target) {
    std::vector<std::optional<Observation>> out(b.size());
    if (b.size() > 1) {
      std::vector<const GenCase*> members;
      for (std::size_t i : b) members.push_back(&cases[i]);
      Case whole = to_case(make_batch(members), "fuzz-batch");
      TargetRun r = target.run(whole);
      ++report_.progress.mounts;
      if (!r.ok) {
        error(target.name + ": batch of " + std::to_string(b.size()) + " from case " + std::to_string(base + b[0]) +
              ": " + r.error);
        return out;
      }
      const Entry* root = r.observation.find("/");
      bool shared_failed = r.observation.mount.ok && (!root || root->err || root->readdir_err);
      if (!shared_failed) {
        for (std::size_t k = 0; k < b.size(); ++k) out[k] = extract(r.observation, k);
        return out;
      }
      ++report_.batch_fallbacks;
    }
    for (std::size_t k = 0; k < b.size(); ++k) {
      TargetRun r = target.run(built[b[k]]);
      ++report_.progress.mounts;
      if (!r.ok) {
        error(target.name + ": case " + std::to_string(base + b[k]) + ": " + r.error);
        continue;
      }
      out[k] = std::move(r.observation);
    }
    return out;
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
    for (const auto& b : plan_batches(cases, o_.batch)) {
      std::vector<bool> divergent(b.size(), false);
      for (const auto& target : targets_) {
        auto observed = run_batch(cases, built, b, base, target);
        for (std::size_t k = 0; k < b.size(); ++k) {
          if (!observed[k]) continue;
          std::size_t i = b[k];
          auto ds = diff(predictions[i].observation, *observed[k], o_.diff, predictions[i].clauses);
          if (ds.empty()) continue;
          auto groups = divergence_groups(ds, predictions[i]);
          divergent[k] = true;
          if (b.size() > 1) {
            // Confirm alone: a divergence that only shows in a batch is the transform's fault.
            std::string err;
            std::vector<std::string> alone_groups;
            auto alone = run_and_diff(built[i], oracle_, target, o_.diff, nullptr, nullptr, &err, &alone_groups);
            ++report_.progress.mounts;
            if (!err.empty()) {
              error(target.name + ": case " + std::to_string(base + i) + " alone: " + err);
              continue;
            }
            if (alone.empty()) {
              record(cases[i], base + i, target, ds, {"batching"}, /*shrinkable=*/false);
              continue;
            }
            ds = std::move(alone);
            groups = std::move(alone_groups);
          }
          record(cases[i], base + i, target, ds, groups, true);
        }
      }
      report_.progress.cases += b.size();
      report_.progress.divergent += static_cast<std::size_t>(std::count(divergent.begin(), divergent.end(), true));
      tick();
    }
  }

  void record(const GenCase& g, std::uint64_t index, const FuzzTarget& target, const std::vector<Divergence>& ds,
              const std::vector<std::string>& groups, bool shrinkable) {
    for (const auto& group : groups) {
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
          std::vector<std::string> gs;
          run_and_diff(to_case(c), oracle_, target, o_.diff, nullptr, nullptr, nullptr, &gs);
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
