// Test-only helpers for the PROCESS tables (header-only; included by the
// *_test.cc files, never by table code): a HostFs over a fixture root that
// records every path it is asked for, fails chosen paths with an errno, and
// can list pids in /proc that have already exited; and an SQL engine over
// such a HostFs.
#pragma once

#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/host_fs.h"
#include "core/strings.h"
#include "sql/sql_engine.h"
#include "sql/table.h"

namespace warden::testing {

class ScriptedProcFs : public HostFs {
 public:
  explicit ScriptedProcFs(std::string root) : HostFs(std::move(root)) {}

  // Every access to exactly this host path fails with err.
  void FailPath(const std::string& path, int err) { failures_[path] = err; }
  // Every access under this prefix fails with err.
  void FailPrefix(const std::string& prefix, int err) { prefix_failures_[prefix] = err; }
  // The pid is listed in /proc, but has exited: all its files are ENOENT.
  void AddVanishedPid(int64_t pid) {
    vanished_.insert(pid);
    FailPrefix("/proc/" + std::to_string(pid) + "/", ENOENT);
  }

  // Paths asked for so far, in order.
  const std::vector<std::string>& accessed() const { return accessed_; }
  bool AccessedUnder(const std::string& prefix) const {
    for (const auto& p : accessed_)
      if (StartsWith(p, prefix)) return true;
    return false;
  }
  void ClearAccessed() { accessed_.clear(); }

  Result<std::string> ReadFile(std::string_view path, size_t max_bytes) const override {
    if (auto st = Check(path); !st.ok()) return st;
    return HostFs::ReadFile(path, max_bytes);
  }
  Result<std::string> ReadProcFile(std::string_view path, size_t max_bytes) const override {
    if (auto st = Check(path); !st.ok()) return st;
    return HostFs::ReadProcFile(path, max_bytes);
  }
  Result<std::vector<std::string>> ListDir(std::string_view path) const override {
    if (auto st = Check(path); !st.ok()) return st;
    auto names = HostFs::ListDir(path);
    if (names.ok() && path == "/proc")
      for (int64_t pid : vanished_) names->push_back(std::to_string(pid));
    return names;
  }
  Result<std::string> ReadLink(std::string_view path) const override {
    if (auto st = Check(path); !st.ok()) return st;
    return HostFs::ReadLink(path);
  }
  Result<struct stat> Stat(std::string_view path) const override {
    if (auto st = Check(path); !st.ok()) return st;
    return HostFs::Stat(path);
  }
  Result<struct stat> Lstat(std::string_view path) const override {
    if (auto st = Check(path); !st.ok()) return st;
    return HostFs::Lstat(path);
  }

 private:
  // Thread-safe like HostFs: tables read /proc on several threads.
  Status Check(std::string_view path) const {
    {
      std::lock_guard<std::mutex> lock(mu_);
      accessed_.emplace_back(path);
    }
    std::string p(path);
    if (auto it = failures_.find(p); it != failures_.end()) return ErrnoStatus(p, it->second);
    for (const auto& [prefix, err] : prefix_failures_)
      if (StartsWith(p, prefix)) return ErrnoStatus(p, err);
    return Status::Ok();
  }

  std::map<std::string, int> failures_;
  std::map<std::string, int> prefix_failures_;
  std::set<int64_t> vanished_;
  mutable std::mutex mu_;
  mutable std::vector<std::string> accessed_;
};

// Every built-in table over a ScriptedProcFs.
class ScriptedSql {
 public:
  explicit ScriptedSql(const std::string& root) : fs_(root) {
    RegisterBuiltinTables(registry_);
    auto e = SqlEngine::Open(&registry_, &fs_);
    if (!e.ok()) ADD_FAILURE() << e.status().message();
    engine_ = std::move(e).value();
  }
  ScriptedProcFs& fs() { return fs_; }
  QueryResult Query(const std::string& sql) {
    auto r = engine_->Query(sql);
    if (!r.ok()) {
      ADD_FAILURE() << "query failed: " << sql << ": " << r.status().message();
      return {};
    }
    return std::move(r).value();
  }

 private:
  TableRegistry registry_;
  ScriptedProcFs fs_;
  std::unique_ptr<SqlEngine> engine_;
};

}  // namespace warden::testing
