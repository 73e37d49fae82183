// Shared runs of many cases (batch_run.hpp).
#include "ovl/batch_run.hpp"

#include <stdexcept>

#include "ovl/case_batch.hpp"

namespace ovl {
namespace {

// Why a shared run's outcome cannot be split per case, or nullopt.
std::optional<std::string> unclean(const TargetOutcome& o) {
  if (o.kind != TargetOutcome::Kind::Observed) return "the shared run gave no observation: " + o.reason;
  if (!o.observation.mount.ok) return "the shared mount was refused (" + o.observation.mount.err + ")";
  const Entry* root = o.observation.find("/");
  if (!root) return "the shared observation has no \"/\"";
  if (root->err) return "lstat of the shared \"/\" failed (" + *root->err + ")";
  if (root->readdir_err) return "readdir of the shared \"/\" failed (" + *root->readdir_err + ")";
  return std::nullopt;
}

}  // namespace

std::vector<TargetOutcome> run_batched(const std::vector<const Case*>& cases,
                                       const std::function<TargetOutcome(const Case&)>& run_one,
                                       const BatchRunOptions& opts, BatchRunStats* stats) {
  BatchRunStats local;
  BatchRunStats& st = stats ? *stats : local;
  std::vector<TargetOutcome> out(cases.size());
  auto alone = [&](std::size_t i) {
    out[i] = run_one(*cases[i]);
    ++st.runs;
    ++st.alone_cases;
  };
  for (const auto& group : gen::plan_case_batches(cases, opts.max_size)) {
    if (group.size() == 1) {
      alone(group.front());
      continue;
    }
    std::vector<const Case*> members;
    for (std::size_t i : group) members.push_back(cases[i]);
    std::optional<std::string> why;
    TargetOutcome shared;
    try {
      Case batch = gen::make_case_batch(members, "batch-" + std::to_string(members.size()) + "-" + members.front()->name);
      if (opts.vet) why = opts.vet(batch, members);
      if (!why) {
        shared = run_one(batch);
        ++st.runs;
        why = unclean(shared);
      }
    } catch (const std::invalid_argument& e) {
      why = e.what();
    }
    if (why) {
      st.fallback_reasons.push_back(members.front()->name + " and " + std::to_string(members.size() - 1) +
                                    " more: " + *why);
      st.fallback_cases += group.size();
      for (std::size_t i : group) alone(i);
      continue;
    }
    ++st.shared_runs;
    st.batched_cases += group.size();
    for (std::size_t k = 0; k < group.size(); ++k) {
      TargetOutcome& o = out[group[k]];
      o.kind = TargetOutcome::Kind::Observed;
      o.observation = gen::extract(shared.observation, k);
      o.mount_log = shared.mount_log;
      o.seconds = shared.seconds / static_cast<double>(group.size());
    }
  }
  return out;
}

}  // namespace ovl
