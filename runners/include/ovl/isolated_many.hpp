// Many jobs in one isolated child: run_isolated (sandbox.hpp) forks once per job; a run of
// generated cases pays that fork (and the copy-on-write faults after it) hundreds of times a
// second. run_isolated_many forks one child for a whole list of jobs and keeps the per-job
// guarantees: each job has its own time limit, a job that times out, crashes or runs out of
// memory fails alone, and a fresh child takes the jobs after it.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "ovl/sandbox.hpp"

namespace ovl {

/// Runs fn(0) … fn(n - 1) in forked children that each enter their own mount namespace (their
/// mounts die with them), one child for as many jobs in a row as go well. limits apply per job
/// (the time) and per child (the memory). Returns one ChildResult per job, in order; seconds is
/// the job's wall time as the parent saw it. fn must not rely on threads of the parent.
std::vector<ChildResult> run_isolated_many(std::size_t n, const std::function<std::string(std::size_t)>& fn,
                                           const ChildLimits& limits);

}  // namespace ovl
