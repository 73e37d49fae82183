// Option parsing from Python: the option enums built from the one option table, Semantics,
// MountConfig, parse_options and parse_fsconfig.
#include <cctype>

#include "common.hpp"
#include "ovl/disk_layers.hpp"
#include "ovl/features.hpp"
#include "ovl/option_table.hpp"

namespace ovlpy {
namespace {

/// "redirect_dir" -> "RedirectDir": the Python enum class of an Enum option.
std::string enum_class_name(std::string_view key) {
  std::string out;
  bool up = true;
  for (char c : key) {
    if (c == '_' || c == '+') {
      up = true;
      continue;
    }
    out += up ? char(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

std::string upper(std::string_view s) {
  std::string out;
  for (char c : s) out += char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view kind_name(ovl::OptionKind k) {
  switch (k) {
    case ovl::OptionKind::Flag: return "flag";
    case ovl::OptionKind::FlagNo: return "flag_no";
    case ovl::OptionKind::Enum: return "enum";
    case ovl::OptionKind::StringEmpty: return "string_empty";
    case ovl::OptionKind::FileOrString: return "file_or_string";
  }
  return "?";
}

py::module_* g_module = nullptr;

/// The module's enum member for an option key's value ("redirect_dir", "follow").
py::object option_enum(std::string_view key, std::string_view value) {
  return g_module->attr(enum_class_name(key).c_str())(std::string(value));
}

std::string_view redirect_value(ovl::RedirectMode r) {
  switch (r) {
    case ovl::RedirectMode::On: return "on";
    case ovl::RedirectMode::Follow: return "follow";
    case ovl::RedirectMode::NoFollow: return "nofollow";
  }
  return "?";
}
std::string_view verity_value(ovl::Verity v) {
  return v == ovl::Verity::Off ? "off" : v == ovl::Verity::On ? "on" : "require";
}
std::string_view xino_value(ovl::Xino v) { return v == ovl::Xino::Off ? "off" : v == ovl::Xino::On ? "on" : "auto"; }
std::string_view uuid_value(ovl::Uuid v) {
  switch (v) {
    case ovl::Uuid::Off: return "off";
    case ovl::Uuid::On: return "on";
    case ovl::Uuid::Null: return "null";
    case ovl::Uuid::Auto: return "auto";
  }
  return "?";
}
std::string_view fsync_value(ovl::Fsync v) {
  return v == ovl::Fsync::Volatile ? "volatile" : v == ovl::Fsync::Auto ? "auto" : "strict";
}

ovl::FsconfigCall call_from_py(const py::handle& item, std::size_t i) {
  std::string where = "fsconfig call " + std::to_string(i);
  if (!py::isinstance<py::tuple>(item) && !py::isinstance<py::list>(item))
    throw py::type_error(where + ": expected a tuple (kind, key[, value]), got " +
                         std::string(py::str(item.get_type().attr("__name__"))));
  auto seq = py::reinterpret_borrow<py::sequence>(item);
  if (seq.size() < 2 || seq.size() > 3)
    throw py::value_error(where + ": expected (kind, key) or (kind, key, value), got " + std::to_string(seq.size()) +
                          " items");
  ovl::FsconfigCall c;
  std::string kind = seq[0].cast<std::string>();
  c.key = seq[1].cast<std::string>();
  if (kind == "flag") {
    c.kind = ovl::FsconfigCall::Kind::Flag;
    if (seq.size() == 3) throw py::value_error(where + ": a \"flag\" call takes no value");
  } else if (kind == "string" || kind == "fd") {
    c.kind = kind == "fd" ? ovl::FsconfigCall::Kind::Fd : ovl::FsconfigCall::Kind::String;
    if (seq.size() != 3) throw py::value_error(where + ": a \"" + kind + "\" call needs a value");
    c.value = seq[2].cast<std::string>();
  } else {
    throw py::value_error(where + ": expected kind \"flag\", \"string\" or \"fd\", got \"" + kind + "\"");
  }
  return c;
}

ovl::ParseContext make_context(const py::object& semantics, const py::object& kernel, const py::object& module,
                               bool privileged, bool on_disk) {
  ovl::ParseContext ctx;
  ctx.semantics = to_semantics(semantics, kernel);
  ctx.module = to_module_params(module);
  ctx.privileged = privileged;
  if (on_disk) ctx.probe = ovl::disk_path_probe();
  return ctx;
}

}  // namespace

ovl::Semantics to_semantics(const py::object& semantics, const py::object& kernel) {
  ovl::KernelVersion level{6, 18};
  if (!kernel.is_none()) {
    if (!py::isinstance<py::str>(kernel))
      throw py::type_error("kernel: expected a version string such as \"6.18\"");
    auto v = ovl::KernelVersion::parse(kernel.cast<std::string>());
    if (!v) throw py::value_error("kernel: expected a version such as \"6.18\", got \"" + kernel.cast<std::string>() + "\"");
    level = *v;
  }
  if (semantics.is_none()) {
    ovl::Semantics s;
    s.kernel = level;
    return s;
  }
  if (py::isinstance<ovl::Semantics>(semantics)) {
    ovl::Semantics s = semantics.cast<ovl::Semantics>();
    if (!kernel.is_none()) s.kernel = level;
    return s;
  }
  if (!py::isinstance<py::str>(semantics))
    throw py::type_error("semantics: expected None, a Semantics or a string such as \"kernel,data-only-middle\"");
  std::string text = semantics.cast<std::string>();
  auto s = ovl::Semantics::parse(text, level);
  if (!s)
    throw py::value_error("semantics: expected \"kernel\", \"data-only-middle\", \"dslash-redirect\" or a comma-separated "
                          "combination, got \"" + text + "\"");
  return *s;
}

ovl::ModuleParams to_module_params(const py::object& module) {
  if (module.is_none()) return ovl::module_params();
  if (!py::isinstance<py::dict>(module)) throw py::type_error("module: expected None or a dict of module parameters");
  ovl::ModuleParams p;
  for (auto [k, v] : module.cast<py::dict>()) {
    std::string key = py::str(k);
    auto flag = [&](bool& field) {
      if (!py::isinstance<py::bool_>(v)) throw py::type_error("module[\"" + key + "\"]: expected a bool");
      field = v.cast<bool>();
    };
    if (key == "redirect_dir") flag(p.redirect_dir);
    else if (key == "redirect_always_follow") flag(p.redirect_always_follow);
    else if (key == "metacopy") flag(p.metacopy);
    else if (key == "index") flag(p.index);
    else if (key == "nfs_export") flag(p.nfs_export);
    else if (key == "xino_auto") flag(p.xino_auto);
    else if (key == "redirect_max") {
      if (!py::isinstance<py::int_>(v) || py::isinstance<py::bool_>(v))
        throw py::type_error("module[\"redirect_max\"]: expected an int");
      p.redirect_max = v.cast<int>();
    } else {
      throw py::value_error("module: unknown parameter \"" + key +
                            "\" (expected redirect_dir, redirect_always_follow, metacopy, index, nfs_export, "
                            "xino_auto, redirect_max)");
    }
  }
  return p;
}

void bind_options(py::module_& m) {
  g_module = new py::module_(m);  // leaked on purpose: never destroyed after interpreter shutdown
  py::object enum_cls = py::module_::import("enum").attr("Enum");
  // One Python enum per Enum option of the option table; members are the allowed values.
  for (const auto& spec : ovl::kOptionTable) {
    if (spec.kind != ovl::OptionKind::Enum) continue;
    std::string name = enum_class_name(spec.key);
    if (py::hasattr(m, name.c_str())) continue;
    py::list members;
    for (auto v : ovl::option_values(spec)) members.append(py::make_tuple(upper(v), std::string(v)));
    py::object cls = enum_cls(name, members, py::arg("module") = "ovlspec");
    cls.attr("__doc__") = "Values of the mount option " + std::string(spec.key) + "= (from the option table; clause " +
                          std::string(spec.clause) + ").";
    m.attr(name.c_str()) = cls;
  }

  m.def(
      "option_table",
      [] {
        py::list out;
        for (const auto& s : ovl::kOptionTable) {
          py::dict d;
          d["key"] = std::string(s.key);
          d["kind"] = std::string(kind_name(s.kind));
          py::list values;
          for (auto v : ovl::option_values(s)) values.append(std::string(v));
          d["values"] = values;
          d["default"] = std::string(s.default_value);
          d["field"] = std::string(s.field);
          d["since"] = s.since.str();
          d["mountinfo"] = std::string(s.mountinfo);
          d["clause"] = std::string(s.clause);
          if (s.kind == ovl::OptionKind::Enum) d["enum"] = g_module->attr(enum_class_name(s.key).c_str());
          out.append(d);
        }
        return out;
      },
      "Every overlayfs mount option, in the kernel's order, as dicts: key, kind, values, default,\n"
      "field, since, mountinfo, clause (and enum: the Python enum class of an Enum option).");

  py::class_<ovl::Semantics>(m, "Semantics",
                             "The rule set the model runs: a kernel feature level, optionally with proposals.")
      .def(py::init([](const std::string& kernel, bool data_only_middle, bool dslash_redirect) {
             auto v = ovl::KernelVersion::parse(kernel);
             if (!v) throw py::value_error("kernel: expected a version such as \"6.18\", got \"" + kernel + "\"");
             ovl::Semantics s;
             s.kernel = *v;
             s.data_only_middle = data_only_middle;
             s.dslash_redirect = dslash_redirect;
             return s;
           }),
           py::arg("kernel") = "6.18", py::arg("data_only_middle") = false, py::arg("dslash_redirect") = false,
           "Semantics(kernel=\"6.18\", data_only_middle=False, dslash_redirect=False)")
      .def_static(
          "parse", [](const std::string& text, const py::object& kernel) { return to_semantics(py::str(text), kernel); },
          py::arg("text"), py::arg("kernel") = py::none(),
          "Parses \"kernel\", \"data-only-middle\", \"dslash-redirect\" or a comma-separated combination.")
      .def_property_readonly("kernel", [](const ovl::Semantics& s) { return s.kernel.str(); },
                             "The kernel feature level, \"6.18\".")
      .def_readwrite("data_only_middle", &ovl::Semantics::data_only_middle,
                     "The data-only-middle proposal (spec/proposals/data-only-middle.md).")
      .def_readwrite("dslash_redirect", &ovl::Semantics::dslash_redirect,
                     "The dslash-redirect proposal (spec/proposals/dslash-redirect.md).")
      .def_property_readonly("name", &ovl::Semantics::name, "\"kernel-6.18\", \"kernel-6.18+data-only-middle\", ...")
      .def_property_readonly("has_data_only_layers", &ovl::Semantics::has_data_only_layers, "Data-only layers (6.5).")
      .def_property_readonly("has_escaped_xattrs", &ovl::Semantics::has_escaped_xattrs, "Escaped overlay xattrs (6.7).")
      .def_property_readonly("has_xattr_whiteouts", &ovl::Semantics::has_xattr_whiteouts, "Xattr whiteouts (6.7).")
      .def_property_readonly("has_lowerdir_plus", &ovl::Semantics::has_lowerdir_plus, "lowerdir+/datadir+ (6.7).")
      .def_property_readonly("has_fd_layers", &ovl::Semantics::has_fd_layers, "FSCONFIG_SET_FD layers (6.13).")
      .def_property_readonly("has_unified_follow_check", &ovl::Semantics::has_unified_follow_check,
                             "The unified redirect follow check (6.16).")
      .def_property_readonly("has_data_redirect_without_metacopy",
                             &ovl::Semantics::has_data_redirect_without_metacopy,
                             "Data redirects without metacopy (6.16).")
      .def("__eq__", [](const ovl::Semantics& a, const ovl::Semantics& b) {
        return a.kernel == b.kernel && a.data_only_middle == b.data_only_middle && a.dslash_redirect == b.dslash_redirect;
      })
      .def("__repr__", [](const ovl::Semantics& s) { return "<ovlspec.Semantics " + s.name() + ">"; });

  py::class_<ovl::MountConfig>(m, "MountConfig", "A mount the kernel would accept: its layers and effective options.")
      .def_property_readonly(
          "lowers",
          [](const ovl::MountConfig& c) {
            py::list out;
            for (const auto& l : c.lowers) out.append(py::make_tuple(l.path, std::string(ovl::role_name(l.role))));
            return out;
          },
          "Lower layers as (path, role) tuples: regular lowers top to bottom, then data-only (role \"data-only\").")
      .def_readonly("upperdir", &ovl::MountConfig::upperdir, "The upper directory, or None.")
      .def_readonly("workdir", &ovl::MountConfig::workdir, "The work directory, or None.")
      .def_property_readonly("redirect_dir", [](const ovl::MountConfig& c) { return option_enum("redirect_dir", redirect_value(c.redirect)); },
                             "The resolved redirect_dir mode (RedirectDir; \"off\" resolves to follow or nofollow).")
      .def_readonly("metacopy", &ovl::MountConfig::metacopy, "metacopy=on")
      .def_readonly("userxattr", &ovl::MountConfig::userxattr, "userxattr")
      .def_property_readonly("verity", [](const ovl::MountConfig& c) { return option_enum("verity", verity_value(c.verity)); },
                             "verity= (Verity)")
      .def_readonly("index", &ovl::MountConfig::index, "index=on")
      .def_readonly("nfs_export", &ovl::MountConfig::nfs_export, "nfs_export=on")
      .def_property_readonly("xino", [](const ovl::MountConfig& c) { return option_enum("xino", xino_value(c.xino)); },
                             "xino= (Xino)")
      .def_property_readonly("uuid", [](const ovl::MountConfig& c) { return option_enum("uuid", uuid_value(c.uuid)); },
                             "uuid= (Uuid)")
      .def_property_readonly("fsync", [](const ovl::MountConfig& c) { return option_enum("fsync", fsync_value(c.fsync)); },
                             "fsync= (Fsync; volatile is fsync=volatile)")
      .def_readonly("default_permissions", &ovl::MountConfig::default_permissions, "default_permissions")
      .def_readonly("read_only", &ovl::MountConfig::read_only, "No upper layer: the mount is read-only (R4).")
      .def_readonly("mountinfo", &ovl::MountConfig::mountinfo, "The options /proc/self/mountinfo shows (R63), escaped.")
      .def_property_readonly("xattr_prefix", &ovl::MountConfig::xattr_prefix,
                             "\"trusted.overlay.\" or \"user.overlay.\" (userxattr).")
      .def("__repr__", [](const ovl::MountConfig& c) { return "<ovlspec.MountConfig " + c.mountinfo + ">"; });

  m.def(
      "parse_options",
      [](const std::string& options, const py::object& semantics, const py::object& kernel, const py::object& module,
         bool privileged, bool on_disk) {
        ovl::ParseContext ctx = make_context(semantics, kernel, module, privileged, on_disk);
        ovl::MountResult r;
        {
          py::gil_scoped_release nogil;
          r = ovl::parse_mount_options(options, ctx);
        }
        if (auto* e = std::get_if<ovl::MountError>(&r)) raise_mount_error(*e);
        return std::get<ovl::MountConfig>(r);
      },
      py::arg("options"), py::kw_only(), py::arg("semantics") = py::none(), py::arg("kernel") = py::none(),
      py::arg("module") = py::none(), py::arg("privileged") = true, py::arg("on_disk") = false,
      "Parses a legacy mount(2) option string as the kernel does and returns the MountConfig, or\n"
      "raises MountError (errno, errno_name, clause, message).\n\n"
      "semantics/kernel: the rule set (default: kernel 6.18); module: module parameters (None: this\n"
      "machine's /sys/module/overlay/parameters); privileged: CAP_SYS_ADMIN in the initial user\n"
      "namespace; on_disk: check layer paths on the real filesystem (otherwise every path is an\n"
      "existing directory of its own).");

  m.def(
      "parse_fsconfig",
      [](const py::list& calls, const py::object& semantics, const py::object& kernel, const py::object& module,
         bool privileged, bool on_disk) {
        std::vector<ovl::FsconfigCall> cs;
        for (std::size_t i = 0; i < calls.size(); ++i) cs.push_back(call_from_py(calls[i], i));
        ovl::ParseContext ctx = make_context(semantics, kernel, module, privileged, on_disk);
        ovl::FsconfigOutcome r;
        {
          py::gil_scoped_release nogil;
          r = ovl::run_fsconfig(cs, ctx);
        }
        if (auto* e = std::get_if<ovl::MountError>(&r.result)) raise_mount_error(*e, r.failed_call);
        return std::get<ovl::MountConfig>(r.result);
      },
      py::arg("calls"), py::kw_only(), py::arg("semantics") = py::none(), py::arg("kernel") = py::none(),
      py::arg("module") = py::none(), py::arg("privileged") = true, py::arg("on_disk") = false,
      "Runs an fsconfig(2) sequence then FSCONFIG_CMD_CREATE as the kernel does. calls is a list of\n"
      "(\"flag\", key), (\"string\", key, value) or (\"fd\", key, path) tuples. Returns the MountConfig\n"
      "or raises MountError whose call_index names the failing call (len(calls) = CMD_CREATE).");

  m.def(
      "to_fsconfig",
      [](const std::string& options, const py::object& semantics, const py::object& kernel, const py::object& module) {
        ovl::ParseContext ctx = make_context(semantics, kernel, module, true, false);
        ovl::MountResult r = ovl::parse_mount_options(options, ctx);
        if (auto* e = std::get_if<ovl::MountError>(&r)) raise_mount_error(*e);
        py::list out;
        for (const auto& c : ovl::to_fsconfig(std::get<ovl::MountConfig>(r), options)) {
          if (c.kind == ovl::FsconfigCall::Kind::Flag) out.append(py::make_tuple("flag", c.key));
          else out.append(py::make_tuple(c.kind == ovl::FsconfigCall::Kind::Fd ? "fd" : "string", c.key, c.value));
        }
        return out;
      },
      py::arg("options"), py::kw_only(), py::arg("semantics") = py::none(), py::arg("kernel") = py::none(),
      py::arg("module") = py::none(),
      "The fsconfig sequence equivalent to an accepted legacy option string, as parse_fsconfig\n"
      "takes it; raises MountError when the string is refused.");
}

}  // namespace ovlpy
