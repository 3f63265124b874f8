// `warden_test_agent agent --config FILE`: the real agent (src/agent/agent.h,
// the same control socket, signals, sinks and jobs as `warden agent`) whose
// SQL engine has, besides every Warden table, one test-only table that blocks:
//   test_blocking_read(path TEXT required, line TEXT): opens `path` and reads
//   its first line with plain blocking calls, ignoring the query's interrupt.
// On a FIFO nobody writes to, a scheduled query on it hangs the way a table
// reading a planted FIFO once did, whatever the real tables do about FIFOs
// now; tests/agent_cli_test.cc uses it to show that a stuck job cannot stall
// the agent. Not installed, not part of `warden`.
#include <fcntl.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "agent/agent.h"
#include "cli/host_session.h"

namespace warden {
namespace {

void RegisterBlockingReadTable(TableRegistry& registry) {
  registry.Add(
      TableSchema{"test_blocking_read",
                  "Test only: the first line of a file, read with blocking calls",
                  {{"path", ColumnType::kText, kRequired | kIndex}, {"line", ColumnType::kText}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        for (const std::string& path :
             ctx.TextEquals("path").value_or(std::vector<std::string>{})) {
          const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);  // blocks on a FIFO
          if (fd < 0) return ErrnoStatus(path, errno);
          char buf[4096];
          const ssize_t n = read(fd, buf, sizeof buf);
          close(fd);
          std::string text(buf, n > 0 ? static_cast<size_t>(n) : 0);
          Row& r = out.Add();
          r.Set("path", path);
          r.Set("line", text.substr(0, text.find('\n')));
        }
        return Status::Ok();
      });
}

// The engine with its registry and HostFs, kept alive together.
struct TestEngine {
  TableRegistry registry;
  HostFs fs{"/"};
  std::unique_ptr<SqlEngine> engine;
};

}  // namespace
}  // namespace warden

int main(int argc, char** argv) {
  using namespace warden;
  if (argc != 4 || std::string(argv[1]) != "agent" || std::string(argv[2]) != "--config") {
    std::cerr << "usage: warden_test_agent agent --config FILE\n";
    return 2;
  }
  AgentOptions options;
  options.config_path = argv[3];
  options.sql_factory = []() -> Result<std::shared_ptr<SqlEngine>> {
    auto owner = std::make_shared<TestEngine>();
    RegisterAllTables(owner->registry);
    RegisterBlockingReadTable(owner->registry);
    ASSIGN_OR_RETURN(owner->engine, SqlEngine::Open(&owner->registry, &owner->fs));
    return std::shared_ptr<SqlEngine>(owner, owner->engine.get());
  };
  Agent agent(std::move(options));
  return agent.Run();
}
