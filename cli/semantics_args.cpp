#include "semantics_args.hpp"

#include <sys/utsname.h>

#include "cli_errors.hpp"

namespace ovl::cli {

void SemanticsArgs::add_to(CLI::App& sub) {
  sub.add_option("--kernel", kernel, "run the model at this kernel feature level (X.Y); default: the running kernel");
  sub.add_option("--semantics", semantics,
                 "kernel, or proposals to switch on: data-only-middle, dslash-redirect (comma-separated)");
}

Semantics SemanticsArgs::resolve(KernelVersion detected) const {
  KernelVersion level = detected;
  if (!kernel.empty()) {
    auto v = KernelVersion::parse(kernel);
    if (!v) throw BadInput("--kernel '" + kernel + "': expected a version such as 6.18");
    level = *v;
  }
  auto sem = Semantics::parse(semantics, level);
  if (!sem)
    throw BadInput("--semantics '" + semantics + "': expected kernel, data-only-middle or dslash-redirect");
  return *sem;
}

KernelVersion running_kernel_level() {
  const KernelVersion newest = Semantics{}.kernel;
  utsname u {};
  if (uname(&u) != 0) return newest;
  auto v = KernelVersion::parse(u.release);
  if (!v || *v > newest) return newest;
  return *v;
}

}  // namespace ovl::cli
