// The Python exception classes and the translation of the C++ exceptions into them.
#include <stdexcept>

#include <pybind11/eval.h>

#include "common.hpp"
#include "ovl/case_format.hpp"
#include "ovl/errnos.hpp"
#include "ovl/layer_reader.hpp"
#include "ovl/sandbox.hpp"

namespace ovlpy {
namespace {

const char* kErrorClasses = R"PY(
class MountError(OSError):
    """A mount the kernel would refuse (or refused).

    Attributes: errno (int), errno_name ("EINVAL"), clause (the spec clause, e.g. "R53"),
    message (the kernel's message), call_index (fsconfig: index of the failing call, or the
    number of calls when FSCONFIG_CMD_CREATE failed; None for legacy option strings).
    """

    def __init__(self, errno, errno_name, clause, message, call_index=None):
        super().__init__(errno, message)
        self.errno_name = errno_name
        self.clause = clause
        self.message = message
        self.call_index = call_index

    def __str__(self):
        where = "" if self.call_index is None else f" (fsconfig call {self.call_index})"
        return f"{self.errno_name} [{self.clause}]{where}: {self.message}"


class CaseSyntaxError(ValueError):
    """A malformed .ovl case: file, line, col, expected, got."""

    def __init__(self, message, file, line, col, expected, got):
        super().__init__(message)
        self.file = file
        self.line = line
        self.col = col
        self.expected = expected
        self.got = got


class LayerReadError(OSError):
    """A layer directory on disk that the layer reader cannot represent (the message names the path)."""


class SandboxError(RuntimeError):
    """The private mount namespace for kernel work could not be made (not root, ...)."""
)PY";

// Leaked on purpose: destroying Python objects after interpreter shutdown would crash.
py::object& g_mount_error = *new py::object();
py::object& g_case_error = *new py::object();
py::object& g_layer_error = *new py::object();
py::object& g_sandbox_error = *new py::object();

}  // namespace

void raise_mount_error(const ovl::MountError& e, std::optional<std::size_t> call_index) {
  py::object idx = call_index ? py::object(py::int_(*call_index)) : py::object(py::none());
  py::object exc = g_mount_error(e.err, ovl::errno_name(e.err), e.clause, e.message, idx);
  PyErr_SetObject(g_mount_error.ptr(), exc.ptr());
  throw py::error_already_set();
}

void bind_errors(py::module_& m) {
  py::dict ns;
  ns["__name__"] = "ovlspec";
  py::exec(kErrorClasses, ns);
  for (const char* name : {"MountError", "CaseSyntaxError", "LayerReadError", "SandboxError"}) {
    ns[name].attr("__module__") = "ovlspec";
    m.attr(name) = ns[name];
  }
  g_mount_error = ns["MountError"];
  g_case_error = ns["CaseSyntaxError"];
  g_layer_error = ns["LayerReadError"];
  g_sandbox_error = ns["SandboxError"];
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ovl::CaseParseError& e) {
      py::object exc = g_case_error(e.what(), e.file(), e.line(), e.column(), e.expected(), e.got());
      PyErr_SetObject(g_case_error.ptr(), exc.ptr());
    } catch (const ovl::LayerReadError& e) {
      PyErr_SetString(g_layer_error.ptr(), e.what());
    } catch (const ovl::SandboxError& e) {
      PyErr_SetString(g_sandbox_error.ptr(), e.what());
    }
  });
}

}  // namespace ovlpy
