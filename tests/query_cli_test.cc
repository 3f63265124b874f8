// The CLI contract of `warden query`, `warden tables` and `warden shell`, run
// as a user would: the real binary, its stdout, stderr and exit code.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "testing/test_util.h"

namespace warden {
namespace {

using testing::RunCommand;
using testing::RunShell;
using testing::WardenBinary;

TEST(QueryCliTest, JsonOutputIsAnArrayOfTypedObjects) {
  auto r = RunCommand({WardenBinary(), "query", "--format", "json",
                       "SELECT 1 AS i, 2.5 AS d, 'x' AS s, NULL AS n"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_TRUE(j[0]["i"].is_number_integer());
  EXPECT_TRUE(j[0]["d"].is_number_float());
  EXPECT_EQ(j[0]["s"], "x");
  EXPECT_TRUE(j[0]["n"].is_null());
}

TEST(QueryCliTest, ProcessesByPidReturnsThisProcessWithIntegers) {
  std::string sql =
      "SELECT pid, parent, name FROM processes WHERE pid = " + std::to_string(getpid());
  auto r = RunCommand({WardenBinary(), "query", "--format", "json", sql});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["pid"], getpid());
  EXPECT_EQ(j[0]["parent"], getppid());
  EXPECT_TRUE(j[0]["pid"].is_number_integer());
}

TEST(QueryCliTest, CsvAndJsonlFormats) {
  auto csv = RunCommand({WardenBinary(), "query", "--format", "csv", "SELECT 1 AS a, 'x,y' AS b"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, "a,b\r\n1,\"x,y\"\r\n");
  auto jsonl = RunCommand({WardenBinary(), "query", "--format", "jsonl",
                           "SELECT value AS v FROM (SELECT 1 AS value UNION ALL SELECT 2)"});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  EXPECT_EQ(jsonl.out, "{\"v\":1}\n{\"v\":2}\n");
}

TEST(QueryCliTest, BadSqlIsOneLineOnStderrAndNonZeroExit) {
  auto r = RunCommand({WardenBinary(), "query", "SELEKT 1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("syntax error"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(QueryCliTest, MissingRequiredColumnSaysWhichColumn) {
  auto r = RunCommand({WardenBinary(), "query", "SELECT * FROM file"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'path' or 'directory'"), std::string::npos) << r.err;
}

TEST(QueryCliTest, UnknownTableAndUnknownFormatAreErrors) {
  auto r = RunCommand({WardenBinary(), "query", "SELECT * FROM no_such_table"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no such table: no_such_table"), std::string::npos) << r.err;
  auto f = RunCommand({WardenBinary(), "query", "--format", "xml", "SELECT 1"});
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_NE(f.err.find("--format"), std::string::npos) << f.err;
}

TEST(QueryCliTest, SqlFromStdin) {
  auto r =
      RunCommand({WardenBinary(), "query", "--format", "json", "-"}, "SELECT 40 + 2 AS answer");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)[0]["answer"], 42);
}

TEST(QueryCliTest, TimeoutStopsTheQuery) {
  auto r = RunCommand(
      {WardenBinary(), "query", "--timeout-ms", "200",
       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("time budget"), std::string::npos) << r.err;
}

TEST(QueryCliTest, NulByteInSqlIsAnErrorWithItsPosition) {
  // Found by fuzzing: the engine used to loop forever on it at 100 % CPU.
  auto r = RunShell("printf 'SELECT 1;\\0' | timeout 20 " + WardenBinary() +
                    " query --timeout-ms 1000 -");
  EXPECT_EQ(r.exit_code, 2) << "124 means it hung; stderr: " << r.err;
  EXPECT_EQ(r.err, "warden: SQL contains a NUL byte at byte 9 (line 1, column 10)\n");
  EXPECT_EQ(r.out, "");
}

const char* kTenMillionRows =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10000000) "
    "SELECT x, x * 2 AS twice FROM c";

// Seconds since `start`.
double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(QueryCliTest, HugeTableOutputStreamsInBoundedMemoryAndStopsWithItsReader) {
  // 200 MB of address space: buffering 10 M rows took 800 MB and died with
  // bad_alloc here; streaming needs a few MB.
  const auto start = std::chrono::steady_clock::now();
  auto r = RunShell("timeout 60 prlimit --as=200000000 " + WardenBinary() +
                    " query --format table \"" + kTenMillionRows + "\" | head -2");
  EXPECT_LT(SecondsSince(start), 5.0) << "warden kept running after head exited";
  // Widths come from the first 1000 rows.
  EXPECT_EQ(r.out, "+------+-------+\n| x    | twice |\n") << r.err;
  EXPECT_EQ(r.err.find("bad_alloc"), std::string::npos) << r.err;
}

TEST(QueryCliTest, ClosedStdoutStopsTheQueryQuietlyEvenWithSigpipeIgnored) {
  for (const char* format : {"table", "json", "csv"}) {
    const auto start = std::chrono::steady_clock::now();
    // Ignored signals stay ignored across exec: warden sees EPIPE, not SIGPIPE.
    auto r = RunShell(std::string("bash -c 'trap \"\" PIPE; timeout 60 ") + WardenBinary() +
                      " query --format " + format + " \"" + kTenMillionRows +
                      "\" | head -1 >/dev/null; echo ${PIPESTATUS[0]}'");
    EXPECT_LT(SecondsSince(start), 5.0) << format;
    EXPECT_EQ(r.out, "141\n") << format << ": ends as a filter killed by SIGPIPE does";
    EXPECT_EQ(r.err, "") << format;
  }
}

TEST(QueryCliTest, JsonOfAQueryStoppedBeforeItsFirstRowIsEmpty) {
  auto r = RunCommand(
      {WardenBinary(), "query", "--format", "json", "--timeout-ms", "50",
       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "") << "not a lone '['";
  EXPECT_NE(r.err.find("time budget"), std::string::npos) << r.err;
}

TEST(QueryCliTest, JsonOfAQueryStoppedPartWayIsAClosedArray) {
  auto r = RunCommand({WardenBinary(), "query", "--format", "json", "--timeout-ms", "200",
                       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                       "SELECT x FROM c"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("time budget"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out.substr(r.out.size() > 200 ? r.out.size() - 200 : 0);
  ASSERT_TRUE(j.is_array());
  EXPECT_FALSE(j.empty());
  EXPECT_EQ(j[0]["x"], 1);
}

TEST(TablesCliTest, JsonListsTablesWithTypedColumns) {
  auto r = RunCommand({WardenBinary(), "tables", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& t : j) {
    if (t["name"] != "processes") continue;
    found = true;
    EXPECT_EQ(t["columns"][0]["name"], "pid");
    EXPECT_EQ(t["columns"][0]["type"], "BIGINT");
  }
  EXPECT_TRUE(found);
}

TEST(ShellCliTest, RunsStatementsAndDotCommandsFromStdin) {
  auto r =
      RunCommand({WardenBinary(), "shell"},
                 ".mode json\nSELECT 1 AS a,\n  2 AS b;\n.schema uptime\n.tables proc\n.quit\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("{\"a\":1,\"b\":2}"), std::string::npos) << r.out;  // multi-line statement
  EXPECT_NE(r.out.find("CREATE TABLE \"uptime\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("=> processes"), std::string::npos) << r.out;
}

TEST(ShellCliTest, ErrorsDoNotEndTheSession) {
  auto r = RunCommand({WardenBinary(), "shell"}, "SELECT * FROM nope;\nSELECT 7 AS seven;\n");
  EXPECT_NE(r.err.find("no such table: nope"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("seven"), std::string::npos) << r.out;
  EXPECT_EQ(r.exit_code, 2);  // a script with a failed statement reports it
}

TEST(CliTest, VersionAndHelp) {
  auto v = RunCommand({WardenBinary(), "--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("warden ", 0), 0u) << v.out;
  auto h = RunCommand({WardenBinary(), "query", "--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("Examples:"), std::string::npos);
  auto bad = RunCommand({WardenBinary(), "frobnicate"});
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace warden
