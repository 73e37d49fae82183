// The lowerdir option language (R51, R52) as a bounded SMT encoding, with a C++ reference of the
// same serializers and of the kernel's splitting, for theorems T1–T3.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <z3++.h>

#include "ovl/smt_solver.hpp"

namespace ovl::smt {

/// A way of writing a list of (name, role) layers as one lowerdir string.
enum class LowerdirSyntax : std::uint8_t {
  Kernel,             // `:` before a regular layer, `::` before a data-only one; data-only only at the tail
  Tail2023Middles,    // 2023 tail syntax (`l1::d1:d2`: `:` after a data layer is data too) + data-only middles
  KernelMiddles,      // the kernel's separators, with data-only middles allowed (`l1::d1:l2::d2`)
  KernelNoEscapes,    // deliberately broken: the kernel syntax without backslash escapes
};

/// "kernel", "tail-2023+middles", "kernel+middles", "kernel-no-escapes".
std::string syntax_name(LowerdirSyntax s);

/// One layer of a lowerdir list: its name (unescaped) and whether it is data-only.
struct LayerItem {
  std::string name;
  bool data = false;
  bool operator==(const LayerItem&) const = default;
};

/// The escaped join of a list under a syntax (names are escaped unless the syntax has no escapes).
std::string serialize(const std::vector<LayerItem>& layers, LowerdirSyntax syntax);

/// What a syntax's splitter makes of a string: the layers, or why it refuses it.
struct SplitResult {
  bool ok = false;
  std::string error;                 // the kernel's message when refused
  std::vector<LayerItem> layers;
};

/// The kernel's splitting of a lowerdir value (comma split of R51, then R52: escapes, `::`,
/// `:::`, trailing and leading colons, empty names, regular after data). With
/// `allow_middles`, regular layers may follow data-only ones (the proposals' splitter).
SplitResult kernel_split(std::string_view value, bool allow_middles = false);

/// A witness of ambiguity: one string and two different readings of it.
struct SyntaxWitness {
  std::string text;
  std::vector<LayerItem> reading1, reading2;
  bool unique = false;               // no other string of the same (minimal) length is ambiguous
};

/// Result of an ambiguity query at one bound.
struct SyntaxCheck {
  QueryResult query;                 // the main query over all strings of length 1..bound
  std::optional<SyntaxWitness> witness;
  int minimal_length = 0;            // length of the shortest ambiguous string (when Sat)
};

/// Is there a string of at most `max_len` characters over {a, :, \, ,} that two different
/// (names, roles) lists serialize to under `syntax`, and that the syntax's splitter accepts?
/// Sat means ambiguous; the witness is minimised (shortest string) and checked for uniqueness.
SyntaxCheck check_ambiguity(LowerdirSyntax syntax, int max_len, const SolveOptions& opts,
                            const std::string& query_name);

/// Renames the names of a reading to distinct letters a, b, c… (same separators), so that
/// each layer of the witness is a distinct directory when it is mounted.
std::vector<LayerItem> distinct_names(const std::vector<LayerItem>& reading);

}  // namespace ovl::smt
