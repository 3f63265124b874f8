#include "api/yaml_json.h"

#include <gtest/gtest.h>

#include <string>

namespace warden::api {
namespace {

Json Convert(const std::string& text) {
  Result<Json> json = YamlToJson(text, "test.yaml");
  EXPECT_TRUE(json.ok()) << json.status().message();
  return json.ok() ? *json : Json();
}

TEST(YamlJsonTest, TypesPlainScalarsByTheCoreSchema) {
  Json j = Convert(
      "int: 42\nneg: -3\nhex: 0x1f\noct: 0o17\nfloat: 1.5\nexp: 2e3\nyes_: true\nno_: False\n"
      "nul: null\ntilde: ~\nempty:\ntext: hello world\nversion: 3.1.0\nword: yes\n");
  EXPECT_EQ(j["int"], 42);
  EXPECT_EQ(j["neg"], -3);
  EXPECT_EQ(j["hex"], 31);
  EXPECT_EQ(j["oct"], 15);
  EXPECT_EQ(j["float"], 1.5);
  EXPECT_EQ(j["exp"], 2000.0);
  EXPECT_EQ(j["yes_"], true);
  EXPECT_EQ(j["no_"], false);
  EXPECT_TRUE(j["nul"].is_null());
  EXPECT_TRUE(j["tilde"].is_null());
  EXPECT_TRUE(j["empty"].is_null());
  EXPECT_EQ(j["text"], "hello world");
  EXPECT_EQ(j["version"], "3.1.0");
  EXPECT_EQ(j["word"], "yes");  // YAML 1.1's yes/no are strings in 1.2
}

TEST(YamlJsonTest, QuotedAndBlockScalarsStayStrings) {
  Json j = Convert("a: \"200\"\nb: 'true'\nc: \"null\"\nd: |\n  12\ne: [string, \"null\"]\n");
  EXPECT_EQ(j["a"], "200");
  EXPECT_EQ(j["b"], "true");
  EXPECT_EQ(j["c"], "null");
  EXPECT_EQ(j["d"], "12\n");
  EXPECT_EQ(j["e"], Json::parse(R"(["string", "null"])"));
}

TEST(YamlJsonTest, KeysAreStringsAndOrderIsKept) {
  Json j = Convert("responses:\n  '404': x\n  200: y\n  z: 1\n");
  ASSERT_TRUE(j["responses"].is_object());
  EXPECT_EQ(j["responses"].dump(), R"({"404":"x","200":"y","z":1})");
}

TEST(YamlJsonTest, AliasesAreExpanded) {
  Json j = Convert("a: &x {k: [1, 2]}\nb: *x\n");
  EXPECT_EQ(j["b"], j["a"]);
  EXPECT_EQ(j["b"]["k"][1], 2);
}

TEST(YamlJsonTest, DuplicateKeyIsAnErrorNamingTheLine) {
  Result<Json> j = YamlToJson("a: 1\nb: 2\na: 3\n", "dup.yaml");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("dup.yaml:3"), std::string::npos) << j.status().message();
  EXPECT_NE(j.status().message().find("duplicate key 'a'"), std::string::npos);
}

TEST(YamlJsonTest, MalformedYamlNamesWhere) {
  Result<Json> j = YamlToJson("a: [1, 2\nb: c\n", "bad.yaml");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("bad.yaml:"), std::string::npos) << j.status().message();
}

TEST(YamlJsonTest, RefusesNestingBeyondTheLimit) {
  std::string deep(300, '[');
  deep += std::string(300, ']');
  Result<Json> j = YamlToJson("a: " + deep + "\n", "deep.yaml");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("nested deeper"), std::string::npos) << j.status().message();
}

TEST(YamlJsonTest, RefusesMergeKeys) {
  Result<Json> j = YamlToJson("base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n", "merge.yaml");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("merge keys"), std::string::npos);
}

}  // namespace
}  // namespace warden::api
