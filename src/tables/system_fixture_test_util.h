// Test helpers for the system group's table tests: reading typed cells out
// of a QueryResult, building small fixture roots from pieces of
// tests/fixtures/system/root, and an engine over a caller-supplied HostFs
// (to inject unreadable files or record which paths a table touched).
// Header-only; in its own namespace so it cannot collide with other groups'
// helpers in the same test binary.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/host_fs.h"
#include "core/strings.h"
#include "core/value.h"
#include "sql/sql_engine.h"
#include "sql/table.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::system_test {

inline std::string SystemRoot() { return testing::FixturePath("system/root"); }

inline int ColumnIndexOf(const QueryResult& r, const std::string& column) {
  for (size_t i = 0; i < r.columns.size(); ++i)
    if (r.columns[i] == column) return static_cast<int>(i);
  ADD_FAILURE() << "no column " << column;
  return -1;
}

inline const Value& At(const QueryResult& r, size_t row, const std::string& column) {
  static const Value kNull;
  int i = ColumnIndexOf(r, column);
  if (i < 0 || row >= r.rows.size()) {
    ADD_FAILURE() << "no cell " << column << " in row " << row;
    return kNull;
  }
  return r.rows[row][static_cast<size_t>(i)];
}

// The text of a TEXT cell; fails the test when the cell is not text.
inline std::string Text(const QueryResult& r, size_t row, const std::string& column) {
  const Value& v = At(r, row, column);
  if (!std::holds_alternative<std::string>(v)) {
    ADD_FAILURE() << column << " is not text: '" << ValueToText(v) << "'";
    return "";
  }
  return std::get<std::string>(v);
}

// The value of an integer cell; fails the test when it is not an integer.
inline int64_t Int(const QueryResult& r, size_t row, const std::string& column) {
  const Value& v = At(r, row, column);
  if (!std::holds_alternative<int64_t>(v)) {
    ADD_FAILURE() << column << " is not an integer: '" << ValueToText(v) << "'";
    return -999999;
  }
  return std::get<int64_t>(v);
}

inline bool Null(const QueryResult& r, size_t row, const std::string& column) {
  return IsNull(At(r, row, column));
}

// Every row's cell of a column, as text ("" for NULL).
inline std::vector<std::string> ColumnValues(const QueryResult& r, const std::string& column) {
  std::vector<std::string> out;
  int i = ColumnIndexOf(r, column);
  if (i < 0) return out;
  for (const auto& row : r.rows) out.push_back(ValueToText(row[static_cast<size_t>(i)]));
  return out;
}

// The first row whose column has this text, or nullopt.
inline std::optional<size_t> FindRow(const QueryResult& r, const std::string& column,
                                     const std::string& text) {
  int i = ColumnIndexOf(r, column);
  if (i < 0) return std::nullopt;
  for (size_t row = 0; row < r.rows.size(); ++row)
    if (ValueToText(r.rows[row][static_cast<size_t>(i)]) == text) return row;
  return std::nullopt;
}

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Copies files of the system fixture tree into a scratch root.
inline void CopyFromSystemRoot(const testing::TempDir& dir,
                               const std::vector<std::string>& relative_paths) {
  for (const auto& rel : relative_paths)
    dir.WriteFile(rel, ReadWholeFile(SystemRoot() + "/" + rel));
}

inline std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view line : SplitString(text, '\n'))
    if (!TrimWhitespace(line).empty()) out.emplace_back(TrimWhitespace(line));
  return out;
}

// A HostFs over a root that records every path listed or read, and can
// refuse reads of chosen paths (to stand in for write-only or root-only
// files, which root in CI could otherwise read).
class RecordingHostFs : public HostFs {
 public:
  explicit RecordingHostFs(std::string root) : HostFs(std::move(root)) {}
  Result<std::string> ReadFile(std::string_view path, size_t max_bytes) const override {
    Record(reads_, path);
    if (denied_.count(std::string(path)))
      return Status(StatusCode::kPermissionDenied, std::string(path) + ": denied");
    return HostFs::ReadFile(path, max_bytes);
  }
  Result<std::vector<std::string>> ListDir(std::string_view path) const override {
    Record(listed_, path);
    return HostFs::ListDir(path);
  }
  void Deny(const std::string& path) { denied_.insert(path); }
  std::vector<std::string> reads() const {
    std::lock_guard<std::mutex> lock(mu_);
    return reads_;
  }
  std::vector<std::string> listed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return listed_;
  }

 private:
  void Record(std::vector<std::string>& into, std::string_view path) const {
    std::lock_guard<std::mutex> lock(mu_);
    into.emplace_back(path);
  }
  mutable std::mutex mu_;
  mutable std::vector<std::string> reads_, listed_;
  std::set<std::string> denied_;
};

// Every built-in table over a caller-owned HostFs.
class EngineOver {
 public:
  explicit EngineOver(const HostFs* fs) {
    RegisterBuiltinTables(registry_);
    auto e = SqlEngine::Open(&registry_, fs);
    if (!e.ok())
      ADD_FAILURE() << e.status().message();
    else
      engine_ = std::move(e).value();
  }
  QueryResult Query(const std::string& sql) {
    if (!engine_) return {};
    auto r = engine_->Query(sql);
    if (!r.ok()) {
      ADD_FAILURE() << "query failed: " << sql << ": " << r.status().message();
      return {};
    }
    return std::move(r).value();
  }

 private:
  TableRegistry registry_;
  std::unique_ptr<SqlEngine> engine_;
};

}  // namespace warden::system_test
