#include "api/json_schema.h"

#include <gtest/gtest.h>

#include <string>

namespace warden::api {
namespace {

std::shared_ptr<const JsonSchema> Compile(const char* schema) {
  Result<std::shared_ptr<const JsonSchema>> s = JsonSchema::Compile(Json::parse(schema));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : nullptr;
}

constexpr const char* kRecord = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["name", "items"],
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 8},
    "kind": {"type": "string", "enum": ["a", "b"]},
    "items": {"type": "array", "maxItems": 3,
              "items": {"type": "object", "properties": {"n": {"type": "integer", "maximum": 10}}}},
    "seen": {"type": ["string", "null"], "format": "date-time", "maxLength": 64}
  }
})";

TEST(JsonSchemaTest, ValidValuePasses) {
  auto schema = Compile(kRecord);
  EXPECT_FALSE(schema->Validate(Json::parse(
      R"({"name": "x", "kind": "a", "items": [{"n": 1}], "seen": "2026-01-31T12:00:00Z"})")));
  EXPECT_FALSE(schema->Validate(Json::parse(R"({"name": "x", "items": [], "seen": null})")));
}

TEST(JsonSchemaTest, WrongTypeDeepInsideIsNamedByPointer) {
  auto schema = Compile(kRecord);
  std::optional<SchemaViolation> v =
      schema->Validate(Json::parse(R"({"name": "x", "items": [{"n": 1}, {"n": "2"}]})"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->pointer, "/items/1/n");
  EXPECT_EQ(v->message, "must be integer (got string)");
}

TEST(JsonSchemaTest, MissingAndUnknownMembersAreNamed) {
  auto schema = Compile(kRecord);
  std::optional<SchemaViolation> missing = schema->Validate(Json::parse(R"({"name": "x"})"));
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->pointer, "/items");
  EXPECT_EQ(missing->message, "is required");
  std::optional<SchemaViolation> extra =
      schema->Validate(Json::parse(R"({"name": "x", "items": [], "nmae": 1})"));
  ASSERT_TRUE(extra.has_value());
  EXPECT_EQ(extra->pointer, "/nmae");
  EXPECT_EQ(extra->message, "is not an allowed member here");
}

TEST(JsonSchemaTest, LimitsAreSaidInWords) {
  auto schema = Compile(kRecord);
  auto v = schema->Validate(Json::parse(R"({"name": "x", "items": [], "kind": "c"})"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->pointer, "/kind");
  EXPECT_EQ(v->message, "must be one of: a, b");
  v = schema->Validate(Json::parse(R"({"name": "", "items": []})"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->message, "must not be empty");
  v = schema->Validate(Json::parse(R"({"name": "123456789", "items": []})"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->message, "must be at most 8 characters long");
  v = schema->Validate(Json::parse(R"({"name": "x", "items": [{"n": 11}]})"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->pointer, "/items/0/n");
  EXPECT_EQ(v->message, "must be at most 10");
  v = schema->Validate(Json::parse(R"({"name": "x", "items": [{}, {}, {}, {}]})"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->pointer, "/items");
  EXPECT_EQ(v->message, "must have at most 3 items");
}

TEST(JsonSchemaTest, DateTimeFormatIsChecked) {
  auto schema = Compile(kRecord);
  auto v = schema->Validate(
      Json::parse(R"({"name": "x", "items": [], "seen": "2026-13-01T00:00:00Z"})"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->pointer, "/seen");
  EXPECT_NE(v->message.find("RFC 3339"), std::string::npos) << v->message;
}

// The format is checked as a pattern compiled once (valijson builds a regex
// per string); the day-of-month check valijson adds must hold all the same.
TEST(JsonSchemaTest, DateTimeFormatKeepsTheDayOfMonthCheck) {
  auto schema = Compile(kRecord);
  auto seen = [&](const char* text) {
    Json value = Json::parse(R"({"name": "x", "items": []})");
    value["seen"] = text;
    return schema->Validate(value);
  };
  for (const char* valid :
       {"2026-02-29T00:00:00Z", "2026-05-31T23:59:60Z", "2026-01-31t12:00:00.123z",
        "2026-12-01T12:00:00+02:00", "20260-11-30T00:00:00-11:30"}) {
    EXPECT_FALSE(seen(valid).has_value()) << valid;
  }
  for (const char* invalid :
       {"2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-31T00:00:00Z",
        "2026-01-00T00:00:00Z", "2026-01-31 12:00:00Z", "2026-01-31T24:00:00Z",
        "2026-01-31T12:00:00", "x2026-01-31T12:00:00Z", "2026-01-31T12:00:00Zx"}) {
    auto v = seen(invalid);
    ASSERT_TRUE(v.has_value()) << invalid;
    EXPECT_EQ(v->pointer, "/seen");
    EXPECT_EQ(v->message, "must be an RFC 3339 date-time (2026-01-31T12:00:00Z)") << invalid;
  }
}

// std::regex recurses per character: valijson's date-time check of a
// 100,000-digit year overflows the stack. The guard checks the length first.
TEST(JsonSchemaTest, HugeStringUnderFormatIsRefusedWithoutRunningTheRegex) {
  auto schema = Compile(kRecord);
  Json value = Json::parse(R"({"name": "x", "items": []})");
  value["seen"] = std::string(200000, '1') + "-01-01T00:00:00Z";
  std::optional<SchemaViolation> v = schema->Validate(value);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->pointer, "/seen");
  EXPECT_EQ(v->message, "must be at most 64 characters long");
}

TEST(JsonSchemaTest, CompileRefusesRegexKeywordsWithoutMaxLength) {
  Result<std::shared_ptr<const JsonSchema>> s = JsonSchema::Compile(
      Json::parse(R"({"properties": {"t": {"type": "string", "format": "date-time"}}})"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/properties/t"), std::string::npos) << s.status().message();
  EXPECT_TRUE(
      JsonSchema::Compile(Json::parse(R"({"type": "string", "pattern": "^a", "maxLength": 4})"))
          .ok());
  EXPECT_FALSE(
      JsonSchema::Compile(Json::parse(R"({"type": "string", "pattern": "([", "maxLength": 4})"))
          .ok());
}

TEST(JsonSchemaTest, CompileRefusesUnresolvedRefs) {
  Result<std::shared_ptr<const JsonSchema>> s =
      JsonSchema::Compile(Json::parse(R"({"items": {"$ref": "#/components/schemas/X"}})"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("$ref"), std::string::npos);
}

TEST(JsonSchemaTest, PatternIsCheckedWithinItsLength) {
  auto schema = Compile(R"({"type": "string", "maxLength": 16, "pattern": "^[a-z]+$",
                            "description": "lower-case letters"})");
  EXPECT_FALSE(schema->Validate(Json("abc")));
  auto v = schema->Validate(Json("ab,c"));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->message, "does not have the expected form: lower-case letters");
  EXPECT_TRUE(schema->Validate(Json(std::string(100000, 'a'))).has_value());
}

TEST(JsonSchemaTest, ExactlyOneOfIsExplained) {
  auto schema = Compile(R"({"type": "object", "properties": {"ids": {}, "filter": {}},
                            "oneOf": [{"required": ["ids"]}, {"required": ["filter"]}]})");
  EXPECT_FALSE(schema->Validate(Json::parse(R"({"ids": []})")));
  auto both = schema->Validate(Json::parse(R"({"ids": [], "filter": {}})"));
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ(both->pointer, "");
  EXPECT_EQ(both->message, "must have exactly one of: ids, filter");
  EXPECT_TRUE(schema->Validate(Json::parse("{}")).has_value());
}

TEST(JsonSchemaTest, PointerTokensAreEscaped) {
  EXPECT_EQ(EscapeJsonPointerToken("a/b~c"), "a~1b~0c");
}

}  // namespace
}  // namespace warden::api
