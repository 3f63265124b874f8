#include "core/output_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace warden {
namespace {

std::string Print(OutputFormat f, const std::vector<std::string>& cols,
                  const std::vector<std::vector<Value>>& rows) {
  std::ostringstream out;
  auto p = MakeRowPrinter(f, out);
  p->Begin(cols);
  for (const auto& r : rows) p->Row(r);
  p->End();
  return out.str();
}

const std::vector<std::string> kCols = {"pid", "name", "load", "missing"};
const std::vector<std::vector<Value>> kRows = {
    {Value(int64_t{1}), Value(std::string("init \"quoted\"")), Value(0.5), Value()},
    {Value(int64_t{-2}), Value(std::string("=cmd|' /C calc'!A0")), Value(2.0), Value()},
};

TEST(OutputFormatTest, JsonKeepsTypes) {
  auto j = nlohmann::json::parse(Print(OutputFormat::kJson, kCols, kRows));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_TRUE(j[0]["pid"].is_number_integer());
  EXPECT_EQ(j[0]["pid"], 1);
  EXPECT_TRUE(j[0]["load"].is_number_float());
  EXPECT_TRUE(j[1]["load"].is_number_float());  // 2.0 stays a float, not the integer 2
  EXPECT_TRUE(j[0]["missing"].is_null());
  EXPECT_EQ(j[0]["name"], "init \"quoted\"");
}

TEST(OutputFormatTest, EmptyJsonIsAnEmptyArray) {
  auto j = nlohmann::json::parse(Print(OutputFormat::kJson, kCols, {}));
  EXPECT_TRUE(j.is_array());
  EXPECT_TRUE(j.empty());
}

TEST(OutputFormatTest, JsonLinesIsOneObjectPerLine) {
  std::string out = Print(OutputFormat::kJsonl, kCols, kRows);
  std::istringstream in(out);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j.is_object());
    ++n;
  }
  EXPECT_EQ(n, 2);
}

TEST(OutputFormatTest, InvalidUtf8BecomesReplacementCharacter) {
  std::string s;
  AppendJsonString(s, std::string("ok\xff\xfe", 4));
  EXPECT_EQ(s, "\"ok\\ufffd\\ufffd\"");
  EXPECT_NO_THROW(nlohmann::json::parse(s));
  std::string ctl;
  AppendJsonString(ctl, std::string("a\x01\n", 3));
  EXPECT_EQ(ctl, "\"a\\u0001\\n\"");
}

TEST(OutputFormatTest, CsvQuotesAndEscapesFormulas) {
  std::string out = Print(OutputFormat::kCsv, kCols, kRows);
  EXPECT_NE(out.find("pid,name,load,missing\r\n"), std::string::npos);
  EXPECT_NE(out.find("1,\"init \"\"quoted\"\"\",0.5,\r\n"), std::string::npos) << out;
  // A cell starting with '=' is prefixed so spreadsheets show it as text.
  EXPECT_NE(out.find("'=cmd|' /C calc'!A0"), std::string::npos) << out;
  EXPECT_EQ(CsvField("-1"), "'-1");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
}

TEST(OutputFormatTest, TableAlignsColumns) {
  std::string out =
      Print(OutputFormat::kTable, {"a", "bb"}, {{Value(int64_t{100}), Value(std::string("x"))}});
  EXPECT_EQ(out,
            "+-----+----+\n"
            "| a   | bb |\n"
            "+-----+----+\n"
            "| 100 | x  |\n"
            "+-----+----+\n");
}

TEST(OutputFormatTest, TableMeasuresTheFirstRowsThenStreamsAndCutsLongerCells) {
  std::ostringstream out;
  auto p = MakeRowPrinter(OutputFormat::kTable, out);
  p->Begin({"name"});
  for (size_t i = 0; i + 1 < kTableMeasureRows; ++i) p->Row({Value(std::string("ab"))});
  EXPECT_EQ(out.str(), "") << "still measuring";
  p->Row({Value(std::string("abcdef"))});  // the last measured row sets the width
  const std::string header = "+--------+\n| name   |\n+--------+\n";
  ASSERT_EQ(out.str().substr(0, header.size()), header) << "printed before End: streaming";
  const size_t printed = out.str().size();
  p->Row({Value(std::string("abcdefghij"))});
  EXPECT_EQ(out.str().substr(printed), "| abcde\u2026 |\n") << "cut to the measured width";
  p->Row({Value(std::string("abc"))});
  p->End();
  EXPECT_EQ(out.str().substr(printed), "| abcde\u2026 |\n| abc    |\n+--------+\n");
}

TEST(OutputFormatTest, TableCutsCellsAtACharacterBoundary) {
  std::ostringstream out;
  auto p = MakeRowPrinter(OutputFormat::kTable, out);
  p->Begin({"abc"});
  for (size_t i = 0; i < kTableMeasureRows; ++i) p->Row({Value(std::string("x"))});
  const size_t printed = out.str().size();
  p->Row({Value(std::string("\u00e9\u00e9\u00e9\u00e9"))});  // four 2-byte characters
  EXPECT_EQ(out.str().substr(printed), "| \u00e9\u00e9\u2026 |\n");
}

TEST(OutputFormatTest, TableAbortedWhileMeasuringPrintsNothing) {
  std::ostringstream out;
  auto p = MakeRowPrinter(OutputFormat::kTable, out);
  p->Begin({"a"});
  p->Row({Value(int64_t{1})});
  p->Abort();
  EXPECT_EQ(out.str(), "");
}

TEST(OutputFormatTest, JsonAbortedBeforeAnyRowPrintsNothing) {
  std::ostringstream out;
  auto p = MakeRowPrinter(OutputFormat::kJson, out);
  p->Begin({"a"});
  EXPECT_EQ(out.str(), "") << "no lone '[' before the first row";
  p->Abort();
  EXPECT_EQ(out.str(), "");
}

TEST(OutputFormatTest, JsonAbortedAfterRowsIsAClosedArray) {
  std::ostringstream out;
  auto p = MakeRowPrinter(OutputFormat::kJson, out);
  p->Begin(kCols);
  for (const auto& r : kRows) p->Row(r);
  p->Abort();
  auto j = nlohmann::json::parse(out.str(), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out.str();
  EXPECT_EQ(j.size(), 2u);
}

TEST(OutputFormatTest, ParsesFormatNames) {
  EXPECT_EQ(ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(ParseOutputFormat("jsonl"), OutputFormat::kJsonl);
  EXPECT_EQ(ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_EQ(ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_FALSE(ParseOutputFormat("xml").has_value());
}

}  // namespace
}  // namespace warden
