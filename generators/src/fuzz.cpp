// The fuzz engine: generate, batch, run, diff, group, shrink.
#include "ovl/fuzz.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>

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
  Fuzzer(const FuzzOptions& o, const Oracle& oracle, const std::vector<std::vector<FuzzTarget>>& workers)
      : o_(o), oracle_(oracle), workers_(workers), targets_(workers.front()) {}

  FuzzReport run() {
    t0_ = Clock::now();
    std::uint64_t next = 0;
    if (o_.resume) {
      next = o_.resume->next;
      report_.progress = o_.resume->progress;
      report_.groups = o_.resume->groups;
      seen_ = o_.resume->seen;
      t0_ -= std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.resume->progress.seconds));
    }
    last_progress_ = Clock::now();
    while (!done(next)) {
      std::size_t n = o_.chunk;
      if (o_.cases) n = std::min<std::size_t>(n, o_.cases - next);
      std::vector<GenCase> cases;
      cases.reserve(n);
      for (std::size_t i = 0; i < n; ++i) cases.push_back(generate_case_at(o_.seed, next + i, o_.gen));
      run_chunk(cases, next);
      next += n;
      checkpoint(next);
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
    if (report_.progress.errors <= o_.max_errors) {
      report_.errors.push_back(what);
      chunk_errors_.push_back(what);
    }
  }

  void checkpoint(std::uint64_t next) {
    if (o_.on_checkpoint) {
      FuzzCheckpoint c;
      c.next = next;
      c.progress = report_.progress;
      c.progress.seconds = since(t0_);
      c.groups = report_.groups;
      c.seen = seen_;
      c.new_errors = std::move(chunk_errors_);
      o_.on_checkpoint(c);
    }
    chunk_errors_.clear();
  }

  /// What one planned batch gave on one target: the Observation of each member (nullopt where
  /// the harness failed), and the bookkeeping to fold into the report afterwards (a batch runs
  /// on a worker thread and must not touch the report).
  struct BatchRun {
    std::vector<std::optional<Observation>> observed;
    std::size_t mounts = 0;
    bool fallback = false;
    std::vector<std::string> errors;
  };

  /// Runs planned batches on a target (one worker's share, all at once: targets that can, run
  /// them in one isolated child). The root directory is the one object batch members share;
  /// when its listing fails in a batch (one member's entry can make a whole merged readdir
  /// fail), every member of that batch runs alone instead.
  static std::vector<BatchRun> run_batches(const std::vector<GenCase>& cases, const std::vector<Case>& built,
                                           const std::vector<const std::vector<std::size_t>*>& batches,
                                           std::uint64_t base, const FuzzTarget& target) {
    std::vector<BatchRun> out(batches.size());
    std::vector<Case> wholes(batches.size());
    std::vector<const Case*> first;
    for (std::size_t j = 0; j < batches.size(); ++j) {
      const auto& b = *batches[j];
      out[j].observed.resize(b.size());
      if (b.size() > 1) {
        std::vector<const GenCase*> members;
        for (std::size_t i : b) members.push_back(&cases[i]);
        wholes[j] = to_case(make_batch(members), "fuzz-batch");
        first.push_back(&wholes[j]);
      } else {
        first.push_back(&built[b[0]]);
      }
    }
    std::vector<TargetRun> runs = run_all(target, first);
    std::vector<std::pair<std::size_t, std::size_t>> alone;  // (batch, member) to run alone
    for (std::size_t j = 0; j < batches.size(); ++j) {
      const auto& b = *batches[j];
      TargetRun& r = runs[j];
      ++out[j].mounts;
      if (!r.ok) {
        out[j].errors.push_back(target.name + (b.size() > 1 ? ": batch of " + std::to_string(b.size()) + " from case "
                                                             : ": case ") +
                                std::to_string(base + b[0]) + ": " + r.error);
        continue;
      }
      if (b.size() == 1) {
        out[j].observed[0] = std::move(r.observation);
        continue;
      }
      const Entry* root = r.observation.find("/");
      bool shared_failed = r.observation.mount.ok && (!root || root->err || root->readdir_err);
      if (!shared_failed) {
        for (std::size_t k = 0; k < b.size(); ++k) out[j].observed[k] = extract(r.observation, k);
        continue;
      }
      out[j].fallback = true;
      for (std::size_t k = 0; k < b.size(); ++k) alone.emplace_back(j, k);
    }
    if (alone.empty()) return out;
    std::vector<const Case*> second;
    for (auto [j, k] : alone) second.push_back(&built[(*batches[j])[k]]);
    std::vector<TargetRun> again = run_all(target, second);
    for (std::size_t a = 0; a < alone.size(); ++a) {
      auto [j, k] = alone[a];
      ++out[j].mounts;
      if (!again[a].ok) {
        out[j].errors.push_back(target.name + ": case " + std::to_string(base + (*batches[j])[k]) + ": " + again[a].error);
        continue;
      }
      out[j].observed[k] = std::move(again[a].observation);
    }
    return out;
  }

  /// The target's runs of these cases: run_many where the target has it.
  static std::vector<TargetRun> run_all(const FuzzTarget& target, const std::vector<const Case*>& cs) {
    if (target.run_many && cs.size() > 1) return target.run_many(cs);
    std::vector<TargetRun> out;
    out.reserve(cs.size());
    for (const Case* c : cs) out.push_back(target.run(*c));
    return out;
  }

  /// Runs fn(i, worker) for i in [0, n): worker w takes i = w, w + W, … on its own thread.
  template <class Fn>
  void spread(std::size_t n, Fn fn) {
    const std::size_t w = std::min(workers_.size(), n);
    if (w <= 1) {
      for (std::size_t i = 0; i < n; ++i) fn(i, 0);
      return;
    }
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < w; ++t)
      threads.emplace_back([&, t] {
        for (std::size_t i = t; i < n; i += w) fn(i, t);
      });
    for (std::size_t i = 0; i < n; i += w) fn(i, 0);
    for (auto& th : threads) th.join();
  }

  void run_chunk(const std::vector<GenCase>& cases, std::uint64_t base) {
    // The model's predictions, once per case (the oracle is a pure function of the case).
    std::vector<Case> built;
    built.reserve(cases.size());
    for (const auto& g : cases) built.push_back(to_case(g));
    std::vector<Prediction> predictions(cases.size());
    spread(cases.size(), [&](std::size_t i, std::size_t) { predictions[i] = oracle_(built[i]); });
    // Every batch on every target, spread over the workers; then the diffs, in order, here.
    const auto batches = plan_batches(cases, o_.batch);
    std::vector<std::vector<BatchRun>> runs(targets_.size(), std::vector<BatchRun>(batches.size()));
    const std::size_t nw = std::max<std::size_t>(1, std::min(workers_.size(), batches.size()));
    for (std::size_t t = 0; t < targets_.size(); ++t)
      spread(nw, [&](std::size_t w, std::size_t worker) {
        std::vector<const std::vector<std::size_t>*> mine;  // batches w, w + nw, …
        for (std::size_t j = w; j < batches.size(); j += nw) mine.push_back(&batches[j]);
        auto got = run_batches(cases, built, mine, base, workers_[worker][t]);
        for (std::size_t m = 0; m < got.size(); ++m) runs[t][w + m * nw] = std::move(got[m]);
      });
    for (std::size_t j = 0; j < batches.size(); ++j) {
      const auto& b = batches[j];
      std::vector<bool> divergent(b.size(), false);
      for (std::size_t t = 0; t < targets_.size(); ++t) {
        const FuzzTarget& target = targets_[t];
        BatchRun& run = runs[t][j];
        report_.progress.mounts += run.mounts;
        report_.batch_fallbacks += run.fallback;
        for (const auto& e : run.errors) error(e);
        auto& observed = run.observed;
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
      if (report_.progress.findings > o_.max_findings) continue;
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
  const std::vector<std::vector<FuzzTarget>>& workers_;
  const std::vector<FuzzTarget>& targets_;  // worker 0's: also confirms and shrinks
  FuzzReport report_;
  std::set<std::string> seen_;
  std::vector<std::string> chunk_errors_;  // since the last checkpoint
  Clock::time_point t0_, last_progress_;
};

}  // namespace

FuzzReport fuzz(const FuzzOptions& opts, const Oracle& oracle, const std::vector<FuzzTarget>& targets) {
  return fuzz_on_workers(opts, oracle, {targets});
}

FuzzReport fuzz_on_workers(const FuzzOptions& opts, const Oracle& oracle,
                           const std::vector<std::vector<FuzzTarget>>& workers) {
  if (workers.empty()) throw std::invalid_argument("fuzz: no workers");
  for (const auto& w : workers)
    if (w.size() != workers.front().size()) throw std::invalid_argument("fuzz: workers with different targets");
  return Fuzzer(opts, oracle, workers).run();
}

}  // namespace ovl::gen
