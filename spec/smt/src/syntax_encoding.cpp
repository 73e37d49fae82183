// The bounded SMT encoding of the lowerdir syntaxes (theorems T1–T3).
//
// A string is N 2-bit characters (a : \ ,) plus a length. A serialization of a list is encoded as
// a tagging of the string's positions (name character, escaping backslash, separator colon) and
// the role of the layer each position belongs to; with deterministic escaping, a list and its
// tagging determine each other, so "two different lists" is "two different taggings".
#include <stdexcept>

#include "ovl/smt_syntax.hpp"

namespace ovl::smt {
namespace {

constexpr unsigned kA = 0, kColon = 1, kBackslash = 2, kComma = 3;
constexpr unsigned kName = 0, kEsc = 1, kSep = 2;

char char_of(unsigned v) { return v == kA ? 'a' : v == kColon ? ':' : v == kBackslash ? '\\' : ','; }

/// The symbols of one bounded string.
struct StringVars {
  std::vector<z3::expr> ch;  // 2-bit characters
  z3::expr len;
  int n;
  StringVars(z3::context& c, int n_) : len(c.int_const("len")), n(n_) {
    for (int i = 0; i < n; ++i) ch.push_back(c.bv_const(("s" + std::to_string(i)).c_str(), 2));
  }
  z3::expr in(int i) const { return len > i; }
  z3::expr is(int i, unsigned v) const { return ch[i] == ch[i].ctx().bv_val(v, 2); }
  z3::expr special(int i) const { return !is(i, kA); }
};

/// One reading (serialization tagging) of the string.
struct Reading {
  std::vector<z3::expr> tag, data;
};

Reading make_reading(z3::context& c, int n, const std::string& p) {
  Reading r;
  for (int i = 0; i < n; ++i) {
    r.tag.push_back(c.bv_const((p + "tag" + std::to_string(i)).c_str(), 2));
    r.data.push_back(c.bool_const((p + "data" + std::to_string(i)).c_str()));
  }
  return r;
}

/// The reading is a serialization of some list under the syntax.
z3::expr serializes(const StringVars& s, const Reading& r, LowerdirSyntax syntax) {
  z3::context& c = s.len.ctx();
  const int n = s.n;
  auto T = [&](int i, unsigned v) { return r.tag[i] == c.bv_val(v, 2); };
  const bool escapes = syntax != LowerdirSyntax::KernelNoEscapes;
  z3::expr_vector cs(c);
  for (int i = 0; i < n; ++i) {
    // Canonical outside the string.
    cs.push_back(z3::implies(!s.in(i), T(i, kName) && !r.data[i]));
    cs.push_back(z3::implies(s.in(i), !T(i, 3)));
    cs.push_back(z3::implies(s.in(i) && T(i, kSep), s.is(i, kColon)));
    if (escapes) {
      z3::expr next_ok = (i + 1 < n) ? (s.in(i + 1) && T(i + 1, kName) && s.special(i + 1) && r.data[i + 1] == r.data[i])
                                     : c.bool_val(false);
      cs.push_back(z3::implies(s.in(i) && T(i, kEsc), s.is(i, kBackslash) && next_ok));
      z3::expr escaped = (i > 0) ? T(i - 1, kEsc) : c.bool_val(false);
      cs.push_back(z3::implies(s.in(i) && T(i, kName) && s.special(i), escaped));
    } else {
      cs.push_back(!T(i, kEsc));
    }
    // A name is never empty: the string neither starts nor ends with a separator, no run of three.
    if (i == 0) cs.push_back(!T(0, kSep) && !r.data[0]);
    z3::expr last = s.in(i) && (i + 1 < n ? !s.in(i + 1) : c.bool_val(true));
    cs.push_back(z3::implies(last, !T(i, kSep)));
    if (i + 2 < n) cs.push_back(z3::implies(s.in(i + 2), !(T(i, kSep) && T(i + 1, kSep) && T(i + 2, kSep))));
    if (i == 0) continue;
    // Roles: a name position keeps the role of its layer; a separator position carries the role of
    // the layer it introduces.
    z3::expr run_start = T(i, kSep) && !T(i - 1, kSep);
    z3::expr run_second = T(i, kSep) && T(i - 1, kSep);
    z3::expr two = (i + 1 < n) ? (s.in(i + 1) && T(i + 1, kSep)) : c.bool_val(false);
    cs.push_back(z3::implies(s.in(i) && !T(i, kSep), r.data[i] == r.data[i - 1]));
    cs.push_back(z3::implies(s.in(i) && run_second, r.data[i] == r.data[i - 1]));
    if (syntax == LowerdirSyntax::Tail2023Middles) {
      // `::` only before a data layer that follows a regular one; `:` before a regular layer, or
      // before a data layer that follows a data layer.
      cs.push_back(z3::implies(s.in(i) && run_start && two, r.data[i] && !r.data[i - 1]));
      cs.push_back(z3::implies(s.in(i) && run_start && !two, z3::implies(r.data[i], r.data[i - 1])));
    } else {
      cs.push_back(z3::implies(s.in(i) && run_start, r.data[i] == two));
    }
  }
  return z3::mk_and(cs);
}

/// The splitter of the syntax accepts the string (R51 comma split, R52).
z3::expr accepted(const StringVars& s, LowerdirSyntax syntax) {
  z3::context& c = s.len.ctx();
  const int n = s.n;
  std::vector<z3::expr> esc{c.bool_val(false)};
  for (int i = 0; i < n; ++i) esc.push_back(s.in(i) && s.is(i, kBackslash) && !esc[i]);
  std::vector<z3::expr> ucolon;
  for (int i = 0; i < n; ++i) ucolon.push_back(s.in(i) && s.is(i, kColon) && !esc[i]);
  z3::expr_vector cs(c);
  cs.push_back(s.len >= 1 && s.len <= n);
  cs.push_back(!ucolon[0]);                                             // cannot append
  z3::expr seen_double = c.bool_val(false);
  for (int i = 0; i < n; ++i) {
    cs.push_back(z3::implies(s.in(i) && s.is(i, kComma), esc[i]));       // comma split (R51)
    if (i + 2 < n) cs.push_back(!(ucolon[i] && ucolon[i + 1] && ucolon[i + 2]));  // `:::`
    z3::expr last = s.in(i) && (i + 1 < n ? !s.in(i + 1) : c.bool_val(true));
    cs.push_back(z3::implies(last, !ucolon[i]));                          // trailing colons
    // A lone trailing backslash forming a whole component unescapes to an empty name.
    z3::expr comp_start = (i == 0) ? c.bool_val(true) : ucolon[i - 1];
    cs.push_back(!(last && s.is(i, kBackslash) && !esc[i] && comp_start));
    if (syntax == LowerdirSyntax::Kernel || syntax == LowerdirSyntax::KernelNoEscapes) {
      z3::expr prev = (i > 0) ? ucolon[i - 1] : c.bool_val(false);
      z3::expr next = (i + 1 < n) ? ucolon[i + 1] : c.bool_val(false);
      cs.push_back(!(ucolon[i] && !prev && !next && seen_double));       // regular after data
      if (i > 0) seen_double = seen_double || (ucolon[i - 1] && ucolon[i]);
    }
  }
  return z3::mk_and(cs);
}

z3::expr differ(const StringVars& s, const Reading& a, const Reading& b) {
  z3::expr_vector any(s.len.ctx());
  for (int i = 0; i < s.n; ++i) any.push_back(s.in(i) && (a.tag[i] != b.tag[i] || a.data[i] != b.data[i]));
  return z3::mk_or(any);
}

/// Decodes one reading from a model into the list it serializes.
std::vector<LayerItem> decode(const z3::model& m, const StringVars& s, const Reading& r, int len) {
  std::vector<LayerItem> out;
  bool in_name = false;
  for (int i = 0; i < len; ++i) {
    unsigned tag = m.eval(r.tag[i], true).get_numeral_uint();
    bool data = m.eval(r.data[i], true).is_true();
    char ch = char_of(m.eval(s.ch[i], true).get_numeral_uint());
    if (tag == kSep) {
      in_name = false;
      continue;
    }
    if (!in_name) {
      out.push_back({"", data});
      in_name = true;
    }
    if (tag == kName) out.back().name += ch;
  }
  return out;
}

}  // namespace

namespace {

SyntaxCheck check_in(z3::context& c, LowerdirSyntax syntax, int max_len, const SolveOptions& opts,
                     const std::string& query_name) {
  if (max_len < 1 || max_len > 64) throw std::invalid_argument("syntax bound must be 1..64, got " + std::to_string(max_len));
  StringVars s(c, max_len);
  Reading r1 = make_reading(c, max_len, "r1_"), r2 = make_reading(c, max_len, "r2_");
  z3::expr base = serializes(s, r1, syntax) && serializes(s, r2, syntax) && accepted(s, syntax) && differ(s, r1, r2);
  SyntaxCheck out;
  out.query = run_query(c, query_name, base, opts);
  if (out.query.answer != Answer::Sat) return out;
  // Minimise: the shortest ambiguous string.
  SolveOptions sub = opts;
  sub.dump_dir.clear();
  for (int k = 1; k <= max_len; ++k) {
    QueryResult q = run_query(c, query_name + ".len" + std::to_string(k), base && s.len == k, sub);
    if (q.answer == Answer::Unsat) continue;
    if (q.answer != Answer::Sat) break;  // limits hit while minimising: keep the unminimised witness
    const z3::model& m = *q.model;
    SyntaxWitness w;
    z3::expr_vector same(c);
    for (int i = 0; i < k; ++i) {
      w.text += char_of(m.eval(s.ch[i], true).get_numeral_uint());
      same.push_back(s.ch[i] == m.eval(s.ch[i], true));
    }
    w.reading1 = decode(m, s, r1, k);
    w.reading2 = decode(m, s, r2, k);
    QueryResult other = run_query(c, query_name + ".unique", base && s.len == k && !z3::mk_and(same), sub);
    w.unique = other.answer == Answer::Unsat;
    out.witness = w;
    out.minimal_length = k;
    return out;
  }
  // Fall back to the main model.
  const z3::model& m = *out.query.model;
  int len = m.eval(s.len, true).get_numeral_int();
  SyntaxWitness w;
  for (int i = 0; i < len; ++i) w.text += char_of(m.eval(s.ch[i], true).get_numeral_uint());
  w.reading1 = decode(m, s, r1, len);
  w.reading2 = decode(m, s, r2, len);
  out.witness = w;
  out.minimal_length = len;
  return out;
}


}  // namespace

SyntaxCheck check_ambiguity(LowerdirSyntax syntax, int max_len, const SolveOptions& opts,
                            const std::string& query_name) {
  z3::context c;
  SyntaxCheck out = check_in(c, syntax, max_len, opts, query_name);
  out.query.model.reset();  // the model must not outlive its context
  return out;
}

}  // namespace ovl::smt
