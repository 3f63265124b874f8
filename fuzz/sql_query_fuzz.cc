// Fuzzes the SQL engine with every built-in table over an empty fixture root:
// arbitrary SQL must give rows or an error, never a crash or a hang (each
// query has a 200 ms budget). Catches bugs in constraint push-down, IN-list
// handling, the SQL functions and tables fed odd constraint values.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/host_fs.h"
#include "sql/sql_engine.h"
#include "sql/table.h"

namespace {

struct Env {
  warden::TableRegistry registry;
  warden::HostFs fs{"/nonexistent-warden-fuzz-root"};
  std::unique_ptr<warden::SqlEngine> engine;
  Env() {
    warden::RegisterBuiltinTables(registry);
    engine = std::move(warden::SqlEngine::Open(&registry, &fs)).value();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Env env;
  std::string sql(reinterpret_cast<const char*>(data), size);
  warden::QueryOptions options;
  options.timeout = std::chrono::milliseconds(200);
  (void)env.engine->Query(sql, options);
  return 0;
}
