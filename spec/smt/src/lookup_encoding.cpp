// The symbolic lookup: namei.c's per-layer step, layer walk and layer loop over a bounded stack
// (R8–R13, R15, R20–R22, R28–R31, R33, R37–R44), written as Z3 terms. Every branch of the kernel
// code is an ite; every piece of lookup state is one term per field.
#include <stdexcept>

#include "ovl/smt_lookup.hpp"

namespace ovl::smt {

namespace {
constexpr int kUpper = 0, kLower = 1, kData = 2, kUnused = 3;
constexpr int kNone = 0, kDir = 1, kReg = 2, kLnk = 3, kWhiteout = 4;
constexpr int kOpY = 1, kOpX = 2;
constexpr int kRNone = 0, kRInvalid = 1, kRRelMissing = 2, kRRelSame = 3, kRAbs = 4, kRDSlash = 5;
constexpr int kMcPlain = 1, kMcTooSmall = 2;
}  // namespace

/// The lookup data of namei.c (struct ovl_lookup_data), one term per field.
struct LState {
  z3::expr err, is_dir, opaque, stop, last, redirect, nabs, nt, nmiss, metacopy, absredir, xwh, dslash;
  z3::expr mcslot;  // slot of the last metacopy file examined (data-only-middle searches below it)

  static LState ite(const z3::expr& c, const LState& a, const LState& b) {
    auto f = [&](const z3::expr& x, const z3::expr& y) { return z3::ite(c, x, y); };
    return {f(a.err, b.err),       f(a.is_dir, b.is_dir),     f(a.opaque, b.opaque), f(a.stop, b.stop),
            f(a.last, b.last),     f(a.redirect, b.redirect), f(a.nabs, b.nabs),     f(a.nt, b.nt),
            f(a.nmiss, b.nmiss),   f(a.metacopy, b.metacopy), f(a.absredir, b.absredir),
            f(a.xwh, b.xwh),       f(a.dslash, b.dslash),     f(a.mcslot, b.mcslot)};
  }
};

/// A directory's lookup result, as the parent of the next depth.
struct DirState {
  z3::expr is_dir, upper_in, upper_pos;
  std::vector<z3::expr> in_stack, pos;  // per slot
};

struct Encoder {
  LookupEncoding& e;
  z3::context& c;
  int K, D;
  z3::expr_vector defs;

  explicit Encoder(LookupEncoding& enc)
      : e(enc), c(enc.ctx_), K(enc.bound_.layers), D(enc.bound_.depth), defs(enc.ctx_) {}

  z3::expr I(int v) { return c.int_val(v); }
  z3::expr B(bool v) { return c.bool_val(v); }
  std::string name(const std::string& n) { return e.prefix_ + n; }

  // Relational binding: a fresh constant equal to the term.
  z3::expr bind(const z3::expr& t, const std::string& n) {
    if (!e.opts_.relational) return t;
    z3::expr v = t.is_bool() ? c.bool_const(name(n + "#" + std::to_string(e.fresh_++)).c_str())
                             : c.int_const(name(n + "#" + std::to_string(e.fresh_++)).c_str());
    defs.push_back(v == t);
    return v;
  }
  LState bind(const LState& s, const std::string& n) {
    return {bind(s.err, n + ".err"),       bind(s.is_dir, n + ".is_dir"),   bind(s.opaque, n + ".opaque"),
            bind(s.stop, n + ".stop"),     bind(s.last, n + ".last"),       bind(s.redirect, n + ".redirect"),
            bind(s.nabs, n + ".nabs"),     bind(s.nt, n + ".nt"),           bind(s.nmiss, n + ".nmiss"),
            bind(s.metacopy, n + ".mc"),   bind(s.absredir, n + ".absredir"), bind(s.xwh, n + ".xwh"),
            bind(s.dslash, n + ".dslash"), bind(s.mcslot, n + ".mcslot")};
  }

  // Field of slot l at a symbolic depth p (1..D); outside: the default.
  z3::expr at(int l, const z3::expr& p, z3::expr SymEntry::*f, const z3::expr& dflt) {
    z3::expr r = dflt;
    for (int d = D; d >= 1; --d) r = z3::ite(p == d, e.stack_.at[l][d - 1].*f, r);
    return r;
  }
  z3::expr kind_at(int l, const z3::expr& p) { return at(l, p, &SymEntry::kind, I(kNone)); }

  z3::expr role(int l) { return e.stack_.role[l]; }

  void make_vars() {
    SymStack& s = e.stack_;
    for (int l = 0; l < K; ++l) {
      std::string L = "L" + std::to_string(l);
      s.role.push_back(c.int_const(name(L + ".role").c_str()));
      std::vector<SymEntry> col;
      for (int d = 1; d <= D; ++d) {
        std::string p = L + ".d" + std::to_string(d) + ".";
        col.push_back({c.int_const(name(p + "kind").c_str()), c.int_const(name(p + "opaque").c_str()),
                       c.int_const(name(p + "redirect").c_str()), c.int_const(name(p + "target").c_str()),
                       c.int_const(name(p + "metacopy").c_str()), c.bool_const(name(p + "xwhiteout").c_str()),
                       c.bool_const(name(p + "empty").c_str())});
      }
      s.at.push_back(col);
    }
  }

  z3::expr wellformed() {
    const SymStack& s = e.stack_;
    z3::expr_vector cs(c);
    z3::expr any_lower = B(false);
    z3::expr layers = I(0);
    for (int l = 0; l < K; ++l) {
      const z3::expr& r = s.role[l];
      cs.push_back(l == 0 ? (r == kUpper || r == kLower) : (r == kLower || r == kData || r == kUnused));
      if (l + 1 < K) {
        cs.push_back(z3::implies(r == kUnused, s.role[l + 1] == kUnused));
        if (!e.sem_.data_only_middle) cs.push_back(z3::implies(r == kData, s.role[l + 1] != kLower));
      }
      if (l == 1) cs.push_back(z3::implies(s.role[0] == kUpper, r == kLower));  // `lowerdir=::d` is refused
      any_lower = any_lower || r == kLower;
      layers = layers + z3::ite(r == kLower || r == kData, I(1), I(0));
      for (int d = 1; d <= D; ++d) {
        const SymEntry& x = s.at[l][d - 1];
        cs.push_back(x.kind >= kNone && x.kind <= 6);
        cs.push_back(x.opaque >= 0 && x.opaque <= kOpX);
        cs.push_back(x.redirect >= kRNone && x.redirect <= kRDSlash);
        cs.push_back(x.metacopy >= 0 && x.metacopy <= kMcTooSmall);
        cs.push_back(z3::implies(r == kUnused, x.kind == kNone));
        if (d > 1) cs.push_back(z3::implies(x.kind != kNone, s.at[l][d - 2].kind == kDir));
        // Canonical: xattrs only where lookup can read them.
        cs.push_back(z3::implies(x.kind != kDir, x.opaque == 0));
        cs.push_back(z3::implies(x.kind != kDir && x.kind != kReg, x.redirect == kRNone));
        cs.push_back(z3::implies(x.kind != kReg, x.metacopy == 0 && !x.xwhiteout && !x.empty));
        cs.push_back(z3::ite(x.redirect == kRAbs || x.redirect == kRDSlash, x.target >= 1 && x.target <= D,
                             x.target == 0));
      }
    }
    cs.push_back(any_lower);
    cs.push_back(!(s.metacopy_on && !s.follow));  // metacopy=on,redirect_dir=nofollow is refused (R59)
    cs.push_back(z3::implies(s.role[0] != kUpper, layers >= 2));  // R5
    return z3::mk_and(cs);
  }

  // -- the per-component step (ovl_lookup_single) and the redirect check (ovl_check_redirect) --

  struct Found {
    z3::expr found, pos, kind;
    z3::expr xmark;  // this layer's copy of the looked-up dir has opaque=x (read, non-upper)
  };

  LState check_redirect(const LState& st, int l, const z3::expr& p, const z3::expr& t0, const z3::expr& miss0,
                        int k, bool on_file) {
    z3::expr r = at(l, p, &SymEntry::redirect, I(kRNone));
    z3::expr j = at(l, p, &SymEntry::target, I(0));
    LState n = st;
    n.absredir = B(false);
    LState inval = n;
    inval.err = I(kEINVAL);
    LState abs = n;
    abs.absredir = B(true);
    abs.stop = B(false);
    abs.redirect = B(true);
    abs.nabs = B(true);
    abs.nt = j + (t0 - k);
    abs.nmiss = j + (miss0 - k);
    LState relmiss = n;
    relmiss.redirect = B(true);
    z3::expr idx = st.nt - (t0 - k);
    relmiss.nmiss = z3::ite(idx < st.nmiss, idx, st.nmiss);
    LState relsame = n;
    relsame.redirect = B(true);
    LState ds = inval;
    if (e.sem_.dslash_redirect && on_file) {
      ds = n;
      ds.dslash = B(true);
      ds.stop = B(true);
      ds.redirect = B(true);
      ds.nabs = B(true);
      ds.nt = j;
      ds.nmiss = j + 1;
    }
    return LState::ite(r == kRInvalid, inval,
           LState::ite(r == kRAbs, abs,
           LState::ite(r == kRRelMissing, relmiss,
           LState::ite(r == kRRelSame, relsame,
           LState::ite(r == kRDSlash, ds, n)))));
  }

  // ovl_lookup_layer: walks the current name in slot l from depth `base`.
  std::pair<LState, Found> walk(LState st, int l, const z3::expr& base, bool is_upper) {
    const z3::expr t0 = st.nt, miss0 = st.nmiss;
    z3::expr alive = B(true);
    Found res{B(false), I(0), I(kNone), B(false)};
    for (int k = 1; k <= D + 1; ++k) {
      z3::expr active = alive && I(k) <= t0 && st.err == 0;
      z3::expr p = base + k;
      z3::expr lastel = t0 == k;
      z3::expr kd = kind_at(l, p);
      z3::expr exists = I(k) < miss0 && p >= 1 && p <= D && kd != kNone;
      z3::expr xw = at(l, p, &SymEntry::xwhiteout, B(false)) && at(l, p, &SymEntry::empty, B(false));
      z3::expr wh = kd == kWhiteout || (kd == kReg && xw);
      z3::expr mc = z3::ite(kd == kReg, at(l, p, &SymEntry::metacopy, I(0)), I(0));
      z3::expr op = at(l, p, &SymEntry::opaque, I(0));

      // Non-directory found as the last element, not stopped before: metacopy xattr.
      LState file = st;
      file.err = z3::ite(mc == kMcTooSmall, I(kEIO), st.err);
      file.metacopy = mc == kMcPlain;
      file.stop = !(mc == kMcPlain);
      file.mcslot = z3::ite(mc == kMcPlain, I(l), st.mcslot);
      LState file_redir = check_redirect(file, l, p, t0, miss0, k, true);
      file = LState::ite(file.metacopy && !st.last && file.err == 0, file_redir, file);

      // Directory.
      LState dir = st;
      dir.is_dir = st.is_dir || lastel;
      LState dir_x = dir;
      if (!is_upper) dir_x.xwh = B(true);
      LState dir_y = dir;
      dir_y.stop = B(true);
      dir_y.opaque = st.opaque || lastel;
      LState dir_read = LState::ite(lastel && op == kOpX && B(!is_upper), check_redirect(dir_x, l, p, t0, miss0, k, false),
                        LState::ite(op == kOpY, dir_y, check_redirect(dir, l, p, t0, miss0, k, false)));
      dir = LState::ite(st.last, dir, dir_read);

      LState stopped = st;
      stopped.stop = B(true);
      LState white = stopped;
      white.opaque = B(true);

      z3::expr is_dirk = kd == kDir;
      z3::expr c_missing = !exists;
      z3::expr c_white = exists && wh;
      z3::expr c_mcnonreg = exists && !wh && lastel && st.metacopy && kd != kReg;
      z3::expr c_nondir_stop = exists && !wh && !c_mcnonreg && !is_dirk && (st.is_dir || !lastel);
      z3::expr c_file = exists && !wh && !c_mcnonreg && !is_dirk && !(st.is_dir || !lastel);
      LState next = LState::ite(c_missing, st,
                    LState::ite(c_white, white,
                    LState::ite(c_mcnonreg || c_nondir_stop, stopped,
                    LState::ite(c_file, file, dir))));
      z3::expr got = c_file || (exists && !wh && !c_mcnonreg && is_dirk);
      z3::expr marked = exists && !wh && !c_mcnonreg && is_dirk && lastel && !st.last && op == kOpX && B(!is_upper);
      st = LState::ite(active, next, st);
      res.found = z3::ite(active, got, res.found);
      res.pos = z3::ite(active, p, res.pos);
      res.kind = z3::ite(active, kd, res.kind);
      res.xmark = z3::ite(active, marked, res.xmark);
      alive = active && got && is_dirk && !lastel;
    }
    res.found = res.found && st.err == 0;
    return {st, res};
  }

  // ovl_lookup / ovl_lookup_layers for the child of `parent` (depth d).
  struct Result {
    z3::expr err, type, meta_slot, meta_depth, data_slot, data_depth, open_err, xwh;
    DirState dir;
    std::vector<z3::expr> xmarks;  // per slot: its copy of this dir has opaque=x
  };

  Result lookup(const DirState& parent, int d) {
    const SymStack& s = e.stack_;
    std::string tag = "d" + std::to_string(d);
    z3::expr has_data = B(false);
    for (int l = 0; l < K; ++l) has_data = has_data || role(l) == kData;
    z3::expr check_mode = s.follow || has_data;
    std::vector<z3::expr> lowest;
    for (int l = 0; l < K; ++l) {
      z3::expr later = B(false);
      for (int m = l + 1; m < K; ++m) later = later || role(m) == kLower;
      lowest.push_back(role(l) == kLower && !later);
    }
    z3::expr any_poe = B(false);
    for (int l = 0; l < K; ++l) any_poe = any_poe || parent.in_stack[l];

    LState st{I(0),  B(false), B(false), B(false), z3::ite(check_mode, B(false), !any_poe), B(false), B(false),
              I(1),  I(2),     B(false), B(false), B(false), B(false), I(-1)};
    // Upper.
    auto [ust, uf] = walk(st, 0, parent.upper_pos, true);
    st = LState::ite(parent.upper_in, ust, st);
    z3::expr upper_found = parent.upper_in && uf.found;
    z3::expr upper_kind = uf.kind, upper_pos = uf.pos;
    z3::expr upper_mc = upper_found && !st.is_dir && st.metacopy;
    z3::expr use_roe = st.redirect && st.nabs;
    st = bind(st, tag + ".upper");

    std::vector<z3::expr> stored, spos, skind, xmarks;
    z3::expr ctr = I(0);
    for (int l = 0; l < K; ++l) {
      auto member = [&](int m, const z3::expr& roe) { return z3::ite(roe, role(m) == kLower, parent.in_stack[m]); };
      z3::expr consult = st.err == 0 && !st.stop && member(l, use_roe);
      z3::expr follow_ok = !(st.metacopy && !s.metacopy_on) && !(st.redirect && !s.follow);
      LState pre = st;
      pre.err = z3::ite(consult && !follow_ok, I(kEPERM), st.err);
      z3::expr go = consult && follow_ok;
      z3::expr later = B(false);
      for (int m = l + 1; m < K; ++m) later = later || member(m, use_roe);
      LState lst = pre;
      lst.last = z3::ite(!check_mode, !later, z3::ite(pre.is_dir || !has_data, lowest[l], pre.last));
      z3::expr base = z3::ite(use_roe, I(0), parent.pos[l]);
      auto [wst, f] = walk(lst, l, base, false);
      z3::expr found = go && f.found;
      z3::expr store = found && !(wst.metacopy && ctr > 0);
      stored.push_back(store);
      xmarks.push_back(go && f.xmark);
      spos.push_back(z3::ite(store, f.pos, I(0)));
      skind.push_back(z3::ite(store, f.kind, I(kNone)));
      ctr = ctr + z3::ite(store, I(1), I(0));
      z3::expr switch_roe = found && !wst.stop && wst.redirect && wst.nabs && !use_roe;
      st = LState::ite(go, wst, pre);
      use_roe = use_roe || switch_roe;
      st = bind(st, tag + ".L" + std::to_string(l));
      ctr = bind(ctr, tag + ".ctr" + std::to_string(l));
      use_roe = bind(use_roe, tag + ".roe" + std::to_string(l));
    }

    // After the loop: deferred data-only lookup, follow check, missing data.
    z3::expr deferred = st.err == 0 && st.metacopy && has_data &&
                        ctr > 0 && (st.absredir || (B(e.sem_.dslash_redirect) && st.dslash));
    z3::expr follow_ok = !(st.metacopy && !s.metacopy_on) && !(st.redirect && !s.follow);
    z3::expr err = z3::ite(st.err == 0 && !deferred && !follow_ok, I(kEPERM), st.err);
    z3::expr mc_left = st.metacopy && !deferred;
    z3::expr ctr_after = ctr + z3::ite(deferred, I(1), I(0));
    err = z3::ite(err == 0 && (mc_left || (upper_mc && ctr_after == 0)), I(kEIO), err);
    err = z3::ite(err == 0 && !upper_found && ctr == 0, I(kENOENT), err);

    // The top entry and the data entry.
    z3::expr top_slot = I(-1), top_pos = I(0), top_kind = I(kNone);
    z3::expr last_slot = I(-1), last_pos = I(0);
    for (int l = K - 1; l >= 0; --l) {
      top_slot = z3::ite(stored[l], I(l), top_slot);
      top_pos = z3::ite(stored[l], spos[l], top_pos);
      top_kind = z3::ite(stored[l], skind[l], top_kind);
    }
    for (int l = 0; l < K; ++l) {
      last_slot = z3::ite(stored[l], I(l), last_slot);
      last_pos = z3::ite(stored[l], spos[l], last_pos);
    }
    top_slot = z3::ite(upper_found, I(0), top_slot);
    top_pos = z3::ite(upper_found, upper_pos, top_pos);
    top_kind = z3::ite(upper_found, upper_kind, top_kind);

    // Deferred: the data-only layers in order, the first regular file wins (R37).
    z3::expr dd_slot = I(-1), dd_pos = I(0), dd_err = I(kENOENT);
    {
      z3::expr done = B(false);
      for (int l = 0; l < K; ++l) {
        z3::expr isd = role(l) == kData;
        if (e.sem_.data_only_middle) isd = isd && I(l) > st.mcslot;  // [proposal.data-only-middle.resolve]
        // Walk st.nt components from the root; components from st.nmiss on are missing.
        z3::expr lerr = I(kENOENT);
        z3::expr going = B(true);
        for (int k = 1; k <= D + 1; ++k) {
          z3::expr kd = z3::ite(I(k) < st.nmiss, kind_at(l, I(k)), I(kNone));
          z3::expr final = st.nt == k;
          z3::expr step_err = z3::ite(kd == kNone, I(kENOENT),
                              z3::ite(final, z3::ite(kd == kReg, I(0), I(kENOENT)),
                              z3::ite(kd == kDir, I(0), z3::ite(kd == kLnk, I(kELOOP), I(kENOTDIR)))));
          z3::expr apply = going && I(k) <= st.nt;
          lerr = z3::ite(apply, step_err, lerr);
          going = apply && step_err == 0 && !final;
        }
        // ok is false once the walk ended; lerr holds its result (0 = a regular file).
        z3::expr hit = isd && !done && lerr == 0;
        dd_slot = z3::ite(hit, I(l), dd_slot);
        dd_pos = z3::ite(hit, st.nt, dd_pos);
        dd_err = z3::ite(isd && !done, lerr, dd_err);
        done = done || hit;
      }
    }

    Result r{err, top_kind, top_slot, top_pos, I(-1), I(0), I(0), st.xwh, DirState{B(false), B(false), I(0), {}, {}}, xmarks};
    z3::expr ok = err == 0;
    z3::expr is_reg = ok && top_kind == kReg;
    z3::expr upper_data = upper_found && !upper_mc;
    r.data_slot = z3::ite(upper_data, I(0), z3::ite(deferred, dd_slot, last_slot));
    r.data_depth = z3::ite(upper_data, upper_pos, z3::ite(deferred, dd_pos, last_pos));
    r.open_err = z3::ite(deferred && dd_slot == -1, dd_err, I(0));
    r.data_slot = z3::ite(is_reg, r.data_slot, I(-1));
    r.data_depth = z3::ite(is_reg && r.data_slot >= 0, r.data_depth, I(0));
    r.open_err = z3::ite(is_reg, r.open_err, I(0));

    r.dir.is_dir = ok && top_kind == kDir;
    r.dir.upper_in = r.dir.is_dir && upper_found;
    r.dir.upper_pos = z3::ite(r.dir.upper_in, upper_pos, I(0));
    for (int l = 0; l < K; ++l) {
      r.dir.in_stack.push_back(r.dir.is_dir && stored[l]);
      r.dir.pos.push_back(z3::ite(r.dir.is_dir && stored[l], spos[l], I(0)));
    }
    return r;
  }

  // readdir of a directory: is the next canonical name listed (R64–R66, R23, R25)? First
  // occurrence wins; a chardev whiteout is dropped from a merge dir; a regular entry of a lower layer
  // whose copy of the dir has opaque=x is checked by a lookup of the name, and dropped when that
  // lookup fails (`child_err`, the errno of looking the name up in this dir).
  z3::expr child_listed(const DirState& dir, const std::vector<z3::expr>& xmarks, const z3::expr& child_err,
                        bool is_root) {
    z3::expr n = I(0);
    for (int l = 0; l < K; ++l) n = n + z3::ite(dir.in_stack[l], I(1), I(0));
    z3::expr merge = B(is_root) || (dir.upper_in && n >= 1) || n >= 2;
    z3::expr decided = B(false), listed = B(false);
    auto consider = [&](int l, const z3::expr& member, const z3::expr& q, const z3::expr& xmark, bool upper) {
      z3::expr p = q + 1;
      z3::expr kd = kind_at(l, p);
      z3::expr present = member && kd != kNone;
      z3::expr hidden = merge && (kd == kWhiteout || (B(!upper) && kd == kReg && xmark && child_err != 0));
      listed = z3::ite(present && !decided, !hidden, listed);
      decided = decided || present;
    };
    consider(0, dir.upper_in, dir.upper_pos, B(false), true);
    for (int l = 0; l < K; ++l)
      consider(l, dir.in_stack[l], dir.pos[l], xmarks.empty() ? B(false) : xmarks[l], false);
    return dir.is_dir && listed;
  }

  // Binds an outcome field; canonicalisation as guarded constraints in relational mode.
  z3::expr out_field(const z3::expr& value, const z3::expr& applies, const z3::expr& canon, const std::string& n) {
    if (!e.opts_.relational) return e.opts_.canonicalise ? z3::ite(applies, value, canon) : value;
    z3::expr v = value.is_bool() ? c.bool_const(name(n).c_str()) : c.int_const(name(n).c_str());
    defs.push_back(z3::implies(applies, v == value));
    if (e.opts_.canonicalise) defs.push_back(z3::implies(!applies, v == canon));
    return v;
  }

  void build(bool given) {
    if (!given) {
      make_vars();
      e.stack_.metacopy_on = c.bool_const(name("opt.metacopy").c_str());
      e.stack_.follow = c.bool_const(name("opt.follow").c_str());
    }
    e.wellformed_ = wellformed();
    DirState root{B(true), role(0) == kUpper, I(0), {}, {}};
    for (int l = 0; l < K; ++l) {
      root.in_stack.push_back(role(l) == kLower);
      root.pos.push_back(I(0));
    }
    // Every depth's lookup first: a listing needs the errno of looking its child up.
    std::vector<Result> res;
    std::vector<DirState> dirs{root};
    std::vector<z3::expr> errs{I(0)};
    for (int d = 1; d <= D; ++d) {
      Result r = lookup(dirs.back(), d);
      const DirState& parent = dirs.back();
      // Below a failed or non-directory parent the path fails: the parent's errno, or ENOTDIR.
      errs.push_back(z3::ite(errs.back() != 0, errs.back(), z3::ite(parent.is_dir, r.err, I(kENOTDIR))));
      DirState here = r.dir;
      here.is_dir = parent.is_dir && r.dir.is_dir;
      dirs.push_back(here);
      res.push_back(r);
    }
    SymOutcome r0{I(0), I(kDir), I(-1), I(0), I(-1), I(0), I(0), B(false)};
    r0.child_listed = out_field(child_listed(root, {}, res[0].err, true), B(true), B(false), "out.d0.listed");
    e.out_.push_back(r0);
    for (int d = 1; d <= D; ++d) {
      const Result& r = res[d - 1];
      std::string o = "out.d" + std::to_string(d) + ".";
      z3::expr pok = dirs[d - 1].is_dir;
      z3::expr err = out_field(errs[d], B(true), I(0), o + "err");
      z3::expr ok = pok && err == 0;
      z3::expr is_reg = ok && r.type == kReg;
      SymOutcome so{err,
                    out_field(r.type, ok, I(kNone), o + "type"),
                    out_field(r.meta_slot, ok, I(-1), o + "meta_slot"),
                    out_field(r.meta_depth, ok, I(0), o + "meta_depth"),
                    out_field(r.data_slot, is_reg, I(-1), o + "data_slot"),
                    out_field(r.data_depth, is_reg, I(0), o + "data_depth"),
                    out_field(r.open_err, is_reg, I(0), o + "open_err"),
                    B(false)};
      z3::expr listed = d < D ? child_listed(dirs[d], r.xmarks, res[d].err, false) : B(false);
      so.child_listed = out_field(listed, dirs[d].is_dir, B(false), o + "listed");
      e.out_.push_back(so);
    }
    e.defs_ = z3::mk_and(defs);
  }
};

LookupEncoding::LookupEncoding(z3::context& ctx, LookupBound bound, Semantics sem, std::string prefix,
                               EncodingOptions opts)
    : ctx_(ctx),
      bound_(bound),
      sem_(sem),
      prefix_(std::move(prefix)),
      opts_(opts),
      stack_{ctx.bool_val(false), ctx.bool_val(true), {}, {}},
      wellformed_(ctx.bool_val(true)),
      defs_(ctx.bool_val(true)) {
  if (bound.layers < 2 || bound.layers > 8) throw std::invalid_argument("layer bound must be 2..8");
  if (bound.depth < 1 || bound.depth > 6) throw std::invalid_argument("depth bound must be 1..6");
  Encoder enc(*this);
  enc.build(false);
}

LookupEncoding::LookupEncoding(z3::context& ctx, LookupBound bound, Semantics sem, std::string prefix,
                               const SymStack& given, EncodingOptions opts)
    : ctx_(ctx),
      bound_(bound),
      sem_(sem),
      prefix_(std::move(prefix)),
      opts_(opts),
      stack_(given),
      wellformed_(ctx.bool_val(true)),
      defs_(ctx.bool_val(true)) {
  if (static_cast<int>(given.role.size()) != bound.layers || given.at.empty() ||
      static_cast<int>(given.at[0].size()) != bound.depth)
    throw std::invalid_argument("given stack does not match the bound");
  Encoder enc(*this);
  enc.build(true);
}

}  // namespace ovl::smt
