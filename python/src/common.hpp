// Shared helpers of the Python bindings: argument conversion and the Python exception classes.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "ovl/case.hpp"
#include "ovl/config.hpp"
#include "ovl/options.hpp"
#include "ovl/semantics.hpp"

namespace ovlpy {
namespace py = pybind11;

/// Defines MountError, CaseSyntaxError, LayerReadError and SandboxError in the module and
/// registers the C++ -> Python exception translation.
void bind_errors(py::module_& m);
void bind_options(py::module_& m);
void bind_layers(py::module_& m);
void bind_model(py::module_& m);
void bind_kernel(py::module_& m);

/// Raises ovlspec.MountError for a refused mount (call_index: the failing fsconfig call).
[[noreturn]] void raise_mount_error(const ovl::MountError& e, std::optional<std::size_t> call_index = std::nullopt);

/// A `semantics` argument (None, "kernel,data-only-middle", or a Semantics) plus a `kernel`
/// argument (None or "6.18") as a Semantics; ValueError naming the argument when malformed.
ovl::Semantics to_semantics(const py::object& semantics, const py::object& kernel);
/// A `module` argument (None: this machine's /sys/module/overlay/parameters, or a dict of
/// ModuleParams field names) as ModuleParams; ValueError/TypeError naming the bad key.
ovl::ModuleParams to_module_params(const py::object& module);
/// A Python layer description (dict path -> node dict, bytes or str) as a Layer.
std::shared_ptr<ovl::Layer> layer_from_py(const py::handle& obj, const std::string& where);
/// A Case's layers argument: dict name -> (Layer | layer dict).
std::vector<std::pair<std::string, std::shared_ptr<ovl::Layer>>> layers_from_py(const py::handle& obj);

}  // namespace ovlpy
