#include <gtest/gtest.h>

#include <set>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::SqlFixture;

// The first processor's "key : value" from /proc/cpuinfo.
std::string CpuinfoField(const std::string& key) {
  std::string text = ReadWholeFile("/proc/cpuinfo");
  for (const std::string& line : Lines(text)) {
    size_t colon = line.find(':');
    if (colon != std::string::npos &&
        TrimWhitespace(std::string_view(line).substr(0, colon)) == key)
      return std::string(TrimWhitespace(std::string_view(line).substr(colon + 1)));
  }
  return "";
}

TEST(CpuidTableTest, FixtureRootHasNoRows) {
  // CPUID describes the machine running the query, not a fixture tree.
  SqlFixture db(SystemRoot());
  EXPECT_TRUE(db.Query("SELECT * FROM cpuid").rows.empty());
}

#if defined(__x86_64__)
TEST(CpuidTableLiveTest, VendorAndBrandMatchProcCpuinfo) {
  SqlFixture db;
  auto r = db.Query("SELECT feature, value FROM cpuid WHERE feature IN ('vendor', 'product_name')");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(Text(r, *FindRow(r, "feature", "vendor"), "value"), CpuinfoField("vendor_id"));
  // The brand string is what CPUID answers. Kernels usually print the same
  // text as "model name", but a hypervisor may give the kernel another one
  // (seen: CPUID "Oxide Virtual Turin-like Processor", /proc "AMD EPYC"), so
  // only its shape is checked here: printable, trimmed, not empty.
  const std::string brand = Text(r, *FindRow(r, "feature", "product_name"), "value");
  EXPECT_FALSE(brand.empty());
  EXPECT_EQ(brand, std::string(TrimWhitespace(brand)));
  for (char c : brand) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << brand;
}

TEST(CpuidTableLiveTest, FeatureBitsAgreeWithKernelFlags) {
  std::set<std::string> flags;
  const std::string flag_text = CpuinfoField("flags");
  for (auto f : SplitWhitespace(flag_text)) flags.emplace(f);
  SqlFixture db;
  auto r = db.Query("SELECT feature, value, output_register, input_eax FROM cpuid");
  // Flags the kernel reports under the same name and never masks.
  for (const char* name :
       {"sse", "sse2", "ssse3", "pae", "lm", "nx", "aes", "avx", "avx2", "hypervisor"}) {
    auto row = FindRow(r, "feature", name);
    ASSERT_TRUE(row.has_value()) << name;
    EXPECT_EQ(Text(r, *row, "value"), flags.count(name) ? "1" : "0") << name;
  }
  size_t lm = *FindRow(r, "feature", "lm");
  EXPECT_EQ(Text(r, lm, "input_eax"), "2147483649");
  EXPECT_EQ(Text(r, lm, "output_register"), "edx");
}

TEST(CpuidTableLiveTest, FamilyIsLeafOneBaseFamily) {
  SqlFixture db;
  auto r = db.Query("SELECT value FROM cpuid WHERE feature = 'family'");
  ASSERT_EQ(r.rows.size(), 1u);
  // /proc/cpuinfo's family adds the extended family for family 15.
  int64_t family = std::stoll(CpuinfoField("cpu family"));
  int64_t base = family >= 15 ? 15 : family;
  char expected[8];
  std::snprintf(expected, sizeof expected, "%04llx", static_cast<long long>(base << 8));
  EXPECT_EQ(Text(r, 0, "value"), expected);
}
#endif

}  // namespace
}  // namespace warden::system_test
