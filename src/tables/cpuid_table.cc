// cpuid: processor identification and feature bits from the CPUID
// instruction of the CPU the query runs on (x86-64 only; other architectures
// and fixture trees/images have no rows, since the instruction describes
// this machine, not the files being read). Rows, with osquery's names and
// formats: "vendor" (GenuineIntel, AuthenticAMD), "product_name" (the brand
// string), "family" (EAX[11:8] of leaf 1 as 4 hex digits, osquery's format),
// "hypervisor_id" when running under a hypervisor (its signature text, e.g.
// "KVMKVMKVM", where osquery prints raw register hex), then one row per
// feature flag with value "1"/"0", the register and bit it comes from and
// the leaf as a decimal input_eax ("2147483649" for 0x80000001). Leaves the
// CPU does not implement are skipped rather than read as garbage; osquery's
// obsolete "serial" (processor serial number) and SGX leaf dumps are not
// reported.
#include "sql/table.h"
#include "tables/system_tables.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <cstdio>
#include <cstring>
#include <iterator>
#include <vector>

namespace warden {
namespace {

#if defined(__x86_64__) || defined(__i386__)

struct CpuidFeature {
  const char* name;
  uint32_t leaf;
  int reg;  // 0 eax, 1 ebx, 2 ecx, 3 edx
  int bit;
};

constexpr const char* kRegisterNames[] = {"eax", "ebx", "ecx", "edx"};

constexpr CpuidFeature kFeatures[] = {
    // Leaf 1, EDX.
    {"msr", 1, 3, 5},
    {"pae", 1, 3, 6},
    {"sep", 1, 3, 11},
    {"mtrr", 1, 3, 12},
    {"pge", 1, 3, 13},
    {"mca", 1, 3, 14},
    {"pat", 1, 3, 16},
    {"clfsh", 1, 3, 19},
    {"acpi", 1, 3, 22},
    {"mmx", 1, 3, 23},
    {"sse", 1, 3, 25},
    {"sse2", 1, 3, 26},
    {"ss", 1, 3, 27},
    {"htt", 1, 3, 28},
    {"ia64", 1, 3, 30},
    // Leaf 1, ECX.
    {"sse3", 1, 2, 0},
    {"vmx", 1, 2, 5},
    {"smx", 1, 2, 6},
    {"ssse3", 1, 2, 9},
    {"sdbg", 1, 2, 11},
    {"pdcm", 1, 2, 15},
    {"pcid", 1, 2, 17},
    {"dca", 1, 2, 18},
    {"sse4.1", 1, 2, 19},
    {"sse4.2", 1, 2, 20},
    {"aes", 1, 2, 25},
    {"avx", 1, 2, 28},
    {"rdrand", 1, 2, 30},
    {"hypervisor", 1, 2, 31},
    // Leaf 7 (subleaf 0), EBX/ECX/EDX.
    {"sgx", 7, 1, 2},
    {"hle", 7, 1, 4},
    {"avx2", 7, 1, 5},
    {"smep", 7, 1, 7},
    {"bmi2", 7, 1, 8},
    {"erms", 7, 1, 9},
    {"invpcid", 7, 1, 10},
    {"rtm", 7, 1, 11},
    {"pqm", 7, 1, 12},
    {"mpx", 7, 1, 14},
    {"pqe", 7, 1, 15},
    {"avx512f", 7, 1, 16},
    {"avx512dq", 7, 1, 17},
    {"rdseed", 7, 1, 18},
    {"adx", 7, 1, 19},
    {"smap", 7, 1, 20},
    {"intel_pt", 7, 1, 25},
    {"sha", 7, 1, 29},
    {"umip", 7, 2, 2},
    {"pku", 7, 2, 3},
    {"ospke", 7, 2, 4},
    {"gfni", 7, 2, 8},
    {"vaes", 7, 2, 9},
    {"sgx_lc", 7, 2, 30},
    {"md_clear", 7, 3, 10},
    {"spec_ctrl", 7, 3, 26},
    // Leaf 0x80000001, ECX/EDX.
    {"lahfsahf", 0x80000001, 2, 0},
    {"svm", 0x80000001, 2, 2},
    {"3dnowprefetch", 0x80000001, 2, 8},
    {"ibs", 0x80000001, 2, 10},
    {"skinit", 0x80000001, 2, 12},
    {"lwp", 0x80000001, 2, 15},
    {"nx", 0x80000001, 3, 20},
    {"page1gb", 0x80000001, 3, 26},
    {"lm", 0x80000001, 3, 29},
};

struct Registers {
  uint32_t r[4] = {0, 0, 0, 0};
};

Registers Cpuid(uint32_t leaf, uint32_t subleaf = 0) {
  Registers regs;
  __cpuid_count(leaf, subleaf, regs.r[0], regs.r[1], regs.r[2], regs.r[3]);
  return regs;
}

// Register contents as the ASCII text they hold (vendor, brand and
// hypervisor strings), without NUL and space padding.
std::string RegisterText(const std::vector<uint32_t>& values) {
  std::string text;
  for (uint32_t v : values) {
    char bytes[4];
    std::memcpy(bytes, &v, 4);
    text.append(bytes, 4);
  }
  size_t nul = text.find('\0');
  if (nul != std::string::npos) text.resize(nul);
  size_t start = text.find_first_not_of(' ');
  size_t end = text.find_last_not_of(' ');
  return start == std::string::npos ? "" : text.substr(start, end - start + 1);
}

void AddRow(RowWriter& out, const std::string& feature, const std::string& value, const char* reg,
            int bit, const std::string& input_eax) {
  Row& row = out.Add();
  row.Set("feature", feature);
  row.Set("value", value);
  row.Set("output_register", reg);
  row.Set("output_bit", bit);
  row.Set("input_eax", input_eax);
}

void GenerateCpuid(RowWriter& out) {
  Registers leaf0 = Cpuid(0);
  uint32_t max_leaf = leaf0.r[0];
  if (max_leaf < 1) return;
  uint32_t max_extended = Cpuid(0x80000000).r[0];
  AddRow(out, "vendor", RegisterText({leaf0.r[1], leaf0.r[3], leaf0.r[2]}), "ebx,edx,ecx", 0, "0");
  if (max_extended >= 0x80000004) {
    std::vector<uint32_t> brand;
    for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; ++leaf) {
      Registers r = Cpuid(leaf);
      brand.insert(brand.end(), std::begin(r.r), std::end(r.r));
    }
    AddRow(out, "product_name", RegisterText(brand), "eax,ebx,ecx,edx", 0, "0x80000002");
  }
  Registers leaf1 = Cpuid(1);
  char family[16];
  std::snprintf(family, sizeof family, "%04x", leaf1.r[0] & 0xf00u);
  AddRow(out, "family", family, "eax", 0, "1");
  if (leaf1.r[2] & (1u << 31)) {
    Registers hv = Cpuid(0x40000000);
    AddRow(out, "hypervisor_id", RegisterText({hv.r[1], hv.r[2], hv.r[3]}), "ebx,ecx,edx", 0,
           "0x40000000");
  }
  Registers leaf7 = max_leaf >= 7 ? Cpuid(7, 0) : Registers{};
  Registers ext1 = max_extended >= 0x80000001 ? Cpuid(0x80000001) : Registers{};
  for (const CpuidFeature& f : kFeatures) {
    const Registers* regs = nullptr;
    if (f.leaf == 1)
      regs = &leaf1;
    else if (f.leaf == 7 && max_leaf >= 7)
      regs = &leaf7;
    else if (f.leaf == 0x80000001 && max_extended >= 0x80000001)
      regs = &ext1;
    if (regs == nullptr) continue;
    bool set = (regs->r[f.reg] >> f.bit) & 1u;
    AddRow(out, f.name, set ? "1" : "0", kRegisterNames[f.reg], f.bit, std::to_string(f.leaf));
  }
}

#else
void GenerateCpuid(RowWriter&) {}
#endif

}  // namespace

void RegisterCpuidTable(TableRegistry& registry) {
  registry.Add(
      TableSchema{
          "cpuid",
          "CPU identification and feature flags from the CPUID instruction (live host, x86 only).",
          {{"feature", ColumnType::kText},
           {"value", ColumnType::kText},
           {"output_register", ColumnType::kText},
           {"output_bit", ColumnType::kInteger},
           {"input_eax", ColumnType::kText}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        if (!ctx.fs().is_live()) return Status::Ok();
        GenerateCpuid(out);
        return Status::Ok();
      });
}

}  // namespace warden
