// PYBIND11_MODULE(ovlspec): the executable overlayfs specification from Python.
#include "common.hpp"

PYBIND11_MODULE(ovlspec, m) {
  m.doc() =
      "ovlspec: the executable specification of Linux overlayfs lookup semantics.\n\n"
      "Parse mount options, build layer stacks from Python data or directories on disk, predict\n"
      "what the mount shows (the ovlspec.observation/1 Observation), explain one path's\n"
      "resolution clause by clause, read and write .ovl cases, and, as root, observe real mounts\n"
      "and check the running kernel against the model.";
  ovlpy::bind_errors(m);
  ovlpy::bind_options(m);
  ovlpy::bind_layers(m);
  ovlpy::bind_model(m);
  ovlpy::bind_kernel(m);
}
