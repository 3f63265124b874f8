#include "core/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/finding.h"

namespace warden {
namespace {

std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(JsonTextTest, StringsAreWrittenExactlyAsTheDocumentDumpWritesThem) {
  const std::string cases[] = {"",
                               "plain",
                               "quote \" and backslash \\",
                               "tab\tnewline\nreturn\rbell\x07 nul" + std::string(1, '\0'),
                               "\x1f\x7f",
                               "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92",
                               "bad \xff\xfe bytes",
                               "truncated \xe2\x82",
                               "overlong \xc0\xaf and \xe0\x80\xaf",
                               "surrogate \xed\xa0\x80",
                               "above \xf4\x90\x80\x80"};
  for (const std::string& s : cases) {
    std::string out;
    AppendJsonText(s, &out);
    EXPECT_EQ(out, Dump(nlohmann::ordered_json(s))) << s;
  }
}

TEST(JsonTextTest, CanonicalTextIsWhatTheDocumentDumpReproduces) {
  const std::string canonical[] = {R"({})",
                                   R"([])",
                                   R"({"a":1,"b":[true,false,null],"c":{"d":"e"}})",
                                   R"("x")",
                                   R"(-12)",
                                   R"({"s":"q\"b\\n\n\t\u0001\u001f","u":"caf)"
                                   "\xc3\xa9"
                                   R"("})",
                                   R"([0,-1,123456789012345678])"};
  for (const std::string& t : canonical) {
    EXPECT_TRUE(IsCanonicalJson(t, 64)) << t;
    EXPECT_EQ(Dump(nlohmann::ordered_json::parse(t)), t);
  }
  const std::string not_canonical[] = {
      R"({ "a":1})",       R"({"a": 1})",       "{\"a\":1}\n",       R"({"a":"\/"})",
      R"({"a":"\u00e9"})", R"({"a":"\u000A"})", R"({"a":"\u000a"})", R"({"a":1.5})",
      R"({"a":1e3})",      R"({"a":01})",       R"({"a":-0})",       R"({"a":1234567890123456789})",
      R"({"a":tru})",      R"({"a":1,})",       R"([1 2])",          R"({"a"})",
      R"({"a":1}{"b":2})", "{\"a\":\"\xff\"}",  R"({"a":[}])",       "",
      "{\"a\":\"\x01\"}",  R"({"a":"\u001F"})"};
  for (const std::string& t : not_canonical) EXPECT_FALSE(IsCanonicalJson(t, 64)) << t;
  EXPECT_TRUE(IsCanonicalJson("[[[1]]]", 3));
  EXPECT_FALSE(IsCanonicalJson("[[[1]]]", 2)) << "deeper than the limit";
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(IsCanonicalJson(deep, 256)) << "no recursion, a bounded answer";
}

TEST(JsonTextTest, DocumentsAreWrittenAsTheirDump) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(
      R"({"z":1,"a":[true,false,null,-5,18446744073709551615,1.5,0.1,1e300],"s":"x\u0001y",)"
      R"("o":{"k":{}},"e":[]})");
  j["bad"] = std::string("\xff\xfe");
  std::string out;
  AppendJsonDocument(j, &out);
  EXPECT_EQ(out, Dump(j));
}

TEST(JsonTextTest, RawEvidenceRendersLikeTheSameEvidenceAsADocument) {
  Finding f;
  f.id = "id";
  f.rule_id = "R";
  f.title = "t";
  f.attributes["account"] = "123";
  const std::string event = R"({"eventName":"CreateUser","n":[1,2],"o":{"k":"v\n"}})";
  ASSERT_TRUE(IsCanonicalJson(event, 256));
  Finding dom = f;
  dom.evidence["event"] = nlohmann::ordered_json::parse(event);
  dom.evidence["origin"] = "a.json:3";
  Finding raw = f;
  raw.raw_evidence.emplace_back("event", event);
  raw.evidence["origin"] = "a.json:3";
  std::string a, b;
  AppendFindingJson(dom, &a);
  AppendFindingJson(raw, &b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(FindingToJson(raw), FindingToJson(dom));
  EXPECT_EQ(FindingToOcsf(raw, OcsfClass::kDetectionFinding),
            FindingToOcsf(dom, OcsfClass::kDetectionFinding));
}

}  // namespace
}  // namespace warden
