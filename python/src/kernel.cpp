// Real mounts from Python (root): observe() runs the prober on a mountpoint; check() mounts a
// stack with the kernel targets in a forked child that enters its own sandbox, so the Python
// process (which may run threads) never needs unshare(CLONE_NEWNS) and never holds a mount.
#include <sys/mount.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "ovl/check.hpp"
#include "ovl/features.hpp"
#include "ovl/probe.hpp"
#include "ovl/sandbox.hpp"

namespace ovlpy {
namespace {

/// One target's outcome in a check.
struct PyTargetResult {
  std::string name;
  std::string status;  // "observed", "skipped", "error"
  std::string reason;
  std::optional<ovl::Observation> observation;
  std::vector<ovl::Divergence> divergences;
  std::string mount_log;
};

/// What check() returns.
struct PyCheckResult {
  std::string semantics;
  ovl::Observation model;
  std::vector<PyTargetResult> targets;
  bool failed() const {
    for (const auto& t : targets)
      if (t.status == "error" || !t.divergences.empty()) return true;
    return false;
  }
};

std::string kind_name(ovl::TargetOutcome::Kind k) {
  switch (k) {
    case ovl::TargetOutcome::Kind::Observed: return "observed";
    case ovl::TargetOutcome::Kind::Skipped: return "skipped";
    case ovl::TargetOutcome::Kind::Error: return "error";
  }
  return "?";
}

/// Removes the child's scratch directory when the child's work ends (its tmpfs dies with the
/// child's namespace anyway; this leaves no empty directory behind on the host's /tmp).
struct ScratchCleanup {
  ~ScratchCleanup() {
    if (ovl::Sandbox* sb = ovl::Sandbox::current()) {
      ovl::unmount_under(sb->scratch());
      umount2(sb->scratch().c_str(), MNT_DETACH);
      rmdir(sb->scratch().c_str());
    }
  }
};

/// The work of the forked child: everything serialized as JSON text.
std::string run_check_child(const std::optional<ovl::Case>& c, const std::string& options,
                            const std::vector<ovl::MountApi>& apis, ovl::Semantics sem, bool detect_level,
                            double timeout) {
  ovl::Sandbox::enter();
  ScratchCleanup cleanup;
  if (detect_level) sem.kernel = ovl::kernel_features().level;
  ovl::TargetOptions topts;
  topts.case_timeout_seconds = timeout;
  ovl::CheckResult r = c ? ovl::check_case(*c, apis, sem, topts) : ovl::check_options_on_disk(options, apis, sem, topts);
  nlohmann::json j;
  j["semantics"] = sem.name();
  j["model"] = ovl::to_json(r.prediction.observation);
  j["targets"] = nlohmann::json::array();
  for (const auto& t : r.targets) {
    nlohmann::json tj = {{"target", t.name}, {"status", kind_name(t.outcome.kind)}, {"reason", t.outcome.reason},
                         {"mount_log", t.outcome.mount_log}};
    if (t.outcome.kind == ovl::TargetOutcome::Kind::Observed) tj["observation"] = ovl::to_json(t.outcome.observation);
    tj["divergences"] = nlohmann::json::array();
    for (const auto& d : t.divergences)
      tj["divergences"].push_back(
          {{"path", d.path}, {"field", d.field}, {"model", d.model}, {"target", d.target}, {"clauses", d.clauses}});
    j["targets"].push_back(tj);
  }
  return j.dump();
}

PyCheckResult check_result_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text);
  PyCheckResult r;
  r.semantics = j.at("semantics").get<std::string>();
  r.model = ovl::observation_from_json(j.at("model"));
  for (const auto& tj : j.at("targets")) {
    PyTargetResult t;
    t.name = tj.at("target").get<std::string>();
    t.status = tj.at("status").get<std::string>();
    t.reason = tj.at("reason").get<std::string>();
    t.mount_log = tj.at("mount_log").get<std::string>();
    if (tj.contains("observation")) t.observation = ovl::observation_from_json(tj.at("observation"));
    for (const auto& dj : tj.at("divergences"))
      t.divergences.push_back({dj.at("path").get<std::string>(), dj.at("field").get<std::string>(),
                               dj.at("model").get<std::string>(), dj.at("target").get<std::string>(),
                               dj.at("clauses").get<std::vector<std::string>>()});
    r.targets.push_back(std::move(t));
  }
  return r;
}

std::vector<ovl::MountApi> apis_from_py(const py::object& targets) {
  std::vector<std::string> names;
  if (py::isinstance<py::str>(targets)) names.push_back(targets.cast<std::string>());
  else names = targets.cast<std::vector<std::string>>();
  if (names.empty()) throw py::value_error("targets: expected at least one of \"kernel\", \"kernel-fsconfig\"");
  std::vector<ovl::MountApi> apis;
  for (const auto& n : names) {
    if (n == "kernel") apis.push_back(ovl::MountApi::Legacy);
    else if (n == "kernel-fsconfig") apis.push_back(ovl::MountApi::Fsconfig);
    else throw py::value_error("targets: expected \"kernel\" or \"kernel-fsconfig\", got \"" + n + "\"");
  }
  return apis;
}

}  // namespace

void bind_kernel(py::module_& m) {
  m.def("observe", [](const std::string& mountpoint, const std::vector<std::string>& candidates, std::size_t max_entries) {
    ovl::ProbeOptions o;
    o.candidates = candidates;
    o.max_entries = max_entries;
    py::gil_scoped_release nogil;
    try {
      return ovl::probe(mountpoint, o);
    } catch (const std::length_error& e) {
      throw py::value_error(std::string("observe: ") + e.what());
    }
  }, py::arg("mountpoint"), py::arg("candidates") = std::vector<std::string>{}, py::arg("max_entries") = 1'000'000,
     "Walks a mounted tree with plain syscalls (the runners' prober) and returns its Observation:\n"
     "lstat, readdir, readlink, sha256 of file contents, overlay xattr names. candidates: extra\n"
     "absolute paths to lstat although readdir does not list them. Run as root to see\n"
     "trusted.* xattrs. The mount status is \"ok\".");

  m.def("candidate_paths", [](const std::vector<std::shared_ptr<ovl::Layer>>& layers) {
    std::vector<const ovl::Layer*> ls;
    for (const auto& l : layers) ls.push_back(l.get());
    return ovl::candidate_paths(ls);
  }, py::arg("layers"), "Every path of the given layers, sorted and unique, the root excluded (observe's candidates).");

  m.def("overlay_unavailable_reason", &ovl::overlay_unavailable_reason,
        "Why this process cannot make overlay mounts (not root, no overlay), or None.");

  py::class_<PyTargetResult>(m, "TargetResult", "What one kernel target showed in a check, and its divergences.")
      .def_readonly("name", &PyTargetResult::name, "\"kernel\" or \"kernel-fsconfig\".")
      .def_readonly("status", &PyTargetResult::status, "\"observed\", \"skipped\" or \"error\".")
      .def_readonly("reason", &PyTargetResult::reason, "Why it was skipped or failed.")
      .def_readonly("observation", &PyTargetResult::observation, "The target's Observation when observed, else None.")
      .def_readonly("divergences", &PyTargetResult::divergences, "Where it differs from the model.")
      .def_readonly("mount_log", &PyTargetResult::mount_log, "The kernel's log lines of the mount, if any.")
      .def("__repr__", [](const PyTargetResult& t) {
        return "<ovlspec.TargetResult " + t.name + " " + t.status + ", " + std::to_string(t.divergences.size()) +
               " divergences>";
      });

  py::class_<PyCheckResult>(m, "CheckResult", "The model's prediction next to what the kernel targets showed.")
      .def_readonly("semantics", &PyCheckResult::semantics, "The semantics name the model ran (\"kernel-6.18\").")
      .def_readonly("model", &PyCheckResult::model, "The model's Observation.")
      .def_readonly("targets", &PyCheckResult::targets, "One TargetResult per target.")
      .def_property_readonly("divergences", [](const PyCheckResult& r) {
        std::vector<std::pair<std::string, ovl::Divergence>> out;
        for (const auto& t : r.targets)
          for (const auto& d : t.divergences) out.emplace_back(t.name, d);
        return out;
      }, "Every divergence as (target name, Divergence).")
      .def_property_readonly("failed", &PyCheckResult::failed, "Any divergence, or a target that failed to run.")
      .def("__bool__", [](const PyCheckResult& r) { return !r.failed(); }, "True when every target agreed.")
      .def("__repr__", [](const PyCheckResult& r) {
        return std::string("<ovlspec.CheckResult ") + (r.failed() ? "FAILED" : "ok") + ", " +
               std::to_string(r.targets.size()) + " targets>";
      });

  m.def("check", [](const py::object& stack, const py::object& targets, const py::object& semantics,
                    const py::object& kernel, double timeout) {
    std::optional<ovl::Case> c;
    std::string options;
    if (py::isinstance<ovl::Case>(stack)) c = stack.cast<const ovl::Case&>();
    else if (py::isinstance<py::str>(stack)) options = stack.cast<std::string>();
    else throw py::type_error("stack: expected a Case or an option string naming layer directories");
    auto apis = apis_from_py(targets);
    ovl::Semantics sem = to_semantics(semantics, kernel);
    bool detect = kernel.is_none() && !py::isinstance<ovl::Semantics>(semantics);
    if (!(timeout > 0)) throw py::value_error("timeout: expected a positive number of seconds");
    if (auto why = ovl::overlay_unavailable_reason()) throw ovl::SandboxError("check: " + *why);
    ovl::ChildResult child;
    {
      py::gil_scoped_release nogil;
      double limit = timeout * double(apis.size()) + 30;  // the child also detects kernel features
      child = ovl::run_isolated([&] { return run_check_child(c, options, apis, sem, detect, timeout); }, limit);
    }
    if (!child.ok) throw std::runtime_error("check: " + child.error);
    return check_result_from_json(child.output);
  }, py::arg("stack"), py::arg("targets") = std::vector<std::string>{"kernel", "kernel-fsconfig"}, py::kw_only(),
     py::arg("semantics") = py::none(), py::arg("kernel") = py::none(), py::arg("timeout") = 30.0,
     "As root: mounts a stack with the kernel targets (\"kernel\": mount(2); \"kernel-fsconfig\":\n"
     "fsopen/fsconfig) and diffs each against the model. stack is a Case (materialized on a\n"
     "scratch tmpfs) or an option string naming layer directories relative to the current\n"
     "directory (mounted where they are). The work runs in a forked child in its own mount\n"
     "namespace: nothing stays mounted. Without `kernel` the model runs at the running kernel's\n"
     "detected level. Raises SandboxError when mounts are impossible here.");
}

}  // namespace ovlpy
