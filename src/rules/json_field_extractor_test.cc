#include "rules/json_field_extractor.h"

#include <gtest/gtest.h>

#include <string>

namespace warden {
namespace {

class ExtractorTest : public ::testing::Test {
 protected:
  Status Run(const std::string& json, std::initializer_list<const char*> paths) {
    registry_ = FieldRegistry();
    for (const char* p : paths) registry_.Intern(p);
    extractor_ = std::make_unique<JsonFieldExtractor>(registry_);
    buffer_ = json + std::string(kJsonPadding, ' ');
    return extractor_->Extract(buffer_.data(), json.size(), buffer_.size(), &fields_);
  }
  std::vector<std::string> Values(const char* path) {
    std::vector<std::string> out;
    FieldId id = registry_.Find(path);
    if (fields_.count(id) == 0) return out;
    fields_.AnyValue(id, [&](const FieldValue& v) {
      out.emplace_back(v.text);
      return false;
    });
    return out;
  }
  FieldRegistry registry_;
  std::unique_ptr<JsonFieldExtractor> extractor_;
  std::string buffer_;
  EventFields fields_;
};

TEST_F(ExtractorTest, ExtractsNestedScalarsAndUnescapesStrings) {
  ASSERT_TRUE(
      Run(R"({"eventName":"A\"B","userIdentity":{"type":"IAMUser","n":1},"readOnly":true,"x":2.5})",
          {"eventName", "userIdentity.type", "readOnly", "x", "missing"})
          .ok());
  EXPECT_EQ(Values("eventName"), std::vector<std::string>{"A\"B"});
  EXPECT_EQ(Values("userIdentity.type"), std::vector<std::string>{"IAMUser"});
  EXPECT_EQ(Values("readOnly"), std::vector<std::string>{"true"});
  EXPECT_EQ(Values("x"), std::vector<std::string>{"2.5"});
  EXPECT_TRUE(Values("missing").empty());
  EXPECT_EQ(fields_.first(registry_.Find("missing")).kind, ValueKind::kMissing);
}

TEST_F(ExtractorTest, NullIsRecordedAsNullWithEmptyText) {
  ASSERT_TRUE(Run(R"({"responseElements":null})", {"responseElements"}).ok());
  FieldId id = registry_.Find("responseElements");
  EXPECT_EQ(fields_.first(id).kind, ValueKind::kNull);
  EXPECT_EQ(fields_.first(id).text, "");
}

TEST_F(ExtractorTest, PathsCrossArrays) {
  ASSERT_TRUE(Run(R"({"resources":[{"ARN":"a1","type":"t"},{"ARN":"a2"}],"tags":["x","y"]})",
                  {"resources.ARN", "tags"})
                  .ok());
  EXPECT_EQ(Values("resources.ARN"), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(Values("tags"), (std::vector<std::string>{"x", "y"}));
}

TEST_F(ExtractorTest, ObjectLeafIsItsJsonText) {
  ASSERT_TRUE(Run(R"({"requestParameters": {"a": [1, 2]} , "b":1})", {"requestParameters"}).ok());
  EXPECT_EQ(Values("requestParameters"), std::vector<std::string>{R"({"a": [1, 2]})"});
}

TEST_F(ExtractorTest, EscapedKeysAreMatched) {
  ASSERT_TRUE(Run(R"({"event\u004eame":"X"})", {"eventName"}).ok());
  EXPECT_EQ(Values("eventName"), std::vector<std::string>{"X"});
}

// Keys are matched on their length and first eight bytes, then the rest:
// every length from 1 to 20, keys that differ only after byte 8 or only in
// length, and both node forms (up to six children scanned in order, more
// through a hash table).
TEST_F(ExtractorTest, KeysOfEveryLengthAreMatchedExactly) {
  for (size_t wanted : {size_t{3}, size_t{20}}) {  // scanned root, hashed root
    std::string json = "{";
    std::vector<std::string> keys;
    for (size_t len = 1; len <= 20; ++len) {
      std::string key;
      for (size_t i = 0; i < len; ++i) key += static_cast<char>('a' + (i * 7 + len) % 26);
      keys.push_back(key);
      // Near misses first: same first eight bytes and length, last byte
      // changed; and the key with one byte more.
      std::string changed = key;
      changed.back() = changed.back() == 'Z' ? 'Y' : 'Z';
      json += "\"" + changed + "\":\"miss\",\"" + key + "x\":\"miss\",";
      json += "\"" + key + "\":\"v" + std::to_string(len) + "\",";
    }
    json.back() = '}';
    registry_ = FieldRegistry();
    for (size_t i = 0; i < wanted; ++i) registry_.Intern(keys[(i * 7) % keys.size()]);
    extractor_ = std::make_unique<JsonFieldExtractor>(registry_);
    buffer_ = json + std::string(kJsonPadding, ' ');
    ASSERT_TRUE(extractor_->Extract(buffer_.data(), json.size(), buffer_.size(), &fields_).ok());
    for (size_t i = 0; i < wanted; ++i) {
      const std::string& key = keys[(i * 7) % keys.size()];
      EXPECT_EQ(Values(key.c_str()), std::vector<std::string>{"v" + std::to_string(key.size())})
          << key << " with " << wanted << " wanted keys";
    }
  }
}

TEST_F(ExtractorTest, InvalidJsonIsAnError) {
  // Damage before or among the wanted keys is an error...
  EXPECT_FALSE(Run(R"({"x":1,,"eventName":"A"})", {"eventName"}).ok());
  EXPECT_FALSE(Run(R"({"x":1} {"eventName":"A"})", {"eventName"}).ok());
  EXPECT_FALSE(Run(R"({"eventName":"A","x":[1,})", {"eventName", "y"}).ok());
  EXPECT_FALSE(Run(R"(["not an object"])", {"eventName"}).ok());
  EXPECT_FALSE(Run(R"({"eventName":"unterminated)", {"eventName"}).ok());
  EXPECT_FALSE(Run("", {"eventName"}).ok());
}

TEST_F(ExtractorTest, StopsReadingOnceEveryWantedKeyWasSeen) {
  // ...damage after the last wanted key is never read (only simdjson's
  // structural pass saw it), so the event still yields its fields.
  ASSERT_TRUE(Run(R"({"eventName":"A",})", {"eventName"}).ok());
  EXPECT_EQ(Values("eventName"), std::vector<std::string>{"A"});
}

TEST_F(ExtractorTest, LazyFieldsAreReadOnFirstAccessOnly) {
  registry_ = FieldRegistry();
  FieldId name = registry_.Intern("eventName");
  FieldId code = registry_.Intern("errorCode");
  FieldId bucket = registry_.Intern("requestParameters.bucketName");
  JsonFieldExtractor lazy(registry_, JsonFieldExtractor::Mode::kLazy);
  std::string json =
      R"({"eventName":"DeleteBucket","requestParameters":{"bucketName":"logs"},"errorCode":"NoSuchBucket"})";
  std::string buf = json + std::string(kJsonPadding, ' ');
  ASSERT_TRUE(lazy.Extract(buf.data(), json.size(), buf.size(), &fields_).ok());
  EXPECT_EQ(fields_.first(name).text, "DeleteBucket");
  EXPECT_EQ(fields_.first(bucket).text, "logs");  // loads the second pass
  EXPECT_EQ(fields_.first(code).text, "NoSuchBucket");
  EXPECT_FALSE(fields_.lazy_error());
  // Damage only the second pass sees is reported on the fields, not hidden.
  std::string bad = R"({"eventName":"X","requestParameters":{"a":1,,"bucketName":"a"}})";
  std::string bad_buf = bad + std::string(kJsonPadding, ' ');
  ASSERT_TRUE(lazy.Extract(bad_buf.data(), bad.size(), bad_buf.size(), &fields_).ok());
  EXPECT_EQ(fields_.first(name).text, "X");
  (void)fields_.count(bucket);
  EXPECT_TRUE(fields_.lazy_error());
}

TEST_F(ExtractorTest, DeepNestingIsRejectedNotCrashing) {
  // Valid but absurdly deep: extraction stops descending and keeps the text.
  std::string deep = R"({"a":)" + std::string(5000, '[') + std::string(5000, ']') + "}";
  ASSERT_TRUE(Run(deep, {"a"}).ok());
  ASSERT_EQ(Values("a").size(), 1u);
  EXPECT_EQ(Values("a")[0].front(), '[');
  std::string unbalanced = R"({"a":)" + std::string(5000, '[') + "}";
  EXPECT_FALSE(Run(unbalanced, {"a"}).ok());
  std::string deep_ok = R"({"a":)" + std::string(500, '[') + "1" + std::string(500, ']') + "}";
  EXPECT_TRUE(Run(deep_ok, {"a"}).ok());
}

TEST_F(ExtractorTest, LoneSurrogateEscapesBecomeReplacementCharacters) {
  // simdjson refuses a lone surrogate; the field keeps its value with U+FFFD
  // in its place (a lost eventID or account would lose suppressions too).
  ASSERT_TRUE(Run(R"({"eventID":"a\ud800b","arn":"x\udc00","pair":"\ud83d\ude00",)"
                  R"("two":"\ud800\ud800","k\ud800":"v","recipientAccountId":"111122223333"})",
                  {"eventID", "arn", "pair", "two", "k\xEF\xBF\xBD", "recipientAccountId"})
                  .ok());
  EXPECT_EQ(Values("eventID"), std::vector<std::string>{"a\xEF\xBF\xBD"
                                                        "b"});
  EXPECT_EQ(Values("arn"), std::vector<std::string>{"x\xEF\xBF\xBD"});
  EXPECT_EQ(Values("pair"), std::vector<std::string>{"\xF0\x9F\x98\x80"});  // a valid pair
  EXPECT_EQ(Values("two"), std::vector<std::string>{"\xEF\xBF\xBD\xEF\xBF\xBD"});
  EXPECT_EQ(Values("k\xEF\xBF\xBD"), std::vector<std::string>{"v"});
  EXPECT_EQ(Values("recipientAccountId"), std::vector<std::string>{"111122223333"});
  // Other bad escapes are still errors.
  EXPECT_FALSE(Run(R"({"eventID":"a\x41"})", {"eventID"}).ok());
  EXPECT_FALSE(Run(R"({"eventID":"a\u12"})", {"eventID"}).ok());
}

TEST_F(ExtractorTest, HugeStringValue) {
  std::string big(8 << 20, 'x');
  ASSERT_TRUE(Run(R"({"userAgent":")" + big + R"("})", {"userAgent"}).ok());
  EXPECT_EQ(Values("userAgent")[0].size(), big.size());
}

// The lazy pass continues the eager walk; these pin down what it must still
// find and report.
class LazyExtractorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = registry_.Intern("eventName");
    type_ = registry_.Intern("userIdentity.type");
    bucket_ = registry_.Intern("requestParameters.bucketName");
    code_ = registry_.Intern("errorCode");
    extractor_ = std::make_unique<JsonFieldExtractor>(registry_, JsonFieldExtractor::Mode::kLazy);
  }
  Status Run(const std::string& json) {
    buffer_ = json + std::string(kJsonPadding, ' ');
    return extractor_->Extract(buffer_.data(), json.size(), buffer_.size(), &fields_);
  }
  FieldRegistry registry_;
  FieldId name_, type_, bucket_, code_;
  std::unique_ptr<JsonFieldExtractor> extractor_;
  std::string buffer_;
  EventFields fields_;
};

TEST_F(LazyExtractorTest, LazyKeyBeforeTheEagerKeysIsFound) {
  ASSERT_TRUE(Run(R"({"errorCode":"Denied","requestParameters":{"bucketName":"b"},)"
                  R"("eventName":"E","userIdentity":{"type":"Root"},"x":1})")
                  .ok());
  EXPECT_EQ(fields_.first(code_).text, "Denied");
  EXPECT_EQ(fields_.first(bucket_).text, "b");
  EXPECT_EQ(fields_.first(name_).text, "E");
  EXPECT_EQ(fields_.first(type_).text, "Root");
  EXPECT_FALSE(fields_.lazy_error());
}

TEST_F(LazyExtractorTest, LazyKeysOnBothSidesOfTheStopPoint) {
  ASSERT_TRUE(Run(R"({"errorCode":"C","eventName":"E","userIdentity":{"type":"T"},)"
                  R"("requestParameters":{"bucketName":"late"},"eventName":"dup"})")
                  .ok());
  EXPECT_EQ(fields_.first(name_).text, "E");
  EXPECT_EQ(fields_.first(bucket_).text, "late");  // read by the lazy pass
  EXPECT_EQ(fields_.first(code_).text, "C");
  EXPECT_EQ(fields_.count(name_), 1u);  // the duplicate after the stop point is ignored
  EXPECT_FALSE(fields_.lazy_error());
}

TEST_F(LazyExtractorTest, EscapedStringsSurviveTheLazyPass) {
  // Eager strings with escapes are unescaped into the parser's buffer; the
  // lazy pass unescapes more strings there and must not overwrite them.
  ASSERT_TRUE(Run(R"({"eventName":"A\nB\u00e9\"","userIdentity":{"type":"T\/x"},)"
                  R"("requestParameters":{"bucketName":"b\\c\td"},"errorCode":"\u0041"})")
                  .ok());
  EXPECT_EQ(fields_.first(bucket_).text, "b\\c\td");
  EXPECT_EQ(fields_.first(code_).text, "A");
  EXPECT_EQ(fields_.first(name_).text, "A\nB\xc3\xa9\"");
  EXPECT_EQ(fields_.first(type_).text, "T/x");
}

TEST_F(LazyExtractorTest, DamageRightAfterTheStopPointIsALazyError) {
  ASSERT_TRUE(Run(R"({"eventName":"E","userIdentity":{"type":"T"},,"errorCode":"C"})").ok());
  EXPECT_EQ(fields_.first(name_).text, "E");
  EXPECT_EQ(fields_.count(code_), 0u);
  EXPECT_TRUE(fields_.lazy_error());
  // The next event starts clean.
  ASSERT_TRUE(Run(R"({"eventName":"F","userIdentity":{"type":"T"},"errorCode":"D"})").ok());
  EXPECT_EQ(fields_.first(code_).text, "D");
  EXPECT_FALSE(fields_.lazy_error());
}

TEST_F(LazyExtractorTest, DamageInALazyKeyReadEarlyFailsTheRecord) {
  EXPECT_FALSE(Run(R"({"requestParameters":{"bucketName":tru},"eventName":"E"})").ok());
}

TEST_F(LazyExtractorTest, NoEagerKeysPresentStillFindsLazyOnes) {
  ASSERT_TRUE(Run(R"({"requestParameters":{"bucketName":"b"},"other":[1,2]})").ok());
  EXPECT_EQ(fields_.first(bucket_).text, "b");
  EXPECT_EQ(fields_.count(name_), 0u);
  EXPECT_FALSE(fields_.lazy_error());
}

}  // namespace
}  // namespace warden
