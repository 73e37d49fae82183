// The model-fuse target: the model served by our own libfuse3 daemon (fuse_targets.hpp).
#include <memory>

#include "fuse_case.hpp"
#include "ovl/fuse_model_fs.hpp"
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
    TargetOutcome out;
    auto skip = [&](std::string why) {
      out.kind = TargetOutcome::Kind::Skipped;
      out.reason = std::move(why);
      return out;
    };
    if (auto why = unavailable()) return skip(*why);
    if (auto why = cannot_run(c)) return skip(*why);
    Semantics sem;
    sem.kernel = level();
    std::shared_ptr<Prediction> pred;
    try {
      ObserveOptions oo;
      oo.probe_hidden = false;
      pred = std::make_shared<Prediction>(predict(c, sem, o_.module, oo));
    } catch (const std::exception& e) {
      out.kind = TargetOutcome::Kind::Error;
      out.reason = std::string("the model failed: ") + e.what();
      return out;
    }
    if (!pred->model) return skip("the model refuses this mount (" + pred->observation.mount.err + "): there is nothing to serve");
    fuse_detail::Launch l;
    l.start = [pred, mib = o_.base.memory_limit_mib](const MaterializedCase& m) {
      // The daemon only needs the model; the materialized layers are what the prober's
      // candidates and the other targets use.
      return FuseDaemon::fork_function(
          [pred, mnt = m.mountpoint] {
            ServeOptions so;
            return serve_model(*pred->model, mnt, so);
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
