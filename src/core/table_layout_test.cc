#include "core/table_layout.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/output_format.h"

namespace warden {
namespace {

TableFit Width(size_t max_width, std::vector<TableColumnHint> hints = {},
               bool* note_shown = nullptr) {
  TableFit fit;
  fit.max_width = max_width;
  fit.hints = std::move(hints);
  fit.note_shown = note_shown;
  return fit;
}

TEST(TableLayoutTest, NoLimitKeepsNaturalWidths) {
  TableLayout l = LayoutTable({"a", "b"}, {40, 90}, TableFit{});
  EXPECT_EQ(l.width, (std::vector<size_t>{40, 90}));
  EXPECT_EQ(l.hidden, 0u);
  EXPECT_FALSE(l.cut);
}

TEST(TableLayoutTest, TableThatFitsIsUnchanged) {
  TableLayout l = LayoutTable({"a", "b"}, {10, 20}, Width(80));
  EXPECT_EQ(l.width, (std::vector<size_t>{10, 20}));
  EXPECT_FALSE(l.cut);
}

TEST(TableLayoutTest, ShrinksWideColumnsBeforeHidingAny) {
  // 1 + (5+3) + (100+3) + (8+3) = 120 > 80: the wide column gives way.
  TableLayout l = LayoutTable({"pid", "cmdline", "state"}, {5, 100, 8}, Width(80));
  EXPECT_EQ(l.hidden, 0u);
  EXPECT_TRUE(l.cut);
  EXPECT_EQ(l.width[0], 5u);
  EXPECT_EQ(l.width[2], 8u);
  EXPECT_EQ(TableLineWidth(l), 80u);
}

TEST(TableLayoutTest, HidesRightmostColumnsFirstWithoutHints) {
  std::vector<std::string> cols;
  std::vector<size_t> natural;
  for (int i = 0; i < 20; ++i) {
    cols.push_back("c" + std::to_string(i));
    natural.push_back(30);
  }
  TableLayout l = LayoutTable(cols, natural, Width(80));
  EXPECT_GT(l.hidden, 0u);
  EXPECT_TRUE(l.shown[0]);
  EXPECT_FALSE(l.shown[19]);
  for (size_t i = 1; i < cols.size(); ++i) {
    if (!l.shown[i - 1]) {
      EXPECT_FALSE(l.shown[i]) << "hidden out of order at " << i;
    }
  }
  EXPECT_LE(TableLineWidth(l), 80u);
}

TEST(TableLayoutTest, LowPriorityColumnHidesFirstWhereverItIs) {
  TableFit fit = Width(45, {{"remediation", -1}, {"cve", 2}});
  TableLayout l = LayoutTable({"remediation", "cve", "package", "status"}, {60, 16, 20, 12}, fit);
  EXPECT_FALSE(l.shown[0]);
  EXPECT_TRUE(l.shown[1]);
  EXPECT_EQ(l.hidden, 1u);
  EXPECT_LE(TableLineWidth(l), 45u);
}

TEST(TableLayoutTest, OptionalColumnsAreHiddenBeforeAnyCellIsCut) {
  // Everything fits once "advisory" (optional) is gone: nothing is cut.
  TableFit fit = Width(60, {{"advisory", -1}});
  TableLayout l = LayoutTable({"package", "version", "advisory", "cve"}, {14, 16, 20, 14}, fit);
  EXPECT_FALSE(l.shown[2]);
  EXPECT_EQ(l.hidden, 1u);
  EXPECT_FALSE(l.cut);
  EXPECT_EQ(l.width[1], 16u);
  // Without the hint the same table keeps every column and cuts them.
  TableLayout plain =
      LayoutTable({"package", "version", "advisory", "cve"}, {14, 16, 20, 14}, Width(60));
  EXPECT_EQ(plain.hidden, 0u);
  EXPECT_TRUE(plain.cut);
}

TEST(TableLayoutTest, MinimumWidthFromHintIsKept) {
  TableFit fit = Width(50, {{"title", 0, 30}});
  TableLayout l = LayoutTable({"id", "title", "extra"}, {12, 80, 40}, fit);
  ASSERT_TRUE(l.shown[1]);
  EXPECT_GE(l.width[1], 30u);
  EXPECT_LE(TableLineWidth(l), 50u);
}

TEST(TableLayoutTest, NarrowColumnHiddenEarlierComesBackWhenItFits) {
  // "n" (narrow, lowest priority) is hidden first, then "wide": after that
  // there is room for "n" again.
  TableFit fit = Width(40, {{"n", -2}, {"wide", -1, 30}});
  TableLayout l = LayoutTable({"id", "wide", "n"}, {20, 60, 3}, fit);
  EXPECT_TRUE(l.shown[0]);
  EXPECT_FALSE(l.shown[1]);
  EXPECT_TRUE(l.shown[2]);
}

TEST(TableLayoutTest, OneColumnWiderThanTheTerminalIsCut) {
  TableLayout l = LayoutTable({"text"}, {500}, Width(80));
  EXPECT_EQ(l.hidden, 0u);
  EXPECT_EQ(TableLineWidth(l), 80u);
}

TEST(TableLayoutTest, NoteNamesHiddenColumnsAndFits) {
  TableLayout l;
  l.shown = {true, false, false};
  l.width = {10, 0, 0};
  l.hidden = 2;
  std::string note = TableFitNote({"a", "advisory", "remediation"}, l, 80);
  EXPECT_EQ(note, "2 of 3 columns hidden (advisory, remediation); --wide shows all");
  EXPECT_LE(DisplayWidth(TableFitNote({"a", "advisory", "remediation"}, l, 30)), 30u);
  EXPECT_EQ(TableFitNote({"a", "advisory", "remediation"}, l, 30), "2 hidden; --wide shows all");
}

TEST(TableLayoutTest, CutKeepsWholeCharacters) {
  EXPECT_EQ(CutToWidth("h\u00e9llo w\u00f6rld", 6), "h\u00e9llo\u2026");
  EXPECT_EQ(CutToWidth("short", 6), "short");
  EXPECT_EQ(DisplayWidth(CutToWidth("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 4)), 4u);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(TableLayoutTest, FittedTablePrinterKeepsEveryLineInsideTheWidth) {
  std::ostringstream out;
  auto p = MakeRowPrinter(OutputFormat::kTable, out, Width(60));
  std::vector<std::string> cols;
  for (int i = 0; i < 12; ++i) cols.push_back("column_" + std::to_string(i));
  p->Begin(cols);
  std::vector<Value> row;
  for (int i = 0; i < 12; ++i) row.emplace_back(std::string(25, 'x'));
  p->Row(row);
  p->End();
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_GE(lines.size(), 5u);
  for (const std::string& line : lines) EXPECT_LE(DisplayWidth(line), 60u) << line;
  EXPECT_NE(lines.back().find("columns hidden"), std::string::npos) << lines.back();
  EXPECT_NE(lines.back().find("--wide"), std::string::npos);
}

TEST(TableLayoutTest, NoteIsPrintedOnceWhenShared) {
  bool shown = false;
  std::ostringstream out;
  for (int t = 0; t < 2; ++t) {
    auto p = MakeRowPrinter(OutputFormat::kTable, out, Width(20, {}, &shown));
    p->Begin({"aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"});
    p->Row({Value(std::string("1")), Value(std::string("2")), Value(std::string("3"))});
    p->End();
  }
  std::string text = out.str();
  EXPECT_EQ(text.find("--wide"), text.rfind("--wide"));
  EXPECT_NE(text.find("--wide"), std::string::npos);
}

TEST(TableLayoutTest, MachineFormatsIgnoreTheFit) {
  for (OutputFormat f : {OutputFormat::kJson, OutputFormat::kJsonl, OutputFormat::kCsv}) {
    std::ostringstream fitted, plain;
    for (std::ostringstream* o : {&fitted, &plain}) {
      auto p = MakeRowPrinter(f, *o, o == &fitted ? Width(20) : TableFit{});
      p->Begin({"a_long_column_name", "another_long_one"});
      p->Row({Value(std::string(50, 'y')), Value(std::string(50, 'z'))});
      p->End();
    }
    EXPECT_EQ(fitted.str(), plain.str());
  }
}

}  // namespace
}  // namespace warden
