// Between concrete bounded stacks/outcomes and the encoding's variables: assign, decode, evaluate.
#include <sstream>

#include "ovl/smt_lookup.hpp"

namespace ovl::smt {

namespace {
const char* kind_text(EntryKind k) {
  static const char* n[] = {"none", "dir", "reg", "lnk", "whiteout", "chr", "fifo"};
  return n[static_cast<int>(k)];
}
const char* role_text(SlotRole r) {
  static const char* n[] = {"upper", "lower", "data-only", "unused"};
  return n[static_cast<int>(r)];
}
std::string chain(int depth) {
  std::string p;
  for (int i = 0; i < depth; ++i) p += "/a";
  return p.empty() ? "/" : p;
}
}  // namespace

std::string BoundedStack::describe() const {
  std::ostringstream o;
  o << "metacopy=" << (metacopy_on ? "on" : "off") << " redirect_dir=" << (follow ? "follow" : "nofollow") << "\n";
  for (std::size_t l = 0; l < roles.size(); ++l) {
    if (roles[l] == SlotRole::Unused) continue;
    o << "slot " << l << " (" << role_text(roles[l]) << ")\n";
    for (std::size_t d = 0; d < at[l].size(); ++d) {
      const BoundedEntry& x = at[l][d];
      if (x.kind == EntryKind::None) continue;
      o << "  " << chain(static_cast<int>(d) + 1) << " " << kind_text(x.kind);
      if (x.opaque == OpaqueVal::Y) o << " opaque=y";
      if (x.opaque == OpaqueVal::X) o << " opaque=x";
      switch (x.redirect) {
        case RedirectVal::None: break;
        case RedirectVal::Invalid: o << " redirect=<invalid>"; break;
        case RedirectVal::RelMissing: o << " redirect=b"; break;
        case RedirectVal::RelSame: o << " redirect=a"; break;
        case RedirectVal::Abs: o << " redirect=" << chain(x.target); break;
        case RedirectVal::DSlash: o << " redirect=/" << chain(x.target); break;
      }
      if (x.metacopy == MetacopyVal::Plain) o << " metacopy";
      if (x.metacopy == MetacopyVal::TooSmall) o << " metacopy=<2 bytes>";
      if (x.xwhiteout) o << " xwhiteout";
      if (x.kind == EntryKind::Reg) o << (x.empty ? " size=0" : " size>0");
      o << "\n";
    }
  }
  return o.str();
}

std::string BoundedOutcome::describe() const {
  std::ostringstream o;
  if (err != 0) {
    o << "errno " << err;
    return o.str();
  }
  o << kind_text(type) << " meta=slot" << meta_slot << ":" << chain(meta_depth);
  if (type == EntryKind::Reg) {
    if (data_slot >= 0) o << " data=slot" << data_slot << ":" << chain(data_depth);
    if (open_err) o << " open_errno " << open_err;
  }
  if (type == EntryKind::Dir) o << (child_listed ? " lists a" : " lists nothing");
  return o.str();
}

z3::expr LookupEncoding::assign(const BoundedStack& s) const {
  z3::expr_vector cs(ctx_);
  cs.push_back(stack_.metacopy_on == ctx_.bool_val(s.metacopy_on));
  cs.push_back(stack_.follow == ctx_.bool_val(s.follow));
  for (int l = 0; l < bound_.layers; ++l) {
    cs.push_back(stack_.role[l] == static_cast<int>(s.roles.at(l)));
    for (int d = 0; d < bound_.depth; ++d) {
      const BoundedEntry& x = s.at.at(l).at(d);
      const SymEntry& v = stack_.at[l][d];
      cs.push_back(v.kind == static_cast<int>(x.kind));
      cs.push_back(v.opaque == static_cast<int>(x.opaque));
      cs.push_back(v.redirect == static_cast<int>(x.redirect));
      cs.push_back(v.target == x.target);
      cs.push_back(v.metacopy == static_cast<int>(x.metacopy));
      cs.push_back(v.xwhiteout == ctx_.bool_val(x.xwhiteout));
      cs.push_back(v.empty == ctx_.bool_val(x.empty));
    }
  }
  return z3::mk_and(cs);
}

BoundedStack LookupEncoding::decode_stack(const z3::model& m) const {
  auto I = [&](const z3::expr& e) { return m.eval(e, true).get_numeral_int(); };
  auto Bv = [&](const z3::expr& e) { return m.eval(e, true).is_true(); };
  BoundedStack s;
  s.bound = bound_;
  s.metacopy_on = Bv(stack_.metacopy_on);
  s.follow = Bv(stack_.follow);
  for (int l = 0; l < bound_.layers; ++l) {
    s.roles.push_back(static_cast<SlotRole>(I(stack_.role[l])));
    std::vector<BoundedEntry> col;
    for (int d = 0; d < bound_.depth; ++d) {
      const SymEntry& v = stack_.at[l][d];
      BoundedEntry x;
      x.kind = static_cast<EntryKind>(I(v.kind));
      x.opaque = static_cast<OpaqueVal>(I(v.opaque));
      x.redirect = static_cast<RedirectVal>(I(v.redirect));
      x.target = I(v.target);
      x.metacopy = static_cast<MetacopyVal>(I(v.metacopy));
      x.xwhiteout = Bv(v.xwhiteout);
      x.empty = Bv(v.empty);
      col.push_back(x);
    }
    s.at.push_back(col);
  }
  return s;
}

BoundedOutcome LookupEncoding::decode_outcome(const z3::model& m, int d) const {
  auto I = [&](const z3::expr& e) { return m.eval(e, true).get_numeral_int(); };
  const SymOutcome& o = out_.at(d);
  BoundedOutcome r;
  r.err = I(o.err);
  r.type = static_cast<EntryKind>(I(o.type));
  r.meta_slot = I(o.meta_slot);
  r.meta_depth = I(o.meta_depth);
  r.data_slot = I(o.data_slot);
  r.data_depth = I(o.data_depth);
  r.open_err = I(o.open_err);
  r.child_listed = m.eval(o.child_listed, true).is_true();
  return r;
}

std::vector<BoundedOutcome> LookupEncoding::evaluate(const BoundedStack& s) const {
  z3::solver solver(ctx_);
  solver.add(assign(s));
  solver.add(defs_);
  std::vector<BoundedOutcome> out;
  if (solver.check() != z3::sat) return out;
  z3::model m = solver.get_model();
  for (int d = 0; d <= bound_.depth; ++d) out.push_back(decode_outcome(m, d));
  return out;
}

}  // namespace ovl::smt
