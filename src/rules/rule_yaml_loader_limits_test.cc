// The rule loader refuses the YAML inputs the core guard bounds (comma and
// alias bombs) with a diagnostic at the right place, in bounded memory.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <string>

#include "rules/rule_yaml_loader.h"

namespace warden {
namespace {

// The five-byte inputs on which yaml-cpp 0.7 returns an empty document at
// the same position for ever (LoadAll grew to 15.8 GB in 60 s), with the
// column of their ','.
struct Bomb {
  const char* text;
  int column;
};
const Bomb kCommaBombs[] = {{"\"\"\"\",", 5}, {"[][],", 5}, {"{}{},", 5}, {"\"\" \"\",", 6}};

// Lists of ten aliases of the list before: 10^depth nodes once expanded,
// from a few hundred bytes of text, inside a rule's match.
std::string AliasBombRule(int levels) {
  std::string y = "- id: BOMB\n  risk_level: low\n  match:\n    or:\n      - &a0 {eventName: x}\n";
  for (int i = 1; i <= levels; ++i) {
    y += "      - &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) y += (k ? ", *a" : "*a") + std::to_string(i - 1);
    y += "]\n";
  }
  return y;
}

// Caps this process's address space at 1 GB (in a death test's child), so a
// regression that allocates without bound fails instead of exhausting the
// machine. Not under AddressSanitizer: its shadow memory needs far more.
void CapAddressSpace() {
#if !defined(__SANITIZE_ADDRESS__)
  rlimit limit{1000000000, 1000000000};
  setrlimit(RLIMIT_AS, &limit);
#endif
}

// Runs `check` in a child process with a capped address space; passes when
// it returns true.
template <typename Fn>
void ExpectInBoundedMemory(Fn check) {
  EXPECT_EXIT(
      {
        CapAddressSpace();
        _exit(check() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(RuleLoaderLimitsTest, RuleLoaderReportsTheCommaBombsInBoundedMemory) {
  for (const Bomb& b : kCommaBombs) {
    ExpectInBoundedMemory([&] {
      RuleLoadResult r = LoadRulesFromText(b.text, "bomb.yml");
      return r.diagnostics.size() == 1 && r.diagnostics[0].location.line == 1 &&
             r.diagnostics[0].location.column == b.column &&
             r.diagnostics[0].message == "invalid YAML: unexpected ',' after a complete node";
    });
  }
}

TEST(RuleLoaderLimitsTest, RuleLoaderRefusesTheAliasBombInBoundedMemory) {
  ExpectInBoundedMemory([] {
    RuleLoadResult r = LoadRulesFromText(AliasBombRule(7), "alias.yml");
    return r.rules.empty() && r.diagnostics.size() == 1 &&
           r.diagnostics[0].message.find("more than 200000 YAML nodes") != std::string::npos;
  });
}

}  // namespace
}  // namespace warden
