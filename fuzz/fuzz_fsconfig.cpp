// libFuzzer target: fsconfig(2) call sequences through the model's new-API parser.
// Encoding: a context byte, a module-parameter byte, then one call per '\n'-separated line:
//   'f' KEY          FSCONFIG_SET_FLAG
//   's' KEY=VALUE    FSCONFIG_SET_STRING (split at the first '=')
//   'd' KEY=PATH     FSCONFIG_SET_FD on a descriptor opened on PATH
// any other first byte picks the kind by its value modulo 3. At most 64 calls are made.
// A descriptor on a path that cannot be opened is the caller's error (std::invalid_argument).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_context.hpp"
#include "ovl/options.hpp"

namespace {

using namespace ovl;

std::vector<FsconfigCall> decode_calls(std::string_view text) {
  std::vector<FsconfigCall> calls;
  while (!text.empty() && calls.size() < 64) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    FsconfigCall c;
    const char k = line.front();
    line.remove_prefix(1);
    const int kind = k == 'f' ? 0 : k == 's' ? 1 : k == 'd' ? 2 : static_cast<unsigned char>(k) % 3;
    if (kind == 0) {
      c.kind = FsconfigCall::Kind::Flag;
      c.key = std::string(line);
    } else {
      c.kind = kind == 1 ? FsconfigCall::Kind::String : FsconfigCall::Kind::Fd;
      const std::size_t eq = line.find('=');
      c.key = std::string(line.substr(0, eq));
      if (eq != std::string_view::npos) c.value = std::string(line.substr(eq + 1));
    }
    calls.push_back(std::move(c));
  }
  return calls;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  fuzz::FuzzInput in(bytes, size);
  const std::uint8_t cb = in.byte();
  const std::uint8_t mb = in.byte();
  const ParseContext ctx = fuzz::context_from(cb, mb);
  const std::string text(in.rest());
  const std::vector<FsconfigCall> calls = decode_calls(text);

  FsconfigOutcome out;
  try {
    out = run_fsconfig(calls, ctx);
  } catch (const std::invalid_argument& e) {
    // A descriptor that cannot be opened: the caller's error, named as such (options.hpp).
    fuzz::check(std::string_view(e.what()).starts_with("fsconfig "), "a refused call names fsconfig", e.what());
    return 0;
  }
  fuzz::check_outcome(out.result, text);
  fuzz::check(std::holds_alternative<MountConfig>(out.result) == !out.failed_call.has_value(),
              "failed_call is set exactly when the mount is refused", text);
  if (out.failed_call) fuzz::check(*out.failed_call <= calls.size(), "failed_call indexes a call or CMD_CREATE", text);
  // The same calls give the same answer through parse_fsconfig.
  const MountResult again = parse_fsconfig(calls, ctx);
  fuzz::check(again.index() == out.result.index(), "parse_fsconfig agrees with run_fsconfig", text);
  // A prefix that failed at call i fails at call i however the sequence continues.
  if (out.failed_call && *out.failed_call < calls.size()) {
    std::vector<FsconfigCall> prefix(calls.begin(), calls.begin() + static_cast<std::ptrdiff_t>(*out.failed_call) + 1);
    const FsconfigOutcome p = run_fsconfig(prefix, ctx);
    fuzz::check(p.failed_call == out.failed_call, "a call that fails, fails whatever follows it", text);
  }
  return 0;
}
