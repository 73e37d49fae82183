// The model-fuse target: the model served by our own libfuse3 daemon (fuse_targets.hpp).
#include <memory>
#include <stdexcept>

#include "fuse_case.hpp"
#include "ovl/fuse_model_fs.hpp"
#include "ovl/limited_predict.hpp"
#include "ovl/predict.hpp"

namespace ovl {
namespace {

/// The model served over FUSE, probed like any real mount.
class ModelFuseTarget : public Target {
 public:
  explicit ModelFuseTarget(FuseTargetOptions o) : o_(std::move(o)) {}
  std::string name() const override { return "model-fuse"; }
  std::optional<std::string> unavailable() const override { return fuse_unavailable_reason(); }
  std::optional<std::string> cannot_run(const Case& c) const override {
    for (const auto& s : c.semantics)
      if (!s.empty() && s != "kernel") return "written for the proposal '" + s + "'; model-fuse serves kernel rules";
    return std::nullopt;
  }
  KernelVersion level() const override { return o_.level ? *o_.level : KernelVersion{6, 18}; }

  TargetOutcome run(const Case& c) override {
    if (auto why = why_not(c)) return skipped(*why);
    TargetOutcome out;
    Semantics sem;
    sem.kernel = level();
    ObserveOptions oo;
    oo.probe_hidden = false;
    // A large case is predicted under the case's limits (predict_within_limits) only to learn
    // whether the mount is accepted; the daemon then builds the model itself, under its own
    // memory limit and the case time limit. A small one is predicted here and handed over.
    std::shared_ptr<Prediction> pred;
    try {
      if (prediction_cost(c) > PredictLimits{}.in_process_max_cost) {
        PredictLimits pl;
        pl.timeout_seconds = o_.base.case_timeout_seconds;
        pl.memory_mib = o_.base.memory_limit_mib;
        Prediction p = predict_within_limits(c, sem, o_.module, pl, oo);
        if (!p.observation.mount.ok)
          return skipped("the model refuses this mount (" + p.observation.mount.err + "): there is nothing to serve");
      } else {
        pred = std::make_shared<Prediction>(predict(c, sem, o_.module, oo));
        if (!pred->model)
          return skipped("the model refuses this mount (" + pred->observation.mount.err + "): there is nothing to serve");
      }
    } catch (const std::exception& e) {
      out.kind = TargetOutcome::Kind::Error;
      out.reason = std::string("the model failed: ") + e.what();
      return out;
    }
    fuse_detail::Launch l;
    l.start = [pred, c, sem, oo, module = o_.module, mib = o_.base.memory_limit_mib](const MaterializedCase& m) {
      // The daemon only needs the model; the materialized layers are what the prober's
      // candidates and the other targets use.
      return FuseDaemon::fork_function(
          [pred, c, sem, oo, module, mnt = m.mountpoint] {
            ServeOptions so;
            if (pred) return serve_model(*pred->model, mnt, so);
            Prediction own = predict(c, sem, module, oo);
            if (!own.model) throw std::runtime_error("the model refused the mount in the daemon");
            return serve_model(*own.model, mnt, so);
          },
          m.mountpoint, mib);
    };
    return fuse_detail::run_fuse_case(c, name(), o_, l);
  }

 private:
  FuseTargetOptions o_;
};

}  // namespace

std::unique_ptr<Target> make_model_fuse_target(FuseTargetOptions opts) {
  return std::make_unique<ModelFuseTarget>(std::move(opts));
}

}  // namespace ovl
