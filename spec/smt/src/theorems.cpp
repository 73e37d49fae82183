// T1–T6: the queries, their expected answers, minimised witnesses and witness cases.
#include <sstream>
#include <stdexcept>

#include "ovl/sha256.hpp"
#include "ovl/smt_theorems.hpp"

namespace ovl::smt {

std::string TheoremRow::verdict() const {
  if (answer == Answer::Timeout) return "TIMEOUT";
  if (answer == Answer::Unknown) return "UNKNOWN";
  return answer == expected ? "pass" : "FAIL";
}

std::vector<std::string> theorem_ids() { return {"T1", "T2", "T3", "T4", "T5", "T6"}; }

std::string theorem_title(const std::string& id) {
  if (id == "T1") return "the kernel's lowerdir syntax is unambiguous";
  if (id == "T2") return "2023 tail syntax + data-only middles is ambiguous";
  if (id == "T3") return "kernel syntax + data-only middles (l1::d1:l2::d2) is unambiguous";
  if (id == "T4") return "an absolute metacopy redirect to a data-only file can be captured or fail";
  if (id == "T5") return "nothing visible depends on the contents of data-only layers";
  if (id == "T6") return "lookup yields exactly one outcome per path";
  throw std::invalid_argument("unknown theorem '" + id + "' (expected one of T1 … T6)");
}

namespace {

std::string reading_text(const std::vector<LayerItem>& r) {
  std::string o = "[";
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (i) o += ", ";
    o += (r[i].data ? "data:" : "reg:") + r[i].name;
  }
  return o + "]";
}

TheoremRow syntax_row(const std::string& id, LowerdirSyntax syntax, Answer expected, const ProveOptions& opts) {
  TheoremRow row;
  row.theorem = id;
  row.title = theorem_title(id);
  row.semantics = syntax_name(syntax);
  row.bound = "len<=" + std::to_string(opts.syntax_length);
  row.query = id + "." + row.semantics + ".len" + std::to_string(opts.syntax_length);
  row.expected = expected;
  SyntaxCheck chk = check_ambiguity(syntax, opts.syntax_length, opts.solve, row.query);
  row.answer = chk.query.answer;
  row.reason = chk.query.reason;
  row.seconds = chk.query.seconds;
  if (chk.witness) {
    const SyntaxWitness& w = *chk.witness;
    row.witness = "\"" + w.text + "\" = " + reading_text(w.reading1) + " = " + reading_text(w.reading2);
    row.witness_unique = w.unique;
    // The witness as a mount: distinct directories per layer, each with an identifiable /a.
    std::vector<LayerItem> named = distinct_names(w.reading1);
    std::string text = serialize(named, syntax);
    Case c;
    c.name = "prove/" + id + "-witness";
    c.clauses = {"options.lowerdir"};
    c.options = "lowerdir=" + text;
    for (const auto& l : named) {
      auto layer = std::make_shared<Layer>();
      layer->put("/a", Node::file(l.name + ":/a\n"));
      c.layers.emplace_back(l.name, layer);
    }
    SplitResult kr = kernel_split(text);
    Expectation e;
    MountStatus ms;
    if (kr.ok) {
      ms.ok = true;
    } else {
      ms.ok = false;
      ms.err = "EINVAL";
    }
    e.mount = ms;
    c.expects.push_back(e);
    row.witness_case = c;
    row.kernel_check = "mount lowerdir=" + text + ": the kernel's own reading is " +
                       (kr.ok ? reading_text(kr.layers) : "a refusal (EINVAL: " + kr.error + ")");
  }
  return row;
}

// -- lookup theorems --

z3::expr kind_at(z3::context& c, const SymStack& s, int l, const z3::expr& depth) {
  z3::expr r = c.int_val(static_cast<int>(EntryKind::None));
  for (int d = static_cast<int>(s.at[l].size()); d >= 1; --d) r = z3::ite(depth == d, s.at[l][d - 1].kind, r);
  return r;
}

z3::expr role_is(z3::context& c, const SymStack& s, const z3::expr& slot, SlotRole r) {
  z3::expr any = c.bool_val(false);
  for (std::size_t l = 0; l < s.role.size(); ++l)
    any = any || (slot == static_cast<int>(l) && s.role[l] == static_cast<int>(r));
  return any;
}

z3::expr witness_size(z3::context& c, const SymStack& s) {
  z3::expr n = c.int_val(0);
  auto one = [&](const z3::expr& b) { return z3::ite(b, c.int_val(1), c.int_val(0)); };
  for (std::size_t l = 0; l < s.role.size(); ++l) {
    n = n + one(s.role[l] != static_cast<int>(SlotRole::Unused));
    for (const SymEntry& e : s.at[l])
      n = n + one(e.kind != 0) + one(e.opaque != 0) + one(e.redirect != 0) + one(e.metacopy != 0) + one(e.xwhiteout);
  }
  return n;
}

std::string bound_text(const LookupBound& b) {
  return "layers=" + std::to_string(b.layers) + ",depth=" + std::to_string(b.depth);
}

/// Runs a lookup query; on Sat minimises the witness stack and checks uniqueness.
void solve_lookup(z3::context& c, TheoremRow& row, const z3::expr& f, const LookupEncoding& enc,
                  const ProveOptions& opts, BoundedStack* witness, std::vector<BoundedOutcome>* outcome) {
  QueryResult q = run_query(c, row.query, f, opts.solve);
  row.answer = q.answer;
  row.reason = q.reason;
  row.seconds = q.seconds;
  if (q.answer != Answer::Sat) return;
  auto take = [&](const z3::model& m) {
    *witness = enc.decode_stack(m);
    outcome->clear();
    for (int d = 0; d <= enc.bound().depth; ++d) outcome->push_back(enc.decode_outcome(m, d));
  };
  take(*q.model);
  if (!opts.minimise) return;
  SolveOptions sub = opts.solve;
  sub.dump_dir.clear();
  z3::expr size = witness_size(c, enc.stack());
  auto size_of = [&](const BoundedStack& s) {
    z3::solver sv(c);
    sv.add(enc.assign(s));
    z3::expr v = c.int_const("size_probe");
    sv.add(v == size);
    sv.check();
    return sv.get_model().eval(v, true).get_numeral_int();
  };
  int best = size_of(*witness);
  for (int round = 0; round < 64; ++round) {
    QueryResult m = run_query(c, row.query + ".min", f && size < best, sub);
    row.seconds += m.seconds;
    if (m.answer != Answer::Sat) break;
    take(*m.model);
    best = size_of(*witness);
  }
  QueryResult u = run_query(c, row.query + ".unique", f && size == best && !enc.assign(*witness), sub);
  row.seconds += u.seconds;
  row.witness_unique = u.answer == Answer::Unsat;
}

std::string lookup_witness_text(const BoundedStack& s, const std::vector<BoundedOutcome>& out, int depth) {
  std::string st = s.describe();
  for (auto& ch : st)
    if (ch == '\n') ch = ';';
  return bounded_options(s) + " | " + st + " => " + chain_path(depth) + ": " + out.at(depth).describe();
}

Semantics sem_kernel() { return Semantics{}; }
Semantics sem_middle() {
  Semantics s;
  s.data_only_middle = true;
  return s;
}
Semantics sem_dslash() {
  Semantics s;
  s.dslash_redirect = true;
  return s;
}
std::string sem_text(const Semantics& s) {
  if (s.data_only_middle) return "data-only-middle";
  if (s.dslash_redirect) return "dslash-redirect";
  return "kernel";
}

enum class T4Variant { Capture, Reset, DSlash };

TheoremRow t4(T4Variant v, const ProveOptions& opts) {
  TheoremRow row;
  row.theorem = "T4";
  row.title = theorem_title("T4");
  Semantics sem = v == T4Variant::DSlash ? sem_dslash() : sem_kernel();
  row.semantics = sem_text(sem) + (v == T4Variant::Capture ? " (capture, R38)" : v == T4Variant::Reset ? " (reset, R39)" : "");
  row.bound = bound_text(opts.lookup);
  row.query = std::string("T4.") + (v == T4Variant::Capture ? "kernel-capture" : v == T4Variant::Reset ? "kernel-reset" : "dslash") +
              "." + std::to_string(opts.lookup.layers) + "x" + std::to_string(opts.lookup.depth);
  row.expected = v == T4Variant::DSlash ? Answer::Unsat : Answer::Sat;
  z3::context c;
  LookupEncoding enc(c, opts.lookup, sem, "t4.");
  const SymStack& s = enc.stack();
  z3::expr j = c.int_const("t4.target");
  const SymEntry& top = s.at[0][0];
  RedirectVal rv = v == T4Variant::DSlash ? RedirectVal::DSlash : RedirectVal::Abs;
  z3::expr pre = s.role[0] == static_cast<int>(SlotRole::Lower) && s.metacopy_on &&
                 top.kind == static_cast<int>(EntryKind::Reg) && top.metacopy == static_cast<int>(MetacopyVal::Plain) &&
                 top.redirect == static_cast<int>(rv) && top.target == j &&
                 !(top.xwhiteout && top.empty);  // a metacopy file, not an xattr whiteout
  z3::expr in_data = c.bool_val(false);
  for (int l = 0; l < opts.lookup.layers; ++l)
    in_data = in_data || (s.role[l] == static_cast<int>(SlotRole::Data) && kind_at(c, s, l, j) == static_cast<int>(EntryKind::Reg));
  const SymOutcome& o = enc.outcome(1);
  z3::expr served_regular = o.err == 0 && o.data_slot >= 0 && role_is(c, s, o.data_slot, SlotRole::Lower);
  z3::expr fails = o.err != 0 || o.open_err != 0;
  // The reset of R39: EIO although the data-only layer holds the file, with no other cause of EIO
  // (no metacopy xattr other than the file's own, none of 1–3 bytes).
  z3::expr only_mc = c.bool_val(true);
  for (int l = 0; l < opts.lookup.layers; ++l)
    for (int d = 1; d <= opts.lookup.depth; ++d)
      if (l != 0 || d != 1) only_mc = only_mc && s.at[l][d - 1].metacopy == static_cast<int>(MetacopyVal::None);
  z3::expr goal = v == T4Variant::Capture ? served_regular
                : v == T4Variant::Reset   ? (o.err == kEIO && only_mc)
                                          : (served_regular || fails);
  z3::expr f = enc.wellformed() && enc.definitions() && pre && in_data && goal;
  BoundedStack w;
  std::vector<BoundedOutcome> out;
  solve_lookup(c, row, f, enc, opts, &w, &out);
  if (row.answer == Answer::Sat) {
    row.witness = lookup_witness_text(w, out, 1);
    Case cs = bounded_case(w, std::string("prove/T4-") + (v == T4Variant::Capture ? "capture" : v == T4Variant::Reset ? "reset" : "dslash"),
                           {v == T4Variant::Reset ? "data.redirect.reset" : "data.redirect.order"}, sem);
    Expectation e;
    Entry en;
    en.path = "/a";
    const BoundedOutcome& r = out[1];
    if (r.err != 0) {
      en.err = r.err == kEIO ? "EIO" : r.err == kEPERM ? "EPERM" : r.err == kEINVAL ? "EINVAL" : "E" + std::to_string(r.err);
      row.kernel_check = "lstat /a fails with " + *en.err;
    } else {
      en.type = NodeType::Reg;
      if (r.data_slot >= 0) {
        std::string bytes = bounded_content(w, r.data_slot, r.data_depth);
        en.content = sha256_hex(bytes);
        e.content_text = bytes;
        row.kernel_check = "read /a returns the regular layer's bytes \"" + bytes.substr(0, bytes.size() - 1) + "\\n\"";
      }
    }
    e.entry = en;
    cs.expects.push_back(e);
    row.witness_case = cs;
  }
  return row;
}

TheoremRow t5(const Semantics& sem, const ProveOptions& opts) {
  TheoremRow row;
  row.theorem = "T5";
  row.title = theorem_title("T5");
  row.semantics = sem_text(sem);
  row.bound = bound_text(opts.lookup);
  row.query = "T5." + row.semantics + "." + std::to_string(opts.lookup.layers) + "x" + std::to_string(opts.lookup.depth);
  row.expected = Answer::Unsat;
  z3::context c;
  LookupEncoding a(c, opts.lookup, sem, "t5a.");
  // The second stack: the same variables, except that every data-only slot may hold other entries.
  SymStack other = a.stack();
  for (int l = 0; l < opts.lookup.layers; ++l) {
    z3::expr isdata = other.role[l] == static_cast<int>(SlotRole::Data);
    for (int d = 0; d < opts.lookup.depth; ++d) {
      SymEntry& x = other.at[l][d];
      std::string p = "t5b.L" + std::to_string(l) + ".d" + std::to_string(d + 1) + ".";
      auto alt = [&](z3::expr& f, const char* n) {
        z3::expr v = f.is_bool() ? c.bool_const((p + n).c_str()) : c.int_const((p + n).c_str());
        f = z3::ite(isdata, v, f);
      };
      alt(x.kind, "kind");
      alt(x.opaque, "opaque");
      alt(x.redirect, "redirect");
      alt(x.target, "target");
      alt(x.metacopy, "metacopy");
      alt(x.xwhiteout, "xwhiteout");
      alt(x.empty, "empty");
    }
  }
  LookupEncoding b(c, opts.lookup, sem, "t5b.", other);
  z3::expr differ = c.bool_val(false);
  for (int d = 0; d <= opts.lookup.depth; ++d) {
    const SymOutcome& x = a.outcome(d);
    const SymOutcome& y = b.outcome(d);
    differ = differ || x.err != y.err || x.type != y.type || x.meta_slot != y.meta_slot ||
             x.meta_depth != y.meta_depth || x.child_listed != y.child_listed;
  }
  z3::expr f = a.wellformed() && b.wellformed() && a.definitions() && b.definitions() && differ;
  BoundedStack w;
  std::vector<BoundedOutcome> out;
  solve_lookup(c, row, f, a, opts, &w, &out);
  if (row.answer == Answer::Sat) row.witness = lookup_witness_text(w, out, 1);
  return row;
}

TheoremRow t6(const Semantics& sem, const ProveOptions& opts) {
  TheoremRow row;
  row.theorem = "T6";
  row.title = theorem_title("T6");
  row.semantics = sem_text(sem);
  row.bound = bound_text(opts.lookup);
  row.query = "T6." + row.semantics + "." + std::to_string(opts.lookup.layers) + "x" + std::to_string(opts.lookup.depth);
  row.expected = Answer::Unsat;
  z3::context c;
  EncodingOptions eo = opts.t6_encoding;
  eo.relational = true;
  LookupEncoding a(c, opts.lookup, sem, "t6a.", eo);
  LookupEncoding b(c, opts.lookup, sem, "t6b.", a.stack(), eo);  // the same stack, a second binding
  z3::expr differ = c.bool_val(false);
  for (int d = 0; d <= opts.lookup.depth; ++d) {
    const SymOutcome& x = a.outcome(d);
    const SymOutcome& y = b.outcome(d);
    differ = differ || x.err != y.err || x.type != y.type || x.meta_slot != y.meta_slot ||
             x.meta_depth != y.meta_depth || x.data_slot != y.data_slot || x.data_depth != y.data_depth ||
             x.open_err != y.open_err || x.child_listed != y.child_listed;
  }
  z3::expr f = a.wellformed() && a.definitions() && b.definitions() && differ;
  BoundedStack w;
  std::vector<BoundedOutcome> out;
  ProveOptions o2 = opts;
  o2.minimise = false;
  solve_lookup(c, row, f, a, o2, &w, &out);
  if (row.answer == Answer::Sat) row.witness = lookup_witness_text(w, out, 1) + " (and another outcome)";
  return row;
}

}  // namespace

std::vector<TheoremRow> prove(const std::string& id, const ProveOptions& opts) {
  theorem_title(id);  // validates the id
  if (id == "T1") return {syntax_row("T1", opts.t1_syntax.value_or(LowerdirSyntax::Kernel), Answer::Unsat, opts)};
  if (id == "T2") return {syntax_row("T2", LowerdirSyntax::Tail2023Middles, Answer::Sat, opts)};
  if (id == "T3") return {syntax_row("T3", LowerdirSyntax::KernelMiddles, Answer::Unsat, opts)};
  if (id == "T4") return {t4(T4Variant::Capture, opts), t4(T4Variant::Reset, opts), t4(T4Variant::DSlash, opts)};
  if (id == "T5") return {t5(sem_kernel(), opts), t5(sem_middle(), opts)};
  return {t6(sem_kernel(), opts), t6(sem_middle(), opts), t6(sem_dslash(), opts)};
}

}  // namespace ovl::smt
