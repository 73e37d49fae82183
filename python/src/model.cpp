// The model from Python: Observation/Entry, Case (load/dump), Model (observe, explain), diff.
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "model.hpp"
#include "ovl/case_format.hpp"
#include "ovl/disk_layers.hpp"
#include "ovl/errnos.hpp"
#include "ovl/features.hpp"

namespace ovlpy {
namespace {

/// One path's resolution, copied out of the model (no pointers into the layers).
struct PyResolution {
  std::string path;
  std::optional<std::string> err;
  std::optional<std::string> type;
  std::optional<std::string> open_err;
  std::uint64_t size = 0;
  std::vector<std::pair<std::string, std::string>> trace;  // (clause, text)
  std::vector<std::string> clauses;
  std::optional<std::pair<std::string, std::string>> meta_at, data_at;
  std::vector<std::pair<std::string, std::string>> merged;
  bool merge_dir = false, metacopy = false, data_deferred = false;
};

std::pair<std::string, std::string> where(const ovl::Model& m, const ovl::LayerPath& lp) {
  std::string name = lp.layer >= 0 && std::size_t(lp.layer) < m.stack().layers.size() ? m.stack().layers[lp.layer].name : "?";
  return {name, lp.path};
}

std::string format_resolution(const PyResolution& r) {
  std::string out = r.path + ": " + (r.err ? "errno " + *r.err : *r.type) + "\n";
  for (const auto& [c, t] : r.trace) out += "  [" + c + "] " + t + "\n";
  return out;
}

ovl::Case case_from_args(const py::object& layers, const std::string& options, const std::string& name) {
  ovl::Case c;
  c.name = name;
  c.options = options;
  c.layers = layers_from_py(layers);
  return c;
}

py::object json_loads(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

}  // namespace

PyModel PyModel::from_case(const ovl::Case& c, const ovl::Semantics& sem, const ovl::ModuleParams& mp, bool probe_hidden) {
  PyModel m;
  m.semantics = sem;
  m.case_ = std::make_shared<ovl::Case>(c);
  ovl::ObserveOptions o;
  o.probe_hidden = probe_hidden;
  m.prediction = std::make_shared<ovl::Prediction>(ovl::predict(*m.case_, sem, mp, o));
  return m;
}

void bind_model(py::module_& m) {
  py::class_<ovl::MountStatus>(m, "MountStatus", "Whether the mount was made, and if not, why.")
      .def_readonly("ok", &ovl::MountStatus::ok, "True when the mount was made.")
      .def_property_readonly("errno", [](const ovl::MountStatus& s) -> py::object {
        return s.ok ? py::object(py::none()) : py::object(py::str(s.err));
      }, "The errno name (\"EINVAL\") when refused, else None.")
      .def_readonly("clause", &ovl::MountStatus::clause, "The clause refusing it (model only).")
      .def_readonly("message", &ovl::MountStatus::message, "The kernel's message.")
      .def("__repr__", [](const ovl::MountStatus& s) {
        return s.ok ? std::string("<ovlspec.MountStatus ok>") : "<ovlspec.MountStatus " + s.err + " [" + s.clause + "]>";
      });

  py::class_<ovl::Entry>(m, "Entry", "One visible path of an Observation (absent fields are None).")
      .def_readonly("path", &ovl::Entry::path, "The absolute path in the mount.")
      .def_readonly("errno", &ovl::Entry::err, "lstat's errno name when it failed (then every other field is None).")
      .def_property_readonly("type", [](const ovl::Entry& e) -> py::object {
        return e.type ? py::object(py::str(std::string(ovl::type_name(*e.type)))) : py::object(py::none());
      }, "\"dir\", \"reg\", \"lnk\", \"chr\", \"blk\", \"fifo\" or \"sock\".")
      .def_readonly("mode", &ovl::Entry::mode, "Permission bits.")
      .def_readonly("size", &ovl::Entry::size, "st_size of a regular file.")
      .def_readonly("content", &ovl::Entry::content, "sha256 hex of what reading a regular file returns.")
      .def_readonly("open_errno", &ovl::Entry::open_err, "open's errno name for a regular file that cannot be read.")
      .def_readonly("target", &ovl::Entry::target, "A symlink's target.")
      .def_readonly("children", &ovl::Entry::children, "A directory's sorted listing.")
      .def_readonly("readdir_errno", &ovl::Entry::readdir_err, "readdir's errno name.")
      .def_readonly("xattrs", &ovl::Entry::xattrs, "Visible xattr names containing \".overlay.\", sorted.")
      .def_property_readonly("source", [](const ovl::Entry& e) -> py::object {
        if (!e.source) return py::none();
        return py::make_tuple(e.source->layer, e.source->path);
      }, "(layer, path) the model took the entry from (model only), or None.")
      .def_readonly("unspecified", &ovl::Entry::unspecified, "Fields the spec leaves open for this path (model only).")
      .def("to_json", [](const ovl::Entry& e) { return ovl::to_json(e).dump(); }, "The entry as schema JSON text.")
      .def("__eq__", [](const ovl::Entry& a, const ovl::Entry& b) { return a == b; })
      .def("__repr__", [](const ovl::Entry& e) { return "<ovlspec.Entry " + ovl::to_json(e).dump() + ">"; });

  py::class_<ovl::Observation>(m, "Observation", "What a mount shows, path by path (schema ovlspec.observation/1).")
      .def_readonly("mount", &ovl::Observation::mount, "The MountStatus.")
      .def_readonly("entries", &ovl::Observation::entries, "Entries sorted by path.")
      .def("find", [](const ovl::Observation& o, const std::string& p) -> py::object {
        const ovl::Entry* e = o.find(p);
        return e ? py::cast(*e) : py::object(py::none());
      }, py::arg("path"), "The entry for a path, or None.")
      .def("__getitem__", [](const ovl::Observation& o, const std::string& p) {
        const ovl::Entry* e = o.find(p);
        if (!e) throw py::key_error(p);
        return *e;
      })
      .def("__contains__", [](const ovl::Observation& o, const std::string& p) { return o.find(p) != nullptr; })
      .def("__len__", [](const ovl::Observation& o) { return o.entries.size(); })
      .def("__iter__", [](const ovl::Observation& o) { return py::make_iterator(o.entries.begin(), o.entries.end()); },
           py::keep_alive<0, 1>())
      .def("paths", [](const ovl::Observation& o) {
        std::vector<std::string> out;
        for (const auto& e : o.entries) out.push_back(e.path);
        return out;
      }, "Every entry's path, sorted.")
      .def("to_json", [](const ovl::Observation& o, std::optional<int> indent) {
        return ovl::to_json(o).dump(indent ? *indent : -1);
      }, py::arg("indent") = py::none(), "The ovlspec.observation/1 JSON text (exactly what `ovlspec model --json` prints).")
      .def("to_dict", [](const ovl::Observation& o) { return json_loads(ovl::to_json(o)); },
           "The JSON as Python data (json.loads of to_json()).")
      .def_static("from_json", [](const std::string& text) {
        nlohmann::json j;
        try {
          j = nlohmann::json::parse(text);
        } catch (const nlohmann::json::parse_error& e) {
          throw py::value_error(std::string("observation JSON: ") + e.what());
        }
        return ovl::observation_from_json(j);
      }, py::arg("text"), "Parses ovlspec.observation/1 JSON text; ValueError naming the bad field.")
      .def("__eq__", [](const ovl::Observation& a, const ovl::Observation& b) {
        return a.mount == b.mount && a.entries == b.entries;
      })
      .def("__repr__", [](const ovl::Observation& o) {
        return "<ovlspec.Observation mount " + (o.mount.ok ? std::string("ok") : o.mount.err) + ", " +
               std::to_string(o.entries.size()) + " entries>";
      });

  py::class_<ovl::Divergence>(m, "Divergence", "One field of one path where a target and the model differ.")
      .def_readonly("path", &ovl::Divergence::path, "The path (\"\" for the mount itself).")
      .def_readonly("field", &ovl::Divergence::field, "The schema field: \"errno\", \"type\", \"content\", \"present\", ...")
      .def_readonly("model", &ovl::Divergence::model, "The model's value as text (\"absent\" when missing).")
      .def_readonly("target", &ovl::Divergence::target, "The target's value as text.")
      .def_readonly("clauses", &ovl::Divergence::clauses, "The clauses the model used for the path.")
      .def("__repr__", [](const ovl::Divergence& d) {
        return "<ovlspec.Divergence " + (d.path.empty() ? std::string("(mount)") : d.path) + " " + d.field + ": model " +
               d.model + ", target " + d.target + ">";
      });

  m.def("diff", [](const ovl::Observation& model, const ovl::Observation& target, bool compare_mode,
                   bool compare_mount_message) {
    ovl::DiffOptions o;
    o.compare_mode = compare_mode;
    o.compare_mount_message = compare_mount_message;
    return ovl::diff(model, target, o);
  }, py::arg("model"), py::arg("target"), py::kw_only(), py::arg("compare_mode") = false,
        py::arg("compare_mount_message") = false,
        "The divergences of a target Observation from the model's (fields the model leaves\n"
        "unspecified accept any value; source is never compared).");

  py::class_<PyResolution>(m, "Resolution", "The model's answer for one path, with its clause trace.")
      .def_readonly("path", &PyResolution::path, "The overlay path.")
      .def_readonly("errno", &PyResolution::err, "lstat's errno name, or None when the path resolves.")
      .def_readonly("type", &PyResolution::type, "The type name when it resolves.")
      .def_readonly("open_errno", &PyResolution::open_err, "open's errno name for a regular file, or None.")
      .def_readonly("size", &PyResolution::size, "st_size of a regular file.")
      .def_readonly("trace", &PyResolution::trace, "The steps as (clause, text) tuples, in order.")
      .def_readonly("clauses", &PyResolution::clauses, "The unique clause ids of the trace, in order.")
      .def_readonly("meta_at", &PyResolution::meta_at, "(layer, path) whose attributes are shown, or None.")
      .def_readonly("data_at", &PyResolution::data_at, "(layer, path) a read gets bytes from, or None.")
      .def_readonly("merged", &PyResolution::merged, "Directories merged, top first, as (layer, path).")
      .def_readonly("merge_dir", &PyResolution::merge_dir, "Iterated as a merge dir (R64).")
      .def_readonly("metacopy", &PyResolution::metacopy, "Assembled from a metacopy file (R44).")
      .def_readonly("data_deferred", &PyResolution::data_deferred, "Data looked up lazily in data-only layers (R37).")
      .def("__str__", &format_resolution)
      .def("__repr__", [](const PyResolution& r) {
        return "<ovlspec.Resolution " + r.path + ": " + (r.err ? *r.err : *r.type) + ">";
      });

  py::class_<ovl::Case, std::shared_ptr<ovl::Case>>(m, "Case", "A conformance case: named layers, mount options, expectations.")
      .def(py::init([](const py::object& layers, const std::string& options, const std::string& name,
                       const std::vector<std::string>& clauses, const std::vector<std::string>& description) {
             ovl::Case c = case_from_args(layers, options, name);
             c.clauses = clauses;
             c.description = description;
             return std::make_shared<ovl::Case>(std::move(c));
           }),
           py::arg("layers"), py::arg("options"), py::kw_only(), py::arg("name") = "python",
           py::arg("clauses") = std::vector<std::string>{}, py::arg("description") = std::vector<std::string>{},
           "Case(layers, options, *, name=\"python\", clauses=[], description=[]): layers is a dict layer\n"
           "name -> Layer or layer dict (see Layer.from_dict); options names the layers, e.g.\n"
           "\"lowerdir=A:B\".")
      .def_static("from_disk", [](const std::string& options, const std::string& name) {
        ovl::DiskLayers disk;
        {
          py::gil_scoped_release nogil;
          // Reads every layer the options name, exactly as `ovlspec model` does.
          ovl::predict_options(options, disk.source(), ovl::disk_path_probe(), ovl::Semantics{}, ovl::module_params());
        }
        auto c = std::make_shared<ovl::Case>();
        c->name = name;
        c->options = options;
        for (const auto& [path, layer] : disk.read()) c->layers.emplace_back(path, layer);
        return c;
      }, py::arg("options"), py::arg("name") = "disk",
         "A case from the layer directories an option string names (relative to the current\n"
         "directory), read with the runners' layer reader; layers are named by path as written.")
      .def_readwrite("name", &ovl::Case::name, "The case name, e.g. \"data-only/capture\".")
      .def_readwrite("clauses", &ovl::Case::clauses, "Clause ids it exercises.")
      .def_readwrite("options", &ovl::Case::options, "The legacy mount(2) option string.")
      .def_readwrite("semantics", &ovl::Case::semantics, "Proposals the case is written for.")
      .def_readwrite("description", &ovl::Case::description, "Leading comment lines of the file.")
      .def_readonly("source_file", &ovl::Case::source_file, "Where it was read from, if anywhere.")
      .def_property_readonly("min_kernel", [](const ovl::Case& c) -> py::object {
        return c.min_kernel ? py::object(py::str(c.min_kernel->str())) : py::object(py::none());
      }, "The least kernel the case needs (\"6.7\"), or None.")
      .def_property_readonly("fsconfig", [](const ovl::Case& c) -> py::object {
        if (!c.fsconfig) return py::none();
        py::list out;
        for (const auto& call : *c.fsconfig) {
          if (call.kind == ovl::FsconfigCall::Kind::Flag) out.append(py::make_tuple("flag", call.key));
          else out.append(py::make_tuple(call.kind == ovl::FsconfigCall::Kind::Fd ? "fd" : "string", call.key, call.value));
        }
        return out;
      }, "The fsconfig sequence the case mounts with (parse_fsconfig's format), or None.")
      .def_property_readonly("layers", [](const ovl::Case& c) {
        py::dict out;
        for (const auto& [n, l] : c.layers) out[py::str(n)] = l;
        return out;
      }, "The layers by name, in file order (dict name -> Layer).")
      .def_property_readonly("expectation_count", [](const ovl::Case& c) { return c.expects.size(); },
                             "Number of `expect` lines.")
      .def("check_expectations", [](const ovl::Case& c, const ovl::Observation& o) {
        return ovl::check_expectations(c, o);
      }, py::arg("observation"), "The unmet `expect` lines against an Observation, one message each.")
      .def("__eq__", [](const ovl::Case& a, const ovl::Case& b) { return ovl::same_case(a, b); })
      .def("__repr__", [](const ovl::Case& c) { return "<ovlspec.Case " + c.name + ": " + c.options + ">"; });

  m.def("load_case", [](const py::object& source, std::optional<std::string> filename) {
    bool is_path = py::isinstance(source, py::module_::import("os").attr("PathLike"));
    if (!is_path && !py::isinstance<py::str>(source)) throw py::type_error("load_case: expected str (text or path) or a path");
    std::string s = py::str(is_path ? py::module_::import("os").attr("fspath")(source) : source);
    // One line naming an existing file, or ending in .ovl, is a path; anything else is case text.
    if (!is_path && s.find('\n') == std::string::npos &&
        (std::filesystem::exists(s) || (s.size() > 4 && s.ends_with(".ovl"))))
      is_path = true;
    py::gil_scoped_release nogil;
    if (is_path) return std::make_shared<ovl::Case>(ovl::parse_case_file(s));
    return std::make_shared<ovl::Case>(ovl::parse_case(s, filename ? *filename : "<string>"));
  }, py::arg("source"), py::arg("filename") = py::none(),
     "Loads a .ovl case from a path (os.PathLike, or a one-line str naming an existing file or\n"
     "ending in .ovl) or from its\n"
     "text. Raises CaseSyntaxError (file, line, col, expected, got) when it is malformed.");

  m.def("dump_case", [](const ovl::Case& c) {
    try {
      return ovl::print_case(c);
    } catch (const std::invalid_argument& e) {
      throw py::value_error(std::string("dump_case: ") + e.what());
    }
  }, py::arg("case"), "The canonical .ovl text of a case (load_case(dump_case(c)) == c).");

  py::class_<PyModel>(m, "Model", "A stack mounted with its options under a Semantics: the predicted Observation.")
      .def(py::init([](const py::object& case_or_layers, const py::object& options, const py::object& semantics,
                       const py::object& kernel, const py::object& module, bool probe_hidden) {
             ovl::Case c;
             if (py::isinstance<ovl::Case>(case_or_layers)) {
               if (!options.is_none()) throw py::value_error("options: give them in the Case, not beside it");
               c = case_or_layers.cast<const ovl::Case&>();
             } else {
               if (options.is_none() || !py::isinstance<py::str>(options))
                 throw py::type_error("options: a str such as \"lowerdir=A:B\" is needed with a layers dict");
               c = case_from_args(case_or_layers, options.cast<std::string>(), "python");
             }
             ovl::Semantics sem = to_semantics(semantics, kernel);
             ovl::ModuleParams mp = to_module_params(module);
             py::gil_scoped_release nogil;
             return PyModel::from_case(c, sem, mp, probe_hidden);
           }),
           py::arg("stack"), py::arg("options") = py::none(), py::kw_only(), py::arg("semantics") = py::none(),
           py::arg("kernel") = py::none(), py::arg("module") = py::none(), py::arg("probe_hidden") = true,
           "Model(case) or Model(layers_dict, options): predicts the mount. semantics: None, a\n"
           "Semantics or \"kernel,data-only-middle\"...; kernel: \"6.18\" (default); module: module\n"
           "parameters (None: this machine's). A refused mount is not an error here: see .mount.")
      .def_static("from_disk", [](const std::string& options, const py::object& semantics, const py::object& kernel,
                                  const py::object& module, bool probe_hidden) {
        ovl::Semantics sem = to_semantics(semantics, kernel);
        ovl::ModuleParams mp = to_module_params(module);
        py::gil_scoped_release nogil;
        ovl::DiskLayers disk;
        ovl::ObserveOptions o;
        o.probe_hidden = probe_hidden;
        PyModel pm;
        pm.semantics = sem;
        pm.prediction = std::make_shared<ovl::Prediction>(
            ovl::predict_options(options, disk.source(), ovl::disk_path_probe(), sem, mp, o));
        pm.case_ = std::make_shared<ovl::Case>();
        pm.case_->name = "disk";
        pm.case_->options = options;
        for (const auto& [path, layer] : disk.read()) pm.case_->layers.emplace_back(path, layer);
        return pm;
      }, py::arg("options"), py::kw_only(), py::arg("semantics") = py::none(), py::arg("kernel") = py::none(),
         py::arg("module") = py::none(), py::arg("probe_hidden") = true,
         "Predicts the mount of the layer directories an option string names (relative to the\n"
         "current directory), as `ovlspec model -o OPTIONS` does. Raises LayerReadError.")
      .def_property_readonly("observation", [](const PyModel& p) { return p.prediction->observation; },
                             "The full predicted Observation (entries carry source and unspecified).")
      .def_property_readonly("mount", [](const PyModel& p) { return p.prediction->observation.mount; },
                             "The predicted MountStatus.")
      .def_property_readonly("config", [](const PyModel& p) -> py::object {
        if (!p.prediction->model) return py::none();
        return py::cast(p.prediction->model->config());
      }, "The MountConfig when the mount is accepted, else None.")
      .def_readonly("semantics", &PyModel::semantics, "The Semantics it runs.")
      .def_property_readonly("case", [](const PyModel& p) { return p.case_; }, "The stack as a Case.")
      .def("to_json", [](const PyModel& p, std::optional<int> indent) {
        return ovl::to_json(p.prediction->observation).dump(indent ? *indent : -1);
      }, py::arg("indent") = py::none(), "The Observation as ovlspec.observation/1 JSON text.")
      .def("clauses", [](const PyModel& p, const std::string& path) {
        for (const auto& [q, cs] : p.prediction->clauses)
          if (q == path) return cs;
        throw py::key_error(path);
      }, py::arg("path"), "The clauses behind one entry of the Observation (KeyError if no entry).")
      .def("explain", [](const PyModel& p, const std::string& path) {
        if (!p.prediction->model) {
          const auto& ms = p.prediction->observation.mount;
          ovl::MountError e{ovl::errno_from_name(ms.err).value_or(0), ms.clause, ms.message};
          raise_mount_error(e);
        }
        const ovl::Model& model = *p.prediction->model;
        if (path.empty() || path[0] != '/') throw py::value_error("path: expected an absolute path, got \"" + path + "\"");
        ovl::Resolution r;
        {
          py::gil_scoped_release nogil;
          try {
            r = model.resolve(path);
          } catch (const std::invalid_argument& e) {
            throw py::value_error("path: " + std::string(e.what()));
          }
        }
        PyResolution out;
        out.path = path;
        if (r.err) out.err = ovl::errno_name(r.err);
        else out.type = std::string(ovl::type_name(r.type));
        if (!r.err && r.type == ovl::NodeType::Reg) {
          if (r.open_err) out.open_err = ovl::errno_name(r.open_err);
          out.size = r.size;
        }
        for (const auto& s : r.trace) out.trace.emplace_back(s.clause, s.text);
        out.clauses = r.clauses();
        if (!r.err && r.meta_at.layer >= 0) out.meta_at = where(model, r.meta_at);
        if (r.data_at) out.data_at = where(model, *r.data_at);
        for (const auto& lp : r.merged) out.merged.push_back(where(model, lp));
        out.merge_dir = r.merge_dir;
        out.metacopy = r.metacopy;
        out.data_deferred = r.data_deferred;
        return out;
      }, py::arg("path"),
         "Resolves one absolute path as lookup does and returns the Resolution with its clause\n"
         "trace (str() prints it). Raises MountError when the mount is refused.")
      .def("__repr__", [](const PyModel& p) {
        return "<ovlspec.Model " + p.semantics.name() + ": " + p.case_->options + ">";
      });
}

}  // namespace ovlpy
