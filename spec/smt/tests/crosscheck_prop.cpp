// The lookup encoding is trusted only because it agrees with the C++ model: thousands of random
// bounded stacks, evaluated by the Z3 encoding and by ovl::Model, must give the same outcome for
// every canonical path (errno, type, attribute source, data source, open errno, readdir).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <sstream>

#include "ovl/predict.hpp"
#include "ovl/smt_lookup.hpp"
#include "ovl/smt_theorems.hpp"

namespace ovl::smt {
namespace {

// Deterministic and large enough to matter, unless RC_PARAMS says otherwise.
const int kParams = (setenv("RC_PARAMS", "max_success=1000 seed=20261129", 0), 0);

constexpr LookupBound kBound{3, 2};

rc::Gen<BoundedEntry> gen_entry(bool may_dir) {
  return rc::gen::exec([may_dir] {
    BoundedEntry e;
    int k = *rc::gen::inRange(0, 100);
    e.kind = k < 25 ? EntryKind::None : k < 55 ? (may_dir ? EntryKind::Dir : EntryKind::Reg)
           : k < 85 ? EntryKind::Reg : k < 90 ? EntryKind::Lnk : k < 95 ? EntryKind::Whiteout
           : k < 98 ? EntryKind::Chr : EntryKind::Fifo;
    auto redirect = [&] {
      int r = *rc::gen::inRange(0, 100);
      if (r < 55) return;
      e.redirect = r < 62 ? RedirectVal::Invalid : r < 69 ? RedirectVal::RelMissing : r < 76 ? RedirectVal::RelSame
                 : r < 96 ? RedirectVal::Abs : RedirectVal::DSlash;
      if (e.redirect == RedirectVal::Abs || e.redirect == RedirectVal::DSlash) e.target = *rc::gen::inRange(1, kBound.depth + 1);
    };
    if (e.kind == EntryKind::Dir) {
      int o = *rc::gen::inRange(0, 10);
      e.opaque = o < 7 ? OpaqueVal::None : o < 9 ? OpaqueVal::Y : OpaqueVal::X;
      redirect();
    }
    if (e.kind == EntryKind::Reg) {
      int m = *rc::gen::inRange(0, 20);
      e.metacopy = m < 10 ? MetacopyVal::None : m < 19 ? MetacopyVal::Plain : MetacopyVal::TooSmall;
      if (e.metacopy != MetacopyVal::None || *rc::gen::inRange(0, 4) == 0) redirect();
      e.xwhiteout = *rc::gen::inRange(0, 8) == 0;
      e.empty = *rc::gen::inRange(0, 4) == 0;
    }
    return e;
  });
}

rc::Gen<BoundedStack> gen_stack(bool middles) {
  return rc::gen::exec([middles] {
    BoundedStack s;
    s.bound = kBound;
    s.metacopy_on = *rc::gen::arbitrary<bool>();
    s.follow = s.metacopy_on || *rc::gen::inRange(0, 4) != 0;
    s.roles.push_back(*rc::gen::element(SlotRole::Upper, SlotRole::Lower));
    for (int l = 1; l < kBound.layers; ++l) {
      SlotRole prev = s.roles.back();
      std::vector<SlotRole> allowed;
      if (prev == SlotRole::Unused) allowed = {SlotRole::Unused};
      else if (prev == SlotRole::Upper) allowed = {SlotRole::Lower};
      else if (prev == SlotRole::Data && !middles) allowed = {SlotRole::Data, SlotRole::Unused};
      else allowed = {SlotRole::Lower, SlotRole::Data, SlotRole::Unused};
      s.roles.push_back(*rc::gen::elementOf(allowed));
    }
    int lowers = 0, used = 0;
    for (SlotRole r : s.roles) {
      lowers += r == SlotRole::Lower;
      used += r == SlotRole::Lower || r == SlotRole::Data;
    }
    RC_PRE(lowers >= 1 && (s.roles[0] == SlotRole::Upper || used >= 2));
    for (int l = 0; l < kBound.layers; ++l) {
      std::vector<BoundedEntry> col;
      for (int d = 1; d <= kBound.depth; ++d) {
        bool parent_dir = d == 1 || col.back().kind == EntryKind::Dir;
        BoundedEntry e;
        if (s.roles[l] != SlotRole::Unused && parent_dir) e = *gen_entry(d < kBound.depth);
        col.push_back(e);
      }
      s.at.push_back(col);
    }
    return s;
  });
}

int slot_of(const std::string& layer) { return layer == "U" ? 0 : std::stoi(layer.substr(1)); }
int depth_of(const std::string& path) { return path == "/" ? 0 : static_cast<int>(path.size() / 2); }

EntryKind kind_of(NodeType t) {
  switch (t) {
    case NodeType::Dir: return EntryKind::Dir;
    case NodeType::Reg: return EntryKind::Reg;
    case NodeType::Lnk: return EntryKind::Lnk;
    case NodeType::Chr: return EntryKind::Chr;
    case NodeType::Fifo: return EntryKind::Fifo;
    default: return EntryKind::None;
  }
}

/// The C++ model's outcome of every canonical path, in the encoding's terms.
std::vector<BoundedOutcome> model_outcomes(const BoundedStack& s, const Semantics& sem,
                                           std::vector<int>* unspecified_listing) {
  Case c = bounded_case(s, "crosscheck", {}, sem);
  Prediction p = predict(c, sem);
  std::vector<BoundedOutcome> out;
  if (!p.model)
    throw std::runtime_error("the model refuses the mount: " + p.observation.mount.err + " " +
                             p.observation.mount.message + "\n" + c.options);
  const Model& m = *p.model;
  const Stack& st = m.stack();
  bool parent_dir = true;
  int parent_err = 0;
  for (int d = 0; d <= s.bound.depth; ++d) {
    BoundedOutcome o;
    Resolution r = m.resolve(chain_path(d));
    if (d > 0 && parent_err) {
      o.err = parent_err;
    } else if (d > 0 && !parent_dir) {
      o.err = kENOTDIR;
    } else {
      o.err = r.err;
    }
    if (o.err == 0 && d > 0) {
      o.type = kind_of(r.type);
      o.meta_slot = slot_of(st.layers.at(r.meta_at.layer).name);
      o.meta_depth = depth_of(r.meta_at.path);
      if (o.type == EntryKind::Reg) {
        if (r.data_at) {
          o.data_slot = slot_of(st.layers.at(r.data_at->layer).name);
          o.data_depth = depth_of(r.data_at->path);
        }
        o.open_err = r.open_err;
      }
    }
    if (o.err == 0 && (d == 0 || o.type == EntryKind::Dir) && d < s.bound.depth) {
      Listing ls = m.readdir(r);
      for (const auto& n : ls.names) o.child_listed = o.child_listed || n == "a";
      // The spec leaves the listing open (R23 layer flags set by earlier lookups): any answer is allowed.
      if (ls.children_unspecified) unspecified_listing->push_back(d);
    }
    if (d == 0) o.type = EntryKind::Dir, o.err = 0;
    parent_dir = o.err == 0 && (d == 0 || o.type == EntryKind::Dir);
    parent_err = o.err;
    out.push_back(o);
  }
  return out;
}

std::string disagreement(const BoundedStack& s, const std::vector<BoundedOutcome>& z,
                         std::vector<BoundedOutcome> m, const std::vector<int>& unspecified_listing) {
  for (int d : unspecified_listing) m.at(d).child_listed = z.at(d).child_listed;
  for (int d = 0; d <= s.bound.depth; ++d) {
    if (z.at(d) == m.at(d)) continue;
    std::ostringstream why;
    why << "path " << chain_path(d) << "\n  encoding: " << z[d].describe() << "\n  model:    " << m[d].describe()
        << "\n  options:  " << bounded_options(s) << "\n" << s.describe();
    return why.str();
  }
  return "";
}

void agree(const Semantics& sem, bool middles) {
  static z3::context ctx;
  static LookupEncoding kernel_enc(ctx, kBound, Semantics{}, "xk.");
  static LookupEncoding middle_enc(ctx, kBound, [] { Semantics s; s.data_only_middle = true; return s; }(), "xm.");
  const LookupEncoding& enc = middles ? middle_enc : kernel_enc;
  BoundedStack s = *gen_stack(middles);
  std::vector<BoundedOutcome> z = enc.evaluate(s);
  RC_ASSERT(z.size() == static_cast<std::size_t>(kBound.depth + 1));
  std::vector<int> open;
  std::vector<BoundedOutcome> m = model_outcomes(s, sem, &open);
  std::string why = disagreement(s, z, m, open);
  if (!why.empty()) RC_FAIL(why);
  RC_TAG(m[1].err == 0 ? "a resolves" : "a fails");
}

RC_GTEST_PROP(EncodingAgreesWithModel, Kernel, ()) { agree(Semantics{}, false); }

RC_GTEST_PROP(EncodingAgreesWithModel, DataOnlyMiddle, ()) {
  Semantics s;
  s.data_only_middle = true;
  agree(s, true);
}

// Solver-directed: random stacks rarely line up the five or six entries a rule needs (R39 needs a
// metacopy file, a regular ancestor directory and a data-only file), so Z3 also picks stacks that
// reach every outcome of every path, several distinct ones per outcome.
void directed(const Semantics& sem, int per_goal) {
  z3::context c;
  LookupEncoding enc(c, kBound, sem, "dir.");
  const SymStack& st = enc.stack();
  auto role_is = [&](const z3::expr& slot, SlotRole r) {
    z3::expr any = c.bool_val(false);
    for (int l = 0; l < kBound.layers; ++l) any = any || (slot == l && st.role[l] == static_cast<int>(r));
    return any;
  };
  std::vector<std::pair<std::string, z3::expr>> goals;
  for (int d = 1; d <= kBound.depth; ++d) {
    const SymOutcome& o = enc.outcome(d);
    std::string p = chain_path(d) + " ";
    for (int e : {0, kENOENT, kEPERM, kEIO, kEINVAL, kENOTDIR}) goals.emplace_back(p + "errno " + std::to_string(e), o.err == e);
    for (int k = 1; k <= 6; ++k) goals.emplace_back(p + "type " + std::to_string(k), o.err == 0 && o.type == k);
    goals.emplace_back(p + "data from a data-only layer", o.data_slot >= 0 && role_is(o.data_slot, SlotRole::Data));
    goals.emplace_back(p + "data from another regular layer",
                       o.data_slot >= 0 && o.data_slot != o.meta_slot && role_is(o.data_slot, SlotRole::Lower));
    goals.emplace_back(p + "data from the upper below a metacopy", o.data_slot == 0 && role_is(o.data_slot, SlotRole::Upper) && o.meta_slot == 0);
    for (int e : {kENOENT, kELOOP, kENOTDIR}) goals.emplace_back(p + "open errno " + std::to_string(e), o.open_err == e);
    goals.emplace_back(p + "redirected source", o.err == 0 && o.meta_depth != d);
    if (d < kBound.depth) {
      goals.emplace_back(p + "lists a", o.child_listed);
      goals.emplace_back(p + "dir listing nothing", o.err == 0 && o.type == 1 && !o.child_listed);
    }
  }
  goals.emplace_back("/ lists a", enc.outcome(0).child_listed);
  goals.emplace_back("/ lists nothing", !enc.outcome(0).child_listed);
  int compared = 0, reached = 0;
  for (const auto& [label, goal] : goals) {
    z3::solver s(c);
    z3::params prm(c);
    prm.set("timeout", 10000u);
    s.set(prm);
    s.add(enc.wellformed() && goal);
    bool any = false;
    for (int i = 0; i < per_goal && s.check() == z3::sat; ++i) {
      any = true;
      z3::model m = s.get_model();
      BoundedStack stack = enc.decode_stack(m);
      std::vector<BoundedOutcome> z;
      for (int d = 0; d <= kBound.depth; ++d) z.push_back(enc.decode_outcome(m, d));
      std::vector<int> open;
      std::vector<BoundedOutcome> mo = model_outcomes(stack, sem, &open);
      std::string why = disagreement(stack, z, mo, open);
      ASSERT_TRUE(why.empty()) << "goal " << label << ":\n" << why;
      ++compared;
      s.add(!enc.assign(stack));
    }
    reached += any;
  }
  std::printf("%s: %d of %zu outcome goals reachable, %d stacks compared\n", sem.name().c_str(), reached, goals.size(),
              compared);
  EXPECT_GT(compared, 150);
}

TEST(EncodingAgreesWithModelDirected, Kernel) { directed(Semantics{}, 6); }

TEST(EncodingAgreesWithModelDirected, DataOnlyMiddle) {
  Semantics s;
  s.data_only_middle = true;
  directed(s, 6);
}

}  // namespace
}  // namespace ovl::smt
