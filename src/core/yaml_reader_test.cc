#include "core/yaml_reader.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <string>

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

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']') + "\n"; }

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

std::string Message(const Status& st) { return st.message(); }

TEST(YamlInputGuardTest, CommaAfterACompleteNodeFailsAtItsPosition) {
  for (const Bomb& b : kCommaBombs) {
    Status st = CheckYamlInput(b.text, "bomb.yml");
    ASSERT_FALSE(st.ok()) << b.text;
    EXPECT_EQ(Message(st), "bomb.yml:1:" + std::to_string(b.column) +
                               ": invalid YAML: unexpected ',' after a complete node");
  }
}

TEST(YamlInputGuardTest, AliasBombIsMeasuredByWhatItExpandsTo) {
  Status st = CheckYamlInput(AliasBombRule(6), "alias.yml");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(Message(st).find("alias.yml:10:"), std::string::npos) << Message(st);
  EXPECT_NE(Message(st).find("more than 200000 YAML nodes"), std::string::npos) << Message(st);
  EXPECT_NE(Message(st).find("(limit 200000)"), std::string::npos) << Message(st);
  // Four levels (10,000 nodes) are within the limit.
  EXPECT_TRUE(CheckYamlInput(AliasBombRule(4), "alias.yml").ok());
}

TEST(YamlInputGuardTest, AliasInsideItsOwnAnchorIsRejected) {
  Status st = CheckYamlInput("- id: C\n  risk_level: low\n  match: &m\n    or: [*m]\n", "c.yml");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(Message(st),
            "c.yml:4:10: an alias inside the node its anchor names (a cycle) is not supported");
}

TEST(YamlInputGuardTest, NestingDeeperThanTheLimitIsRejected) {
  EXPECT_TRUE(CheckYamlInput(Nested(64), "n.yml").ok());
  Status st = CheckYamlInput(Nested(65), "n.yml");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(Message(st), "n.yml:1:65: nesting deeper than 64 levels (limit 64)");
  // Far past yaml-cpp's own recursion guard (2,000): still our message.
  st = CheckYamlInput(Nested(100000), "n.yml");
  EXPECT_EQ(Message(st), "n.yml:1:65: nesting deeper than 64 levels (limit 64)");
  // Block style counts the same way.
  std::string block;
  for (int i = 0; i < 70; ++i) block += std::string(static_cast<size_t>(i), ' ') + "- \n";
  EXPECT_NE(Message(CheckYamlInput(block, "b.yml")).find("nesting deeper than 64"),
            std::string::npos);
}

TEST(YamlInputGuardTest, AnAliasAddsTheDepthOfWhatItNames) {
  // 40 levels anchored, used 30 levels down: 70 levels for a reader.
  std::string y = "a: &deep " + Nested(40) + "b: " + std::string(30, '[') + "*deep" +
                  std::string(30, ']') + "\n";
  Status st = CheckYamlInput(y, "d.yml");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(Message(st).find("d.yml:2:"), std::string::npos) << Message(st);
  EXPECT_NE(Message(st).find("deeper than 64 levels through an alias"), std::string::npos)
      << Message(st);
}

TEST(YamlInputGuardTest, TextOverTheSizeLimitIsRejectedBeforeParsing) {
  YamlLimits limits;
  limits.max_bytes = 100;
  Status st = CheckYamlInput(std::string(101, 'a'), "big.yml", limits);
  EXPECT_EQ(Message(st), "big.yml: 101 bytes of YAML is over the limit of 100 bytes");
  EXPECT_TRUE(CheckYamlInput(std::string(100, 'a'), "big.yml", limits).ok());
}

TEST(YamlInputGuardTest, OrdinaryAnchorsAliasesAndDocumentsStillLoad) {
  const char* text =
      "base: &base {eventSource: s3.amazonaws.com}\n"
      "rules: [*base, *base]\n"
      "---\n"
      "- a\n"
      "- b\n"
      "---\n"
      "# empty\n";
  auto docs = SafeLoadAllYaml(text, "ok.yml");
  ASSERT_TRUE(docs.ok()) << docs.status().message();
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_EQ((*docs)[0]["rules"][1]["eventSource"].Scalar(), "s3.amazonaws.com");
  EXPECT_EQ((*docs)[1][1].Scalar(), "b");
}

TEST(YamlInputGuardTest, ReadingAFileStopsAtTheSizeLimit) {
  // A device that never ends is refused once past the limit, not read whole.
  auto text = ReadYamlFile("/dev/zero");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(),
            "/dev/zero: larger than the limit of 8388608 bytes for a YAML file");
  auto missing = ReadYamlFile("/nonexistent/rules.yml");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(YamlGrammarTest, DurationsShareOneGrammar) {
  EXPECT_EQ(ParseDurationMs("300"), 300000);
  EXPECT_EQ(ParseDurationMs("300s"), 300000);
  EXPECT_EQ(ParseDurationMs("5m"), 300000);
  EXPECT_EQ(ParseDurationMs("1h"), 3600000);
  EXPECT_EQ(ParseDurationMs("1d"), 86400000);
  EXPECT_EQ(ParseDurationMs(" 250ms "), 250);
  EXPECT_EQ(ParseDurationMs("0"), 0);
  for (const char* bad : {"", "s", "-5m", "5 minutes", "1.5h", "5w", "99999999999999d"})
    EXPECT_FALSE(ParseDurationMs(bad).has_value()) << bad;
}

TEST(YamlGrammarTest, SizesArePowersOf1024WithOrWithoutIB) {
  EXPECT_EQ(ParseByteSize("512"), 512);
  EXPECT_EQ(ParseByteSize("100B"), 100);
  EXPECT_EQ(ParseByteSize("512KB"), 512 << 10);
  EXPECT_EQ(ParseByteSize("64MB"), int64_t{64} << 20);
  EXPECT_EQ(ParseByteSize("64m"), int64_t{64} << 20);
  EXPECT_EQ(ParseByteSize("1GiB"), int64_t{1} << 30);
  EXPECT_EQ(ParseByteSize("2 MiB"), int64_t{2} << 20);
  for (const char* bad : {"", "MB", "-1KB", "1.5GB", "1TB"})
    EXPECT_FALSE(ParseByteSize(bad).has_value()) << bad;
}

TEST(YamlGrammarTest, RuleDurationsAreWholePositiveSeconds) {
  EXPECT_EQ(*ReadDuration(YAML::Load("5m"), "window"), 300);
  EXPECT_EQ(*ReadDuration(YAML::Load("300"), "window"), 300);
  EXPECT_FALSE(ReadDuration(YAML::Load("0"), "window").ok());
  EXPECT_FALSE(ReadDuration(YAML::Load("1500ms"), "window").ok());
}

TEST(YamlReaderTest, UnknownKeyNamesTheKeyPathAndTheClosestKnownKey) {
  YamlReader reader("agent.yaml");
  YAML::Node node = YAML::Load("enabled: true\nrisk_levl: high\n");
  Status st = reader.CheckKeys(node, "recipe.rules.X", {"enabled", "risk_level", "schedule"});
  EXPECT_EQ(st.message(),
            "agent.yaml:2:1: recipe.rules.X.risk_levl: unknown key 'risk_levl'; did you mean "
            "'risk_level'?");
  Status far = reader.CheckKeys(YAML::Load("zzz: 1"), "", {"enabled", "schedule"});
  EXPECT_EQ(far.message(), "agent.yaml:1:1: zzz: unknown key 'zzz'; known keys: enabled, schedule");
}

TEST(YamlReaderTest, TypedReadersNameTheKeyAndTheExpectedForm) {
  YamlReader reader("c.yaml");
  YAML::Node n = YAML::Load("size: 12 apples\ntime: soon\nlevel: loud\n");
  EXPECT_EQ(reader.Size(n["size"], "limits.max_rss", 0).status().message(),
            "c.yaml:1:7: limits.max_rss: expected a size like 512KB, 64MB or 1GB");
  EXPECT_EQ(reader.DurationMs(n["time"], "timeout", 0).status().message(),
            "c.yaml:2:7: timeout: expected a duration like 500ms, 30s, 5m, 1h or 1d");
  EXPECT_EQ(reader.Choice(n["level"], "mode", {"quiet", "normal", "verbose"}).status().message(),
            "c.yaml:3:8: mode: expected quiet, normal or verbose, got 'loud'");
  EXPECT_EQ(reader.DurationMs(YAML::Load("5ms"), "t", 10).status().message(),
            "c.yaml:1:1: t: must be at least 10ms");
}

TEST(YamlReaderTest, EnvironmentReferencesExpandOnlyWhenAsked) {
  setenv("WARDEN_YAML_READER_TEST", "s3cret", 1);
  YAML::Node n = YAML::Load("token: ${WARDEN_YAML_READER_TEST}\nother: ${WARDEN_UNSET_FOR_TEST}");
  YamlReader plain("c.yaml");
  EXPECT_EQ(*plain.String(n["token"], "token"), "${WARDEN_YAML_READER_TEST}");
  YamlReader env("c.yaml");
  env.set_expand_environment(true);
  EXPECT_EQ(*env.String(n["token"], "token"), "s3cret");
  EXPECT_EQ(env.String(n["other"], "other").status().message(),
            "c.yaml:2:8: other: environment variable WARDEN_UNSET_FOR_TEST is not set");
  env.set_allow_unset_environment(true);
  EXPECT_EQ(*env.String(n["other"], "other"), "");
  unsetenv("WARDEN_YAML_READER_TEST");
}

TEST(YamlReaderTest, SyntaxErrorsNameSourceLineAndColumn) {
  auto doc = SafeLoadYaml("a: [1, 2\n", "bad.yaml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message().rfind("bad.yaml:", 0), 0u) << doc.status().message();
  EXPECT_NE(doc.status().message().find("YAML syntax error"), std::string::npos);
}

}  // namespace
}  // namespace warden
