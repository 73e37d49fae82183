// Lookup over a bounded stack as an SMT encoding (theorems T4–T6), with the bounded universe
// it ranges over. The universe: k layer slots (upper, regular lower, data-only or unused) and one
// canonical path per depth, /a, /a/a, … down to the depth bound (names are interchangeable and
// lookup only reads prefixes). Each slot holds at each depth an entry of any kind the model knows,
// with the overlay xattrs that change lookup: opaque, redirect, metacopy, whiteout.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <z3++.h>

#include "ovl/semantics.hpp"

namespace ovl::smt {

/// How big the bounded universe is.
struct LookupBound {
  int layers = 3;  // layer slots, upper included
  int depth = 2;   // canonical paths /a … /a/…/a
  bool operator==(const LookupBound&) const = default;
};

/// The role of a layer slot.
enum class SlotRole : std::uint8_t { Upper, Lower, Data, Unused };
/// What sits at one path of one layer (Whiteout = character device 0/0; Chr = any other).
enum class EntryKind : std::uint8_t { None, Dir, Reg, Lnk, Whiteout, Chr, Fifo };
/// overlay.opaque: absent (or any value other than y/x), y, x.
enum class OpaqueVal : std::uint8_t { None, Y, X };
/// overlay.redirect, in the bounded universe: absent; an invalid value (empty, `a/b`, `/a/`);
/// a relative name no layer holds; the entry's own name; an absolute path /a^target;
/// a `//` path //a^target (a data-only redirect under dslash-redirect, invalid for the kernel).
enum class RedirectVal : std::uint8_t { None, Invalid, RelMissing, RelSame, Abs, DSlash };
/// overlay.metacopy: absent, empty (a plain metacopy), 1–3 bytes (too small: EIO).
enum class MetacopyVal : std::uint8_t { None, Plain, TooSmall };

/// One entry of the bounded universe.
struct BoundedEntry {
  EntryKind kind = EntryKind::None;
  OpaqueVal opaque = OpaqueVal::None;
  RedirectVal redirect = RedirectVal::None;
  int target = 0;                 // depth of the redirect target (Abs, DSlash), else 0
  MetacopyVal metacopy = MetacopyVal::None;
  bool xwhiteout = false;         // overlay.whiteout present (Reg)
  bool empty = false;             // size 0 (Reg)
  bool operator==(const BoundedEntry&) const = default;
};

/// A concrete stack of the bounded universe, with the two options lookup depends on.
struct BoundedStack {
  LookupBound bound;
  bool metacopy_on = false;       // metacopy=on
  bool follow = true;             // redirect_dir is on/follow (false: nofollow)
  std::vector<SlotRole> roles;    // per slot
  std::vector<std::vector<BoundedEntry>> at;  // [slot][depth-1]
  bool operator==(const BoundedStack&) const = default;
  /// Human-readable, one line per non-empty entry.
  std::string describe() const;
};

/// The lookup result of one canonical path, canonicalised (fields that do not apply are 0/-1/false).
struct BoundedOutcome {
  int err = 0;                    // lstat errno
  EntryKind type = EntryKind::None;
  int meta_slot = -1, meta_depth = 0;   // where attributes come from
  int data_slot = -1, data_depth = 0;   // reg: where read() gets bytes (-1: nowhere)
  int open_err = 0;               // reg: open errno (deferred data-only lookup failed)
  bool child_listed = false;      // dir: readdir lists the next canonical name
  bool operator==(const BoundedOutcome&) const = default;
  std::string describe() const;
};

/// Symbolic variables of one bounded stack.
struct SymEntry {
  z3::expr kind, opaque, redirect, target, metacopy, xwhiteout, empty;
};
struct SymStack {
  z3::expr metacopy_on, follow;
  std::vector<z3::expr> role;                 // per slot, Int 0..3 (SlotRole)
  std::vector<std::vector<SymEntry>> at;      // [slot][depth-1]
};

/// Symbolic outcome of one canonical path.
struct SymOutcome {
  z3::expr err, type, meta_slot, meta_depth, data_slot, data_depth, open_err, child_listed;
};

/// Options of an encoding.
struct EncodingOptions {
  /// Bind every per-layer lookup state and every outcome field to a fresh constant (a relational
  /// encoding; T6 asks whether two such bindings of one stack can differ).
  bool relational = false;
  /// Constrain the fields that do not apply to their canonical value (turn off only to see T6 fail).
  bool canonicalise = true;
};

/// The encoding of lookup of every canonical path over one symbolic stack.
class LookupEncoding {
 public:
  LookupEncoding(z3::context& ctx, LookupBound bound, Semantics sem, std::string prefix,
                 EncodingOptions opts = {});
  /// The same over given stack terms (e.g. another encoding's variables, or terms built from
  /// them), so that two encodings share structure.
  LookupEncoding(z3::context& ctx, LookupBound bound, Semantics sem, std::string prefix, const SymStack& given,
                 EncodingOptions opts = {});

  const LookupBound& bound() const { return bound_; }
  const SymStack& stack() const { return stack_; }
  /// The stack is one the semantics can mount (roles in order, parents are directories, canonical xattrs).
  const z3::expr& wellformed() const { return wellformed_; }
  /// Definitions binding the relational constants (true when not relational).
  const z3::expr& definitions() const { return defs_; }
  /// outcome(d) for /a^d, d = 1..depth; outcome(0) is the root (child_listed only).
  const SymOutcome& outcome(int d) const { return out_[d]; }

  /// Equalities fixing the stack variables to a concrete stack.
  z3::expr assign(const BoundedStack& s) const;
  /// The concrete stack of a model.
  BoundedStack decode_stack(const z3::model& m) const;
  /// The concrete outcome of path depth d in a model.
  BoundedOutcome decode_outcome(const z3::model& m, int d) const;
  /// Evaluates the encoding on a concrete stack (one solver call): the outcome of every depth 0..D.
  std::vector<BoundedOutcome> evaluate(const BoundedStack& s) const;

 private:
  z3::context& ctx_;
  LookupBound bound_;
  Semantics sem_;
  std::string prefix_;
  EncodingOptions opts_;
  SymStack stack_;
  z3::expr wellformed_;
  z3::expr defs_;
  std::vector<SymOutcome> out_;
  int fresh_ = 0;

  friend struct Encoder;
};

/// errno values used by the encoding.
inline constexpr int kEPERM = 1, kENOENT = 2, kEIO = 5, kEXDEV = 18, kENOTDIR = 20, kEINVAL = 22, kELOOP = 40;

}  // namespace ovl::smt
