// Proves Warden's dpkg and rpm version comparators against the package
// managers' own implementations: python3-apt's apt_pkg.version_compare (the
// libapt-pkg code dpkg's algorithm is mirrored in) and python3-rpm's
// rpm.labelCompare (librpm's rpmvercmp + EVR rules). A few thousand generated
// pairs (epochs, tildes, carets, letters against digits, leading zeros,
// empty releases, separators) plus hand-picked tricky ones are written to a
// file, judged by the system's Python in one run, and compared sign by sign.
// Also: a handful of plain expectations that document the rules by example.
#include "version/version_compare.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "testing/test_util.h"

namespace warden {
namespace {

using testing::RunCommand;
using testing::TempDir;

// The system's interpreter: the Debian packages python3-apt and python3-rpm
// install their modules for /usr/bin/python3, not for any other python3 on PATH.
constexpr const char* kSystemPython = "/usr/bin/python3";

int Sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

// Version strings built from the pieces that make comparators disagree.
class VersionGenerator {
 public:
  explicit VersionGenerator(uint32_t seed) : rng_(seed) {}

  std::string Segment() {
    static const char* kPieces[] = {
        "0", "1",  "2",    "9",      "10",  "01",    "001",     "100", "a",    "b",        "z",
        "A", "rc", "beta", "alpha",  "git", "p",     "~",       "~~",  "^",    "+",        ".",
        "-", "_",  "dfsg", "ubuntu", "el8", "el8_9", "deb12u1", "+b1", "~rc1", "^20230101"};
    return kPieces[Pick(sizeof kPieces / sizeof *kPieces)];
  }
  // An upstream/version part: starts with a digit, then a few pieces.
  std::string Upstream(bool allow_dash) {
    std::string v = std::to_string(Pick(12));
    size_t n = Pick(5);
    for (size_t i = 0; i < n; ++i) {
      std::string s = Segment();
      if (!allow_dash && s == "-") s = ".";
      v += s;
    }
    return v;
  }
  std::string Epoch() {
    size_t r = Pick(10);
    if (r < 6) return "";
    return std::to_string(r - 6);  // 0..3
  }
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  // Mutates a version a little, so pairs are often close (where bugs hide).
  std::string Near(const std::string& v) {
    std::string out = v;
    switch (Pick(4)) {
      case 0:
        out += Segment();
        break;
      case 1:
        if (!out.empty()) out.pop_back();
        break;
      case 2:
        if (!out.empty()) out[Pick(out.size())] = Segment()[0];
        break;
      default:
        out = Upstream(false);
        break;
    }
    return out;
  }

 private:
  std::mt19937 rng_;
};

// dpkg's syntax: [epoch:]upstream[-revision]; upstream starts with a digit
// and uses alphanumerics and . + ~ (- only with a revision, : only with an
// epoch); the revision is non-empty alphanumerics and . + ~.
bool IsValidDebianVersion(const std::string& v) {
  std::string_view s = v;
  size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    if (colon == 0) return false;
    for (char c : s.substr(0, colon))
      if (c < '0' || c > '9') return false;
    s.remove_prefix(colon + 1);
  }
  std::string_view upstream = s, revision;
  size_t dash = s.rfind('-');
  bool has_revision = dash != std::string_view::npos;
  if (has_revision) {
    upstream = s.substr(0, dash);
    revision = s.substr(dash + 1);
    if (revision.empty()) return false;
  }
  if (upstream.empty() || upstream[0] < '0' || upstream[0] > '9') return false;
  auto allowed = [](char c, bool extra_dash, bool extra_colon) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '~' ||
           (extra_dash && c == '-') || (extra_colon && c == ':');
  };
  for (char c : upstream)
    if (!allowed(c, has_revision, colon != std::string::npos)) return false;
  for (char c : revision)
    if (!allowed(c, false, false)) return false;
  return true;
}

// dpkg's own verdict: -1, 0 or 1.
int DpkgCompareVersions(const std::string& a, const std::string& b) {
  if (RunCommand({"dpkg", "--compare-versions", a, "lt", b}).exit_code == 0) return -1;
  if (RunCommand({"dpkg", "--compare-versions", a, "eq", b}).exit_code == 0) return 0;
  return 1;
}

struct DebPair {
  std::string a, b;
};
struct RpmPair {
  std::string ea, va, ra, eb, vb, rb;
  std::string Left() const {
    return (ea.empty() ? "" : ea + ":") + va + (ra.empty() ? "" : "-" + ra);
  }
  std::string Right() const {
    return (eb.empty() ? "" : eb + ":") + vb + (rb.empty() ? "" : "-" + rb);
  }
};

// Runs a Python program over a file of tab-separated fields; one int per line back.
std::vector<int> JudgeWithPython(const std::string& program, const std::string& lines) {
  TempDir dir;
  std::string input = dir.WriteFile("pairs.tsv", lines);
  std::string script = dir.WriteFile("judge.py", program);
  auto result = RunCommand({kSystemPython, script, input});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::vector<int> out;
  std::istringstream in(result.out);
  int v;
  while (in >> v) out.push_back(v);
  return out;
}

std::vector<DebPair> DebianPairs() {
  std::vector<DebPair> pairs = {
      {"1.0~rc1", "1.0"},
      {"1.0~~", "1.0~"},
      {"1.0~", "1.0"},
      {"1.0", "1.0+b1"},
      {"1:1.0", "2.0"},
      {"0:1.0", "1.0"},
      {"1.0a", "1.0"},
      {"1.0", "1.0.0"},
      {"01", "1"},
      {"1.001", "1.1"},
      {"1.0-1", "1.0-1.1"},
      {"2.30-1ubuntu1", "2.30-1"},
      {"1.2.3-1~deb12u1", "1.2.3-1"},
      {"1.0-0", "1.0"},
      {"a", "1"},
      {"1.0+dfsg-1", "1.0-1"},
      {"7.88.1-10+deb12u5", "7.88.1-10+deb12u12"},
      {"3.0.11-1~deb12u2", "3.0.11-1~deb12u1"},
      {"1.0-1", "1.0-1"},
      {"10:1", "9:2"},
      {"1.0~rc1-1", "1.0-0"},
      {"1.0.", "1.0"},
      {"1.0-a", "1.0-1"},
      {"1.", "1.0"},
      {"1.2.1-2.2+wheezy3", "1.2.1-2.2+wheezy2"},
  };
  VersionGenerator gen(12345);
  while (pairs.size() < 3000) {
    std::string ea = gen.Epoch(), eb = gen.Epoch();
    std::string a = gen.Upstream(true), b = gen.Pick(2) ? gen.Near(a) : gen.Upstream(true);
    if (gen.Pick(2)) a += "-" + gen.Upstream(false);
    if (gen.Pick(2)) b += "-" + gen.Upstream(false);
    DebPair p{(ea.empty() ? "" : ea + ":") + a, (eb.empty() ? "" : eb + ":") + b};
    // Only versions dpkg accepts: apt_pkg compares anything, but what it
    // says about "-4beta" or "59rc-" is not a contract anybody relies on.
    if (IsValidDebianVersion(p.a) && IsValidDebianVersion(p.b)) pairs.push_back(std::move(p));
  }
  return pairs;
}

std::vector<RpmPair> RpmPairs() {
  std::vector<RpmPair> pairs = {
      {"", "1.0~rc1", "1", "", "1.0", "1"},
      {"", "1.0^git1", "1", "", "1.0", "1"},
      {"", "1.0^", "1", "", "1.0", "1"},
      {"", "1.0~", "1", "", "1.0^", "1"},
      {"1", "1.0", "1", "", "2.0", "1"},
      {"0", "1.0", "1", "", "1.0", "1"},
      {"", "1.0a", "1", "", "1.0", "1"},
      {"", "1.0", "1", "", "1.0.0", "1"},
      {"", "01", "1", "", "1", "1"},
      {"", "1.001", "1", "", "1.1", "1"},
      {"", "1.0", "", "", "1.0", "1"},
      {"", "1.0", "1.el8", "", "1.0", "1.el8_9"},
      {"30", "9.3.3", "8.el5", "30", "9.3.3", "7.el5"},
      {"", "2.6.39", "400.302.2.el6uek", "", "2.6.39", "400.302.1.el6uek"},
      {"", "1.a", "1", "", "1.1", "1"},
      {"", "1_0", "1", "", "1.0", "1"},
      {"", "1.0", "1.module+el8.6.0+1", "", "1.0", "1.module+el8.7.0+1"},
      {"", "a", "1", "", "1", "1"},
      {"", "1.0.", "1", "", "1.0", "1"},
  };
  VersionGenerator gen(67890);
  while (pairs.size() < 3000) {
    RpmPair p;
    p.ea = gen.Epoch();
    p.eb = gen.Epoch();
    p.va = gen.Upstream(false);
    p.vb = gen.Pick(2) ? gen.Near(p.va) : gen.Upstream(false);
    for (char& c : p.vb)
      if (c == '-') c = '.';
    p.ra = gen.Pick(6) ? gen.Upstream(false) : "";
    p.rb = gen.Pick(3) ? (gen.Pick(2) ? gen.Near(p.ra) : gen.Upstream(false)) : "";
    for (char& c : p.rb)
      if (c == '-') c = '.';
    if (p.va.empty() || p.vb.empty()) continue;  // rpm has no empty versions
    pairs.push_back(p);
  }
  return pairs;
}

TEST(VersionCompareTest, DebianAgreesWithAptPkgOnGeneratedAndTrickyPairs) {
  std::vector<DebPair> pairs = DebianPairs();
  std::string lines;
  for (const auto& p : pairs) lines += p.a + "\t" + p.b + "\n";
  std::vector<int> expected = JudgeWithPython(
      "import sys, apt_pkg\n"
      "apt_pkg.init_system()\n"
      "for line in open(sys.argv[1]):\n"
      "    a, b = line.rstrip('\\n').split('\\t')\n"
      "    r = apt_pkg.version_compare(a, b)\n"
      "    print((r > 0) - (r < 0))\n",
      lines);
  ASSERT_EQ(expected.size(), pairs.size());
  int disagreements = 0, apt_dpkg_differences = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    int ours = Sign(CompareDebianVersions(pairs[i].a, pairs[i].b));
    if (ours != expected[i]) {
      // apt and dpkg themselves differ on a few valid versions ("1." vs
      // "1.0": apt says older, dpkg equal). dpkg decides what is installed,
      // so there its verdict is the reference.
      int dpkg = DpkgCompareVersions(pairs[i].a, pairs[i].b);
      if (dpkg == ours && dpkg != expected[i]) {
        ++apt_dpkg_differences;
        continue;
      }
      if (++disagreements <= 20)
        ADD_FAILURE() << "dpkg compare(" << pairs[i].a << ", " << pairs[i].b << "): warden " << ours
                      << ", apt_pkg " << expected[i] << ", dpkg " << dpkg;
    }
    // Antisymmetry: swapping the arguments flips the sign.
    EXPECT_EQ(Sign(CompareDebianVersions(pairs[i].b, pairs[i].a)), -ours)
        << pairs[i].a << " vs " << pairs[i].b;
  }
  EXPECT_EQ(disagreements, 0);
  ::testing::Test::RecordProperty("apt_dpkg_differences", apt_dpkg_differences);
  EXPECT_LT(apt_dpkg_differences, 100) << "most pairs must agree with apt_pkg directly";
}

TEST(VersionCompareTest, RpmAgreesWithLabelCompareOnGeneratedAndTrickyPairs) {
  std::vector<RpmPair> pairs = RpmPairs();
  std::string lines;
  for (const auto& p : pairs)
    lines += p.ea + "\t" + p.va + "\t" + p.ra + "\t" + p.eb + "\t" + p.vb + "\t" + p.rb + "\n";
  std::vector<int> expected = JudgeWithPython(
      "import sys, rpm\n"
      "for line in open(sys.argv[1]):\n"
      "    f = line.rstrip('\\n').split('\\t')\n"
      "    a = (f[0] or None, f[1], f[2] or None)\n"
      "    b = (f[3] or None, f[4], f[5] or None)\n"
      "    print(rpm.labelCompare(a, b))\n",
      lines);
  ASSERT_EQ(expected.size(), pairs.size());
  int disagreements = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const RpmPair& p = pairs[i];
    // labelCompare, like CompareRpmVersions, sorts a missing release first.
    int ours = Sign(CompareRpmVersions(p.Left(), p.Right()));
    if (ours != expected[i] && ++disagreements <= 20)
      ADD_FAILURE() << "rpm compare(" << p.Left() << ", " << p.Right() << "): warden " << ours
                    << ", labelCompare " << expected[i];
  }
  EXPECT_EQ(disagreements, 0);
}

TEST(VersionCompareTest, RpmVerCmpAgreesWithLabelCompareOnSingleSegments) {
  std::vector<RpmPair> pairs = RpmPairs();
  std::string lines;
  for (const auto& p : pairs) lines += p.va + "\t" + p.vb + "\n";
  std::vector<int> expected = JudgeWithPython(
      "import sys, rpm\n"
      "for line in open(sys.argv[1]):\n"
      "    a, b = line.rstrip('\\n').split('\\t')\n"
      "    print(rpm.labelCompare(('0', a, '1'), ('0', b, '1')))\n",
      lines);
  ASSERT_EQ(expected.size(), pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i)
    EXPECT_EQ(Sign(RpmVerCmp(pairs[i].va, pairs[i].vb)), expected[i])
        << pairs[i].va << " vs " << pairs[i].vb;
}

TEST(VersionCompareTest, TildeSortsBeforeRelease) {
  EXPECT_LT(CompareDebianVersions("1.0~rc1", "1.0"), 0);
  EXPECT_LT(CompareRpmVersions("1.0~rc1-1", "1.0-1"), 0);
}

TEST(VersionCompareTest, CaretSortsAfterBaseButBeforeNextSegment) {
  EXPECT_GT(CompareRpmVersions("1.0^git1-1", "1.0-1"), 0);
  EXPECT_LT(CompareRpmVersions("1.0^git1-1", "1.0.1-1"), 0);
}

TEST(VersionCompareTest, EpochOutranksVersion) {
  EXPECT_GT(CompareDebianVersions("1:1.0", "9.9"), 0);
  EXPECT_GT(CompareRpmVersions("30:9.3.3-8.el5", "9.9.9-1.el5"), 0);
}

TEST(VersionCompareTest, MissingEpochEqualsZero) {
  EXPECT_EQ(CompareDebianVersions("0:1.0-1", "1.0-1"), 0);
  EXPECT_EQ(CompareRpmVersions("0:1.0-1", "1.0-1"), 0);
}

TEST(VersionCompareTest, DebianSecurityUpdateSortsAfterBaseRevision) {
  EXPECT_GT(CompareDebianVersions("3.0.11-1~deb12u2", "3.0.11-1~deb12u1"), 0);
  EXPECT_LT(CompareDebianVersions("3.0.11-1~deb12u2", "3.0.11-1"), 0);
}

TEST(VersionCompareTest, RpmLettersSortBeforeDigits) {
  EXPECT_LT(RpmVerCmp("1.a", "1.1"), 0);
  EXPECT_GT(RpmVerCmp("1.0a", "1.0"), 0);
}

TEST(VersionCompareTest, LeadingZerosAreIgnoredInNumbers) {
  EXPECT_EQ(CompareDebianVersions("1.001", "1.1"), 0);
  EXPECT_EQ(RpmVerCmp("1.001", "1.1"), 0);
}

}  // namespace
}  // namespace warden
