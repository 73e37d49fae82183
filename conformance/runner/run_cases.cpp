// Cases × targets → Results (run.hpp): skip rules, prediction, diff, expectations, verdict.
#include <map>
#include <stdexcept>

#include "ovl/case_format.hpp"
#include "ovl/run.hpp"

#if __has_include("ovl/reproducer.hpp")
#include "ovl/reproducer.hpp"
#define OVL_RUN_HAVE_REPRODUCER 1
#endif
#if __has_include("ovl/limited_predict.hpp")
#include "ovl/limited_predict.hpp"
#define OVL_RUN_HAVE_LIMITED_PREDICT 1
#endif
#if __has_include("ovl/health.hpp")
#include <memory>

#include "ovl/health.hpp"
#define OVL_RUN_HAVE_HEALTH 1
#endif

namespace ovl {

namespace {

// The proposal names a case is written for ("" and "kernel" mean the kernel rules).
std::vector<std::string> proposals_of(const Case& c) {
  std::vector<std::string> out;
  for (const auto& s : c.semantics)
    if (!s.empty() && s != "kernel") out.push_back(s);
  return out;
}

bool is_model(const Target& t) { return t.name() == "model"; }

// The prediction, within the run's model limits when this build has them.
Prediction predict_limited(const Case& c, const Semantics& sem, const RunOptions& opts) {
#ifdef OVL_RUN_HAVE_LIMITED_PREDICT
  PredictLimits limits;
  limits.timeout_seconds = opts.model_timeout_seconds;
  limits.memory_mib = opts.model_memory_mib;
  return predict_within_limits(c, sem, opts.module, limits);
#else
  return predict(c, sem, opts.module);
#endif
}

Result base_result(const RunCase& rc, const Target& t, const std::string& semantics) {
  Result r;
  r.case_name = rc.c.name;
  r.source_file = rc.c.source_file;
  r.clauses = rc.c.clauses;
  r.target = t.name();
  r.semantics = semantics;
  r.origin = rc.origin;
  r.seed = rc.seed;
  return r;
}

Result verdict_only(const RunCase& rc, const Target& t, const std::string& semantics, Verdict v, std::string reason) {
  Result r = base_result(rc, t, semantics);
  r.verdict = v;
  r.reason = std::move(reason);
  return r;
}

#ifdef OVL_RUN_HAVE_HEALTH
// The health finding after a batch: an Error result named after the last case that ran.
Result health_result(const RunCase& first, const RunCase& last, const Target& t, const std::string& semantics,
                     const std::vector<std::string>& findings) {
  Result r = base_result(last, t, semantics);
  r.case_name = "health after " + last.c.name;
  r.clauses.clear();
  r.origin = "health";
  r.verdict = Verdict::Error;
  r.reason = "kernel health after the batch " + first.c.name + " … " + last.c.name + " on " + t.name() + ":";
  for (const auto& f : findings) r.reason += "\n" + f;
  return r;
}
#endif

}  // namespace

std::optional<std::string> static_skip_reason(const Case& c, const Target& t, KernelVersion level) {
  auto proposals = proposals_of(c);
  if (!proposals.empty() && !is_model(t)) {
    std::string names;
    for (const auto& p : proposals) names += (names.empty() ? "" : ", ") + p;
    return "written for the proposal " + names + ", which no kernel implements";
  }
  if (c.min_kernel && level < *c.min_kernel)
    return "needs kernel >= " + c.min_kernel->str() + "; compared at level " + level.str();
  return std::nullopt;
}

Semantics case_semantics(const Case& c, KernelVersion level, bool with_proposals) {
  auto proposals = proposals_of(c);
  if (!with_proposals || proposals.empty()) {
    Semantics s;
    s.kernel = level;
    return s;
  }
  std::string joined;
  for (const auto& p : proposals) joined += (joined.empty() ? "" : ",") + p;
  auto s = Semantics::parse(joined, level);
  if (!s) throw std::invalid_argument("case " + c.name + ": unknown semantics \"" + joined + "\"");
  return *s;
}

Case expectations_for_layout(const Case& c, const Semantics& sem, const Prediction& pred, std::vector<int>* dropped) {
  Case out = c;
  if (sem.one_filesystem) return out;
  out.expects.clear();
  for (const auto& e : c.expects) {
    Case one = c;
    one.expects = {e};
    if (check_expectations(one, pred.observation).empty()) {
      out.expects.push_back(e);
    } else if (dropped) {
      dropped->push_back(e.line);
    }
  }
  return out;
}

Result judge(const RunCase& rc, const Target& t, const Semantics& sem, const Prediction& pred,
             const TargetOutcome& outcome, const RunOptions& opts) {
  Result r = base_result(rc, t, sem.name());
  r.seconds = outcome.seconds;
  switch (outcome.kind) {
    case TargetOutcome::Kind::Skipped:
      r.verdict = Verdict::Skip;
      r.reason = outcome.reason.empty() ? "the target skipped the case without a reason" : outcome.reason;
      return r;
    case TargetOutcome::Kind::Error:
      r.verdict = Verdict::Error;
      r.reason = outcome.reason.empty() ? "the target failed without a reason" : outcome.reason;
      r.model_observation = pred.observation;
      return r;
    case TargetOutcome::Kind::Observed: break;
  }
  r.divergences = diff(pred.observation, outcome.observation, opts.diff, pred.clauses);
  std::vector<int> dropped;
  r.failed_expectations = check_expectations(expectations_for_layout(rc.c, sem, pred, &dropped), outcome.observation);
  if (!dropped.empty()) {
    r.reason = "not checked on this target: the expect lines at";
    for (int line : dropped) r.reason += " " + rc.c.source_file + ":" + std::to_string(line);
    r.reason += ", written for layers on one filesystem; with this target's layers on several the model "
                "predicts otherwise ([readdir.impure])";
  }
  bool pass = r.divergences.empty() && r.failed_expectations.empty();
  r.verdict = pass ? Verdict::Pass : Verdict::Fail;
  if (!pass || opts.keep_observations) {
    r.model_observation = pred.observation;
    r.target_observation = outcome.observation;
  }
  if (!pass) {
    if (!outcome.mount_log.empty()) r.reason += (r.reason.empty() ? "" : "; ") + ("mount log: " + outcome.mount_log);
#ifdef OVL_RUN_HAVE_REPRODUCER
    try {
      r.reproducer = write_reproducer(rc.c, r.divergences);
    } catch (const std::exception& e) {
      r.reproducer = std::string("# no reproducer: ") + e.what() + "\n";
    }
#endif
  }
  return r;
}

std::vector<Result> run_cases(const std::vector<RunCase>& cases, const std::vector<Target*>& targets,
                              const RunOptions& opts, ResultsWriter* writer) {
  std::vector<Result> all;
  std::vector<std::optional<std::string>> unavailable;
  for (Target* t : targets) unavailable.push_back(t->unavailable());
  const std::size_t batch = opts.batch ? opts.batch : 1;
#ifdef OVL_RUN_HAVE_HEALTH
  std::unique_ptr<KernelHealth> health;
  if (opts.check_health) health = std::make_unique<KernelHealth>();
#endif
  for (std::size_t start = 0; start < cases.size(); start += batch) {
    std::size_t end = std::min(cases.size(), start + batch);
    for (std::size_t ti = 0; ti < targets.size(); ++ti) {
      Target& t = *targets[ti];
      KernelVersion level = opts.kernel ? *opts.kernel : t.level();
      std::vector<std::optional<Result>> slot(end - start);
      std::vector<const Case*> to_run;
      std::vector<std::size_t> to_run_index;
      std::map<std::size_t, std::pair<Semantics, Prediction>> predicted;
      for (std::size_t i = start; i < end; ++i) {
        const RunCase& rc = cases[i];
        std::string sem_name = Semantics{level}.name();
        if (!opts.done.empty() && opts.done.count(rc.c.name + "\t" + t.name())) {
          continue;
        }
        if (unavailable[ti]) {
          slot[i - start] = verdict_only(rc, t, sem_name, Verdict::Skip, "target unavailable: " + *unavailable[ti]);
          continue;
        }
        auto why = static_skip_reason(rc.c, t, level);
        if (!why) why = t.cannot_run(rc.c);
        if (why) {
          slot[i - start] = verdict_only(rc, t, sem_name, Verdict::Skip, *why);
          continue;
        }
        try {
          Semantics sem = case_semantics(rc.c, level, is_model(t));
          sem.one_filesystem = t.layers_on_one_filesystem(rc.c);
          predicted.emplace(i, std::make_pair(sem, predict_limited(rc.c, sem, opts)));
        } catch (const std::exception& e) {
          slot[i - start] = verdict_only(rc, t, sem_name, Verdict::Error, std::string("the model failed: ") + e.what());
          continue;
        }
        to_run.push_back(&rc.c);
        to_run_index.push_back(i);
      }
      std::vector<TargetOutcome> outcomes;
      std::string harness_error;
      if (!to_run.empty()) {
        try {
          outcomes = t.run_many(to_run);
          if (outcomes.size() != to_run.size())
            harness_error = "the target returned " + std::to_string(outcomes.size()) + " outcomes for " +
                            std::to_string(to_run.size()) + " cases";
        } catch (const std::exception& e) {
          harness_error = std::string("the target threw: ") + e.what();
        }
      }
      for (std::size_t k = 0; k < to_run_index.size(); ++k) {
        std::size_t i = to_run_index[k];
        const auto& [sem, pred] = predicted.at(i);
        if (!harness_error.empty()) {
          slot[i - start] = verdict_only(cases[i], t, sem.name(), Verdict::Error, harness_error);
        } else {
          slot[i - start] = judge(cases[i], t, sem, pred, outcomes[k], opts);
        }
      }
      for (auto& r : slot) {
        if (!r) continue;  // finished in the run this one resumes
        if (writer) writer->append(*r);
        all.push_back(std::move(*r));
      }
#ifdef OVL_RUN_HAVE_HEALTH
      if (health && !is_model(t) && !to_run_index.empty()) {
        auto findings = health->check();
        if (!findings.empty()) {
          Result hr = health_result(cases[to_run_index.front()], cases[to_run_index.back()], t,
                                    Semantics{level}.name(), findings);
          if (writer) writer->append(hr);
          all.push_back(std::move(hr));
        }
      }
#endif
    }
    if (opts.on_progress) opts.on_progress(end, cases.size(), all);
  }
  return all;
}

}  // namespace ovl
