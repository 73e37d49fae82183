// The option language, row by row: every string of R52–R54 and every conflict of R59, with
// the errno, the kernel's message and the mountinfo line the kernel gives (6.18, module
// defaults redirect_dir=N redirect_always_follow=Y metacopy=N index=N nfs_export=N xino_auto=N).
#include <gtest/gtest.h>

#include <cerrno>
#include <set>
#include <string>

#include "ovl/errnos.hpp"
#include "ovl/option_table.hpp"
#include "ovl/options.hpp"

namespace ovl {
namespace {

/// A scratch with directories A, B, C, D, A:x, A,b, A\b, A\,b, A/sub, U, U/w, W, d0…d999,
/// the regular file F; everything else is missing. All on one filesystem and mount.
PathInfo fake_probe(const std::string& p) {
  static const std::set<std::string> dirs = {"A",   "B",     "C",     "D",  "A:x", "A,b", "A\\b",
                                             "A\\,b", "A/sub", "U", "U/w", "W"};
  PathInfo i;
  i.canonical = "/s/" + p;
  i.fs = 1;
  i.mnt = 1;
  if (p == "F") {
    i.is_dir = false;
  } else if (!dirs.count(p) && !(p.size() > 1 && p[0] == 'd' && p.find_first_not_of("0123456789", 1) == std::string::npos)) {
    i.err = ENOENT;
  }
  return i;
}

ParseContext ctx(bool privileged = true) {
  ParseContext c;
  c.probe = fake_probe;
  c.privileged = privileged;
  return c;
}

/// One row: the legacy string, and either the mountinfo of the accepted mount, or the errno and
/// the message of the refusal.
struct Row {
  std::string data;
  std::string mountinfo;  // accepted: the super options field
  int err = 0;            // refused: the errno …
  std::string message;    // … and the kernel's message
  bool privileged = true;
};

void check(const Row& r) {
  SCOPED_TRACE("options: " + r.data);
  MountResult res = parse_mount_options(r.data, ctx(r.privileged));
  if (r.err == 0) {
    if (auto* e = std::get_if<MountError>(&res)) FAIL() << "refused: " << errno_name(e->err) << " " << e->message;
    EXPECT_EQ(std::get<MountConfig>(res).mountinfo, r.mountinfo);
  } else {
    auto* e = std::get_if<MountError>(&res);
    ASSERT_NE(e, nullptr) << "accepted: " << std::get<MountConfig>(res).mountinfo;
    EXPECT_EQ(errno_name(e->err), errno_name(r.err));
    EXPECT_EQ(e->message, r.message);
    EXPECT_FALSE(e->clause.empty());
  }
}

const std::string kUp = "lowerdir=A,upperdir=U,workdir=W";
const std::string kUpInfo = "rw,lowerdir=A,upperdir=U,workdir=W";

TEST(Options, LowerdirGrammarR52) {
  const Row rows[] = {
      {"lowerdir=A:B::C", "ro,lowerdir=A:B::C,redirect_dir=on"},
      {"lowerdir=A::B::C", "ro,lowerdir=A::B::C,redirect_dir=on"},
      {"lowerdir=A::B", "ro,lowerdir=A::B,redirect_dir=on"},
      {"lowerdir=A\\:x:B", "ro,lowerdir=A\\134:x:B,redirect_dir=on"},
      {"lowerdir=A\\,b:B", "ro,lowerdir=A\\134\\054b:B,redirect_dir=on"},
      {"lowerdir=A\\\\b:B", "ro,lowerdir=A\\134\\134b:B,redirect_dir=on"},
      {"lowerdir=A\\::B", "", ENOENT, "failed to resolve 'A:': -2"},
      {"lowerdir=A::B:C", "", EINVAL, "regular lower layers cannot follow data lower layers"},
      {"lowerdir=::A", "", EINVAL, "cannot append lower layer"},
      {"lowerdir=:A", "", EINVAL, "cannot append lower layer"},
      {"lowerdir=A:", "", EINVAL, "unescaped trailing colons in lowerdir mount option."},
      {"lowerdir=A::", "", EINVAL, "unescaped trailing colons in lowerdir mount option."},
      {"lowerdir=A:\\", "", EINVAL, "unescaped trailing colons in lowerdir mount option."},
      {"lowerdir=A:::B", "", EINVAL,
       "only single ':' or double '::' sequences of unescaped colons in lowerdir mount option allowed."},
      {"lowerdir=", "", EINVAL, "missing 'lowerdir'"},
      {"lowerdir=A", "", EINVAL, "at least 2 lowerdir are needed while upperdir nonexistent"},
      {"lowerdir=B:A,lowerdir=A", "", EINVAL, "at least 2 lowerdir are needed while upperdir nonexistent"},
      {"lowerdir=\\", "", EINVAL, "empty lowerdir"},
      {"lowerdir=A:F", "", EINVAL, "F is not a directory"},
      {"lowerdir=A:X", "", ENOENT, "failed to resolve 'X': -2"},
      {"lowerdir=A:A", "", ELOOP, "conflicting lowerdir path"},
      {"lowerdir=A:A/sub", "", ELOOP, "overlapping lowerdir path"},
      {"lowerdir=A/sub:A", "", ELOOP, "overlapping lowerdir path"},
  };
  for (const auto& r : rows) check(r);
}

TEST(Options, LowerdirPlusR54) {
  const Row rows[] = {
      {"lowerdir+=A,lowerdir+=B,datadir+=C", "ro,lowerdir+=A,lowerdir+=B,datadir+=C,redirect_dir=on"},
      {"lowerdir+=A,datadir+=C,lowerdir+=B", "", EINVAL, "regular lower layers cannot follow data layers"},
      {"lowerdir=A:B,lowerdir+=C", "", EINVAL, "lowerdir+ and datadir+ cannot follow lowerdir"},
      {"lowerdir=A:B,datadir+=C", "", EINVAL, "lowerdir+ and datadir+ cannot follow lowerdir"},
      {"lowerdir=,lowerdir+=A,lowerdir+=B", "ro,lowerdir+=A,lowerdir+=B,redirect_dir=on"},
      {"lowerdir+=A,lowerdir+=B,lowerdir=C:D", "ro,lowerdir=C:D,redirect_dir=on"},
      {"lowerdir+=,lowerdir+=A", "", EINVAL, "Bad value for 'lowerdir+'"},
      {"lowerdir+", "", EINVAL, "Bad value for 'lowerdir+'"},
      {"datadir+=A,datadir+=B", "", EINVAL, "at least one non-data lowerdir is required"},
      {"lowerdir+=A\\,b,lowerdir+=B", "ro,lowerdir+=A\\134\\054b,lowerdir+=B,redirect_dir=on"},
      {"lowerdir+=A:x,lowerdir+=B", "ro,lowerdir+=A:x,lowerdir+=B,redirect_dir=on"},
      {"lowerdir+=A\\:x,lowerdir+=B", "", ENOENT, "failed to resolve 'A\\:x': -2"},
      {"lowerdir+=A,datadir+=B", "ro,lowerdir+=A,datadir+=B,redirect_dir=on"},
      {"lowerdir+=A,lowerdir+=F", "", EINVAL, "F is not a directory"},
  };
  for (const auto& r : rows) check(r);
}

TEST(Options, KeysAndValuesR57) {
  const Row rows[] = {
      {"lowerdir=A:B,foo", "", EINVAL, "Unknown parameter 'foo'"},
      {"lowerdir=A:B,foo=1", "", EINVAL, "Unknown parameter 'foo'"},
      {"lowerdir=A:B,metacopy", "", EINVAL, "Bad value for 'metacopy'"},
      {"lowerdir=A:B,userxattr=on", "", EINVAL, "Unexpected value for 'userxattr'"},
      {"lowerdir=A:B,userxattr=", "", EINVAL, "Unexpected value for 'userxattr'"},
      {"lowerdir=A:B,redirect_dir=maybe", "", EINVAL, "Bad value for 'redirect_dir'"},
      {"lowerdir=A:B,index=ON", "", EINVAL, "Bad value for 'index'"},
      {"lowerdir=A:B,upperdir=", "", EINVAL, "Bad value for 'upperdir'"},
      {"lowerdir=A:B,override_creds", "ro,lowerdir=A:B,redirect_dir=on"},
      {"lowerdir=A:B,nooverride_creds", "ro,lowerdir=A:B,redirect_dir=on"},
      {"lowerdir=A:B,override_creds=1", "", EINVAL, "Unexpected value for 'override_creds'"},
      {"lowerdir=A:B,nooverride_creds=1", "", EINVAL, "Unknown parameter 'nooverride_creds'"},
      {"lowerdir=A:B,nouserxattr", "", EINVAL, "Unknown parameter 'nouserxattr'"},
      {"lowerdir=A:B,,=x,default_permissions", "ro,lowerdir=A:B,default_permissions,redirect_dir=on"},
      {"lowerdir=A:B,fsync=strict", "ro,lowerdir=A:B,redirect_dir=on,fsync=strict"},
      {"lowerdir=A:B,xino=on", "ro,lowerdir=A:B,redirect_dir=on"},
      {"lowerdir=A:B,redirect_dir=nofollow", "ro,lowerdir=A:B,redirect_dir=nofollow"},
      {"lowerdir=A:B,redirect_dir=off", "ro,lowerdir=A:B,redirect_dir=on"},
      {"lowerdir=A:B,ro,sync", "ro,sync,lowerdir=A:B,redirect_dir=on"},
      {"lowerdir=A:B,mand,lazytime=x,dirsync", "ro,dirsync,mand,lazytime,lowerdir=A:B,redirect_dir=on"},
      {"lowerdir=A:B,source=x", "", EINVAL, "Multiple sources"},
      {"lowerdir=A:B,source", "", EINVAL, "Non-string source"},
      {kUp + ",ro", "ro,lowerdir=A,upperdir=U,workdir=W,uuid=on"},
      {kUp + ",redirect_dir=off", kUpInfo + ",uuid=on"},
      {kUp + ",redirect_dir=nofollow", kUpInfo + ",redirect_dir=nofollow,uuid=on"},
      {kUp + ",uuid=off", kUpInfo + ",uuid=off"},
      {kUp + ",uuid=auto", kUpInfo + ",uuid=on"},
      {"lowerdir=A:B,uuid=on", "ro,lowerdir=A:B,redirect_dir=on,uuid=null"},
      {"lowerdir=A:B,uuid=auto", "ro,lowerdir=A:B,redirect_dir=on"},
      {"lowerdir=A:B,uuid=off", "ro,lowerdir=A:B,redirect_dir=on,uuid=null"},
      {"lowerdir=A:B,verity=require,metacopy=off", "ro,lowerdir=A:B,redirect_dir=on,verity=require"},
      {"lowerdir=A,upperdir=U\\,x,workdir=W", "", ENOENT, "failed to resolve 'U,x': -2"},
  };
  for (const auto& r : rows) check(r);
}

TEST(Options, ConflictsAndFallbacksR59) {
  const Row rows[] = {
      {kUp, kUpInfo + ",uuid=on"},
      {kUp + ",metacopy=on,redirect_dir=follow", "", EINVAL, "conflicting options: metacopy=on,redirect_dir=follow"},
      {kUp + ",metacopy=on,redirect_dir=off", "", EINVAL, "conflicting options: metacopy=on,redirect_dir=follow"},
      {kUp + ",redirect_dir=nofollow,metacopy=on", "", EINVAL, "conflicting options: metacopy=on,redirect_dir=nofollow"},
      {"lowerdir=A:B,metacopy=on,redirect_dir=follow", "ro,lowerdir=A:B,redirect_dir=on,metacopy=on"},
      {"lowerdir=A:B,metacopy=on,redirect_dir=nofollow", "", EINVAL, "conflicting options: metacopy=on,redirect_dir=nofollow"},
      {kUp + ",metacopy=on", kUpInfo + ",redirect_dir=on,uuid=on,metacopy=on"},
      {kUp + ",nfs_export=on,index=off", "", EINVAL, "conflicting options: nfs_export=on,index=off"},
      {kUp + ",index=off,nfs_export=on", "", EINVAL, "conflicting options: nfs_export=on,index=off"},
      {kUp + ",nfs_export=on", kUpInfo + ",index=on,uuid=on,nfs_export=on"},
      {"lowerdir=A:B,nfs_export=on", "ro,lowerdir=A:B,redirect_dir=on"},
      {"lowerdir=A:B,nfs_export=on,redirect_dir=nofollow", "ro,lowerdir=A:B,redirect_dir=nofollow,nfs_export=on"},
      {kUp + ",nfs_export=on,metacopy=on", "", EINVAL, "conflicting options: nfs_export=on,metacopy=on"},
      {kUp + ",metacopy=on,nfs_export=on,index=on", "", EINVAL, "conflicting options: nfs_export=on,metacopy=on"},
      {kUp + ",userxattr,redirect_dir=on", "", EINVAL, "conflicting options: userxattr,redirect_dir=on"},
      {"lowerdir=A:B,userxattr,redirect_dir=follow", "", EINVAL, "conflicting options: userxattr,redirect_dir=on"},
      {kUp + ",userxattr,metacopy=on", "", EINVAL, "conflicting options: userxattr,metacopy=on"},
      {kUp + ",userxattr", kUpInfo + ",redirect_dir=nofollow,uuid=on,userxattr"},
      {kUp + ",userxattr,redirect_dir=nofollow,metacopy=off", kUpInfo + ",redirect_dir=nofollow,uuid=on,userxattr"},
      {"lowerdir=A:B,workdir=W", "ro,lowerdir=A:B,redirect_dir=on"},
      {"lowerdir=A:B,index=on", "ro,lowerdir=A:B,redirect_dir=on"},
      {"lowerdir=A:B,volatile", "ro,lowerdir=A:B,redirect_dir=on"},
      {kUp + ",volatile", kUpInfo + ",uuid=on,fsync=volatile"},
      {kUp + ",verity=require", kUpInfo + ",uuid=on,verity=require"},
      {kUp + ",index=on", kUpInfo + ",index=on,uuid=on"},
      {"lowerdir=A,upperdir=U", "", EINVAL, "missing 'workdir'"},
      {"lowerdir=A,upperdir=U,workdir=U", "", EINVAL, "workdir and upperdir must be separate subtrees"},
      {"lowerdir=A,upperdir=U,workdir=U/w", "", EINVAL, "workdir and upperdir must be separate subtrees"},
      {"lowerdir=U,upperdir=U,workdir=W", "", ELOOP, "conflicting lowerdir path"},
      {"lowerdir=W,upperdir=U,workdir=W", "", ELOOP, "conflicting lowerdir path"},
      {"lowerdir=U/w,upperdir=U,workdir=W", "", ELOOP, "overlapping lowerdir path"},
      {"upperdir=U,workdir=W", "", EINVAL, "missing 'lowerdir'"},
      {"lowerdir=A::B,upperdir=U,workdir=W", "rw,lowerdir=A::B,upperdir=U,workdir=W,uuid=on"},
  };
  for (const auto& r : rows) check(r);
}

TEST(Options, UnprivilegedR59) {
  const Row rows[] = {
      {kUp, kUpInfo + ",redirect_dir=nofollow,uuid=null", 0, "", false},  // the trusted xattr fallback
      {kUp + ",redirect_dir=on", "", EPERM, "redirect_dir requires permission to access trusted xattrs", false},
      {kUp + ",redirect_dir=nofollow", kUpInfo + ",redirect_dir=nofollow,uuid=null", 0, "", false},
      {kUp + ",uuid=off", kUpInfo + ",redirect_dir=nofollow,uuid=off", 0, "", false},
      {"lowerdir=A:B", "ro,lowerdir=A:B,redirect_dir=on", 0, "", false},
      {kUp + ",metacopy=on", "", EPERM, "metacopy requires permission to access trusted xattrs", false},
      {kUp + ",verity=on", "", EPERM, "verity requires permission to access trusted xattrs", false},
      {"lowerdir=A::B", "", EPERM, "lower data-only dirs require permission to access trusted xattrs", false},
      {kUp + ",userxattr", kUpInfo + ",redirect_dir=nofollow,uuid=on,userxattr", 0, "", false},
      {kUp + ",userxattr,metacopy=on", "", EINVAL, "conflicting options: userxattr,metacopy=on", false},
      // without CAP_DAC_READ_SEARCH no file handles: index and nfs_export fall back to off
      {kUp + ",userxattr,nfs_export=on", kUpInfo + ",redirect_dir=nofollow,uuid=on,userxattr", 0, "", false},
      {kUp + ",nfs_export=on", kUpInfo + ",redirect_dir=nofollow,uuid=null", 0, "", false},
      {"lowerdir=A:B,redirect_dir=nofollow,nfs_export=on", "ro,lowerdir=A:B,redirect_dir=nofollow", 0, "", false},
  };
  for (const auto& r : rows) check(r);
}

std::string many(int n, const char* sep) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? sep : "") + ("d" + std::to_string(i));
  return s;
}

TEST(Options, LimitsR6R51) {
  check({"lowerdir=" + many(500, ":"), "ro,lowerdir=" + many(500, ":") + ",redirect_dir=on"});
  check({"lowerdir=" + many(501, ":"), "", EINVAL, "too many lower directories, limit is 500"});
  check({"lowerdir=" + many(499, ":") + "::A::B", "", EINVAL, "too many lower directories, limit is 500"});
  // The legacy page holds only part of that string; through fsconfig the 501st call fails.
  std::vector<FsconfigCall> calls;
  for (int i = 0; i < 501; ++i) calls.push_back({FsconfigCall::Kind::String, "lowerdir+", "d" + std::to_string(i)});
  FsconfigOutcome out = run_fsconfig(calls, ctx());
  auto* e = std::get_if<MountError>(&out.result);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->message, "too many lower directories, limit is 500");
  EXPECT_TRUE(e->in_fc_log);
  EXPECT_EQ(out.failed_call, std::optional<std::size_t>(500));
  calls.pop_back();
  EXPECT_TRUE(std::holds_alternative<MountConfig>(parse_fsconfig(calls, ctx())));
  // R51: the page ends at 4095 bytes; the truncated last layer name does not resolve.
  std::string data = "lowerdir=A:" + std::string(4095 - 11 - 1, 'x') + "yz";
  ASSERT_GT(data.size(), kLegacyDataMax);
  check({data, "", ENOENT, "failed to resolve '" + std::string(4095 - 11 - 1, 'x') + "y': -2"});
  EXPECT_EQ(split_option_string("a\\,b,c\\").size(), 2u);
  EXPECT_EQ(split_option_string("a\\,b,c\\")[1], "c\\");
}

TEST(Options, StackingDepthR6) {
  ParseContext c = ctx();
  c.probe = [](const std::string& p) {
    PathInfo i = fake_probe(p);
    if (p == "B") i.stack_depth = 1;  // B lies on an overlay
    if (p == "C") i.stack_depth = 2;  // C lies on an overlay of an overlay
    return i;
  };
  EXPECT_TRUE(std::holds_alternative<MountConfig>(parse_mount_options("lowerdir=A:B", c)));
  auto r = parse_mount_options("lowerdir=A:C", c);
  ASSERT_TRUE(std::holds_alternative<MountError>(r));
  EXPECT_EQ(std::get<MountError>(r).message, "maximum fs stacking depth exceeded");
  r = parse_mount_options("lowerdir=A,upperdir=B,workdir=W", c);
  ASSERT_TRUE(std::holds_alternative<MountError>(r));
  EXPECT_EQ(std::get<MountError>(r).message, "filesystem on B not supported as upperdir");
}

TEST(Options, LockedSubmountsUnprivileged) {
  ParseContext c = ctx(false);
  c.probe = [](const std::string& p) {
    PathInfo i = fake_probe(p);
    i.has_submounts = p == "A";
    return i;
  };
  auto r = parse_mount_options("lowerdir=B:A:A/sub", c);  // clone fails before the overlap check
  ASSERT_TRUE(std::holds_alternative<MountError>(r));
  EXPECT_EQ(std::get<MountError>(r).message, "failed to clone lowerpath");
  c.privileged = true;
  r = parse_mount_options("lowerdir=B:A", c);
  EXPECT_TRUE(std::holds_alternative<MountConfig>(r));
}

TEST(Options, FsconfigR55R56) {
  using K = FsconfigCall::Kind;
  // upperdir is unescaped even through fsconfig, lowerdir+ never is.
  auto r = run_fsconfig({{K::String, "lowerdir+", "A"}, {K::String, "upperdir", "U\\,x"}, {K::String, "workdir", "W"}}, ctx());
  ASSERT_TRUE(std::holds_alternative<MountError>(r.result));
  EXPECT_EQ(std::get<MountError>(r.result).message, "failed to resolve 'U,x': -2");
  EXPECT_EQ(r.failed_call, std::optional<std::size_t>(1));
  // Descriptors are recorded by d_path.
  r = run_fsconfig({{K::Fd, "lowerdir+", "A"}, {K::Fd, "datadir+", "B"}, {K::Fd, "upperdir", "U"}, {K::Fd, "workdir", "W"}}, ctx());
  ASSERT_TRUE(std::holds_alternative<MountConfig>(r.result));
  EXPECT_EQ(std::get<MountConfig>(r.result).mountinfo,
            "rw,lowerdir+=/s/A,datadir+=/s/B,upperdir=/s/U,workdir=/s/W,uuid=on");
  // No descriptor can be opened on an empty path, with or without a probe (found by
  // fuzz/fuzz_fsconfig.cpp: an empty fd path reached the overlap check as an empty root).
  EXPECT_THROW(run_fsconfig({{K::Fd, "lowerdir+", "A"}, {K::Fd, "datadir+", ""}}, ParseContext{}), std::invalid_argument);
  EXPECT_THROW(run_fsconfig({{K::Fd, "lowerdir+", ""}}, ctx()), std::invalid_argument);
  // A descriptor for a key that takes none, a flag for a string key, a string for a flag.
  r = run_fsconfig({{K::Fd, "lowerdir", "A"}}, ctx());
  EXPECT_EQ(std::get<MountError>(r.result).message, "Bad value for 'lowerdir'");
  r = run_fsconfig({{K::Flag, "upperdir", ""}}, ctx());
  EXPECT_EQ(std::get<MountError>(r.result).message, "Bad value for 'upperdir'");
  r = run_fsconfig({{K::String, "userxattr", ""}}, ctx());
  EXPECT_EQ(std::get<MountError>(r.result).message, "Unexpected value for 'userxattr'");
  r = run_fsconfig({{K::Flag, "nooverride_creds", ""}, {K::String, "lowerdir", "A:B"}}, ctx());
  EXPECT_TRUE(std::holds_alternative<MountConfig>(r.result));
  // Errors of CMD_CREATE are reported after the last call.
  r = run_fsconfig({{K::String, "lowerdir", "A"}}, ctx());
  EXPECT_EQ(r.failed_call, std::optional<std::size_t>(1));
  // Values longer than 255 bytes never reach overlay.
  r = run_fsconfig({{K::String, "lowerdir", std::string(256, 'a')}}, ctx());
  EXPECT_EQ(std::get<MountError>(r.result).err, EINVAL);
  EXPECT_EQ(r.failed_call, std::optional<std::size_t>(0));
}

TEST(Options, ToFsconfigRoundTrip) {
  const std::string data = "lowerdir=A\\:x:B::C,upperdir=U,workdir=W,metacopy=on,userxattr";
  // userxattr + explicit metacopy conflicts; drop userxattr.
  const std::string ok = "lowerdir=A\\:x:B::C,upperdir=U,workdir=W,metacopy=on,default_permissions";
  auto legacy = parse_mount_options(ok, ctx());
  ASSERT_TRUE(std::holds_alternative<MountConfig>(legacy));
  auto calls = to_fsconfig(std::get<MountConfig>(legacy), ok);
  ASSERT_GE(calls.size(), 5u);
  EXPECT_EQ(calls[0].key, "lowerdir+");
  EXPECT_EQ(calls[0].value, "A:x");
  EXPECT_EQ(calls[2].key, "datadir+");
  auto viaapi = parse_fsconfig(calls, ctx());
  ASSERT_TRUE(std::holds_alternative<MountConfig>(viaapi));
  EXPECT_EQ(std::get<MountConfig>(viaapi).mountinfo,
            "rw,lowerdir+=A:x,lowerdir+=B,datadir+=C,upperdir=U,workdir=W,default_permissions,redirect_dir=on,"
            "uuid=on,metacopy=on");
  EXPECT_TRUE(std::holds_alternative<MountError>(parse_mount_options(data, ctx())));
}

TEST(Options, DataOnlyMiddleProposal) {
  ParseContext c = ctx();
  c.semantics.data_only_middle = true;
  auto r = parse_mount_options("lowerdir=A::B:C::D", c);
  ASSERT_TRUE(std::holds_alternative<MountConfig>(r));
  const auto& l = std::get<MountConfig>(r).lowers;
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[0].role, Role::Lower);
  EXPECT_EQ(l[1].role, Role::DataOnly);
  EXPECT_EQ(l[2].role, Role::Lower);
  EXPECT_EQ(l[3].role, Role::DataOnly);
  // The fsconfig translation keeps the layer order (found by fuzz/fuzz_options.cpp: it listed
  // every lowerdir+ before every datadir+, so C moved above B).
  auto calls = to_fsconfig(std::get<MountConfig>(r), "lowerdir=A::B:C::D");
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[1].key, "datadir+");
  EXPECT_EQ(calls[1].value, "B");
  EXPECT_EQ(calls[2].key, "lowerdir+");
  EXPECT_EQ(calls[2].value, "C");
  auto via = parse_fsconfig(calls, c);
  ASSERT_TRUE(std::holds_alternative<MountConfig>(via));
  EXPECT_EQ(std::get<MountConfig>(via).lowers[1].path, "B");
  EXPECT_EQ(std::get<MountConfig>(via).lowers[1].role, Role::DataOnly);
  EXPECT_TRUE(std::holds_alternative<MountError>(parse_mount_options("lowerdir=A::B:C::D", ctx())));
}

TEST(Options, FeatureLevels) {
  ParseContext c = ctx();
  c.semantics.kernel = {6, 6};
  auto r = parse_mount_options("lowerdir=A:B,lowerdir+=C", c);
  EXPECT_EQ(std::get<MountError>(r).message, "Unknown parameter 'lowerdir+'");
  r = parse_mount_options("lowerdir=A:B,verity=on", c);  // before 6.16 verity turns metacopy on
  EXPECT_EQ(std::get<MountConfig>(r).mountinfo, "ro,lowerdir=A:B,redirect_dir=on,metacopy=on,verity=on");
  r = parse_mount_options("lowerdir=A:B,verity=on,metacopy=off", c);
  EXPECT_EQ(std::get<MountError>(r).message, "conflicting options: metacopy=off,verity=on");
  c.privileged = false;  // before 6.12 nothing needed CAP_SYS_ADMIN
  EXPECT_TRUE(std::holds_alternative<MountConfig>(parse_mount_options("lowerdir=A::B", c)));
}

TEST(OptionTable, EveryKeyOnce) {
  std::set<std::string_view> keys;
  for (const auto& o : kOptionTable) {
    EXPECT_TRUE(keys.insert(o.key).second) << o.key;
    EXPECT_EQ(find_option(o.key), &o);
    EXPECT_EQ(o.kind == OptionKind::Enum, !option_values(o).empty()) << o.key;
  }
  EXPECT_EQ(find_option("nope"), nullptr);
  EXPECT_EQ(option_values(*find_option("redirect_dir")).size(), 4u);
}

}  // namespace
}  // namespace ovl
