#include "ebpf/host_event_tables.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ebpf/event_journal.h"
#include "ebpf/journal_event_codec.h"
#include "sql/sql_engine.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

class HostEventTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/events.journal";
    auto w = EventJournalWriter::Open(path_, EventJournalWriter::kMinCapacity);
    ASSERT_TRUE(w.ok()) << w.status().message();
    writer_ = std::move(*w);
    RegisterHostEventTables(registry_, path_);
    auto engine = SqlEngine::Open(&registry_, &fs_);
    ASSERT_TRUE(engine.ok());
    engine_ = std::move(*engine);
  }

  void AddExec(int64_t pid, int64_t time_s, std::string exe, std::vector<std::string> argv) {
    HostEvent e;
    e.kind = HostEventKind::kExec;
    e.pid = e.tid = pid;
    e.ppid = 1;
    e.uid = 1000;
    e.euid = 0;
    e.gid = 1000;
    e.cgroup_id = 77;
    e.boot_ns = 123456789;
    e.syscall = "execve";
    e.exe = exe;
    e.exec_path = exe;
    e.cwd = "/home/u";
    e.argv = std::move(argv);
    ProcessRecord parent;
    parent.pid = 1;
    parent.exe = "/sbin/init";
    std::vector<const ProcessRecord*> ancestors{&parent};
    ASSERT_TRUE(
        writer_
            ->Append(kJournalProcessEvent, time_s * kSecond + 5, EncodeProcessEvent(e, ancestors))
            .ok());
  }

  void AddConnect(int64_t pid, int64_t time_s, int port) {
    HostEvent e;
    e.kind = HostEventKind::kConnect;
    e.pid = e.tid = pid;
    e.ppid = 1;
    e.syscall = "connect";
    e.exe = "/usr/bin/curl";
    e.fd = 4;
    e.socket_type = 1;
    e.protocol = 6;
    e.result = -115;
    e.local = {2, "10.0.0.2", 50000};
    e.remote = {2, "10.0.0.1", port};
    ASSERT_TRUE(writer_->Append(kJournalSocketEvent, time_s * kSecond, EncodeSocketEvent(e)).ok());
  }

  QueryResult Query(const std::string& sql) {
    auto r = engine_->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
    return r.ok() ? std::move(*r) : QueryResult{};
  }

  testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<EventJournalWriter> writer_;
  TableRegistry registry_;
  HostFs fs_{"/"};
  std::unique_ptr<SqlEngine> engine_;
};

TEST_F(HostEventTablesTest, ProcessEventsHaveOsqueryValues) {
  AddExec(42, 1000, "/usr/bin/ls", {"ls", "-la"});
  QueryResult r = Query("SELECT *, json_cmdline, time, eid FROM bpf_process_events");
  ASSERT_EQ(r.rows.size(), 1u);
  using testing::Cell;
  EXPECT_EQ(Cell(r, 0, "pid"), Value(int64_t{42}));
  EXPECT_EQ(Cell(r, 0, "parent"), Value(int64_t{1}));
  EXPECT_EQ(Cell(r, 0, "cid"), Value(int64_t{77}));
  EXPECT_EQ(Cell(r, 0, "exit_code"), Value(std::string("0")));
  EXPECT_EQ(Cell(r, 0, "syscall"), Value(std::string("execve")));
  EXPECT_EQ(Cell(r, 0, "path"), Value(std::string("/usr/bin/ls")));
  EXPECT_EQ(Cell(r, 0, "cmdline"), Value(std::string("ls -la")));
  EXPECT_EQ(Cell(r, 0, "json_cmdline"), Value(std::string("[\"ls\",\"-la\"]")));
  EXPECT_EQ(Cell(r, 0, "cwd"), Value(std::string("/home/u")));
  EXPECT_EQ(Cell(r, 0, "ntime"), Value(std::string("123456789")));
  EXPECT_EQ(Cell(r, 0, "time"), Value(int64_t{1000}));
  EXPECT_EQ(Cell(r, 0, "eid"), Value(int64_t{1}));
  EXPECT_EQ(Cell(r, 0, "euid"), Value(int64_t{0}));
  EXPECT_EQ(Cell(r, 0, "parent_path"), Value(std::string("/sbin/init")));
  EXPECT_TRUE(IsNull(Cell(r, 0, "duration")));
}

TEST_F(HostEventTablesTest, TimeConstraintsSelectTheWindow) {
  for (int i = 0; i < 10; ++i) AddExec(100 + i, 1000 + i, "/bin/true", {"true"});
  auto pids = [&](const std::string& where) {
    std::vector<int64_t> out;
    for (const auto& row : Query("SELECT pid FROM bpf_process_events WHERE " + where).rows)
      out.push_back(std::get<int64_t>(row[0]));
    return out;
  };
  EXPECT_EQ(pids("time > 1007"), (std::vector<int64_t>{108, 109}));
  EXPECT_EQ(pids("time >= 1007 AND time < 1009"), (std::vector<int64_t>{107, 108}));
  EXPECT_EQ(pids("time <= 1001"), (std::vector<int64_t>{100, 101}));
  EXPECT_EQ(pids("time = 1004"), (std::vector<int64_t>{104}));
  EXPECT_EQ(pids("time > 1003.5 AND time < 1005.5"), (std::vector<int64_t>{104, 105}));
  EXPECT_TRUE(pids("time > 5000").empty());
}

TEST_F(HostEventTablesTest, SocketEventsHaveOsqueryValues) {
  AddConnect(7, 2000, 443);
  AddExec(8, 2001, "/bin/true", {"true"});  // not a socket event
  QueryResult r = Query("SELECT * FROM bpf_socket_events WHERE time >= 2000");
  ASSERT_EQ(r.rows.size(), 1u);
  using testing::Cell;
  EXPECT_EQ(Cell(r, 0, "syscall"), Value(std::string("connect")));
  EXPECT_EQ(Cell(r, 0, "exit_code"), Value(std::string("-115")));
  EXPECT_EQ(Cell(r, 0, "fd"), Value(std::string("4")));
  EXPECT_EQ(Cell(r, 0, "family"), Value(int64_t{2}));
  EXPECT_EQ(Cell(r, 0, "protocol"), Value(int64_t{6}));
  EXPECT_EQ(Cell(r, 0, "remote_address"), Value(std::string("10.0.0.1")));
  EXPECT_EQ(Cell(r, 0, "remote_port"), Value(int64_t{443}));
  EXPECT_EQ(Cell(r, 0, "local_port"), Value(int64_t{50000}));
  EXPECT_EQ(Cell(r, 0, "path"), Value(std::string("/usr/bin/curl")));
}

TEST_F(HostEventTablesTest, NoJournalMeansNoRowsNotAnError) {
  TableRegistry registry;
  RegisterHostEventTables(registry, dir_.path() + "/never-written");
  HostFs fs("/");
  auto engine = SqlEngine::Open(&registry, &fs);
  ASSERT_TRUE(engine.ok());
  auto r = (*engine)->Query("SELECT * FROM bpf_process_events");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->rows.empty());
}

// The tables are not in RegisterBuiltinTables (they live in src/ebpf), so
// the project-wide schema test does not see them: check them here against
// osquery's own schema export.
TEST(HostEventTablesSchemaTest, ColumnsMatchOsqueryExactly) {
  std::ifstream in(testing::FixturePath("osquery-tables.json"));
  nlohmann::json reference = nlohmann::json::parse(in);
  TableRegistry registry;
  RegisterHostEventTables(registry);
  int checked = 0;
  for (const auto& t : reference) {
    const std::string name = t["name"];
    if (name != "bpf_process_events" && name != "bpf_socket_events") continue;
    const TableDef* def = registry.Find(name);
    ASSERT_NE(def, nullptr) << name;
    EXPECT_FALSE(def->schema.description.empty());
    const auto& ref_cols = t["columns"];
    ASSERT_GE(def->schema.columns.size(), ref_cols.size());
    for (size_t i = 0; i < ref_cols.size(); ++i) {
      const Column& c = def->schema.columns[i];
      SCOPED_TRACE(name + "." + ref_cols[i]["name"].get<std::string>());
      EXPECT_EQ(c.name, ref_cols[i]["name"].get<std::string>());
      EXPECT_EQ(std::string(ColumnTypeName(c.type)), ref_cols[i]["type"].get<std::string>());
      EXPECT_EQ((c.options & kHidden) != 0, ref_cols[i].value("hidden", false));
      EXPECT_EQ((c.options & kAdditional) != 0, ref_cols[i].value("additional", false));
      EXPECT_EQ((c.options & kRequired) != 0, ref_cols[i].value("required_in_where", false));
    }
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

}  // namespace
}  // namespace warden
